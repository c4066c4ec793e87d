using System.Globalization;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Http.HttpResults;
using TenantAtlas.GraphEmulator.Tenants;

namespace TenantAtlas.GraphEmulator.Endpoints;

/// <summary>
/// The Entra v2.0 token endpoint, client-credentials grant only:
/// <c>POST /{tenantId}/oauth2/v2.0/token</c> with form fields grant_type, client_id, client_secret, scope.
/// </summary>
public static class TokenEndpoints
{
    public static IEndpointRouteBuilder MapTokenEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapPost("/{tenantId}/oauth2/v2.0/token", IssueTokenAsync);
        return app;
    }

    private static async Task<IResult> IssueTokenAsync(string tenantId, HttpRequest request, TenantStore store)
    {
        if (!request.HasFormContentType)
            return OAuthError(400, "invalid_request", 900144, "The request body must contain the following parameter: 'grant_type'.");

        var form = await request.ReadFormAsync(request.HttpContext.RequestAborted);
        var grantType = form["grant_type"].ToString();
        var clientId = form["client_id"].ToString();
        var scope = form["scope"].ToString();

        if (grantType != "client_credentials")
            return OAuthError(400, "unsupported_grant_type", 70003, $"The app requested an unsupported grant type '{grantType}'.");
        if (!scope.EndsWith("/.default", StringComparison.Ordinal))
            return OAuthError(400, "invalid_scope", 1002012,
                $"The provided value for scope {scope} is not valid. Client credential flows must have a scope value with /.default suffixed to the resource identifier (application ID URI).");
        if (!store.TryGet(tenantId, out var tenant))
            return OAuthError(400, "invalid_request", 90002, $"Tenant '{tenantId}' not found.");
        if (!tenant.AcceptsClientId(clientId))
            return OAuthError(400, "unauthorized_client", 700016,
                $"Application with identifier '{clientId}' was not found in the directory '{tenant.TenantId}'.");
        if (!tenant.AcceptsSecret(form["client_secret"].ToString()))
            return OAuthError(401, "invalid_client", 7000215, "Invalid client secret provided.");

        var token = store.IssueToken(tenant);
        var lifetime = (int)TenantStore.TokenLifetime.TotalSeconds;
        return TypedResults.Ok(new TokenResponse("Bearer", lifetime, lifetime, token.AccessToken));
    }

    private static JsonHttpResult<OAuthErrorResponse> OAuthError(int statusCode, string error, int aadstsCode, string description)
    {
        var traceId = Guid.NewGuid().ToString();
        return TypedResults.Json(
            new OAuthErrorResponse(
                error, $"AADSTS{aadstsCode}: {description}", [aadstsCode],
                DateTime.UtcNow.ToString("yyyy-MM-dd HH:mm:ss'Z'", CultureInfo.InvariantCulture),
                traceId, traceId),
            statusCode: statusCode);
    }
}

/// <summary>A successful token response.</summary>
public sealed record TokenResponse(
    [property: JsonPropertyName("token_type")] string TokenType,
    [property: JsonPropertyName("expires_in")] int ExpiresIn,
    [property: JsonPropertyName("ext_expires_in")] int ExtExpiresIn,
    [property: JsonPropertyName("access_token")] string AccessToken);

/// <summary>An Entra OAuth error, e.g. <c>{"error":"invalid_client","error_description":"AADSTS7000215: ..."}</c>.</summary>
public sealed record OAuthErrorResponse(
    [property: JsonPropertyName("error")] string Error,
    [property: JsonPropertyName("error_description")] string ErrorDescription,
    [property: JsonPropertyName("error_codes")] IReadOnlyList<int> ErrorCodes,
    [property: JsonPropertyName("timestamp")] string Timestamp,
    [property: JsonPropertyName("trace_id")] string TraceId,
    [property: JsonPropertyName("correlation_id")] string CorrelationId);
