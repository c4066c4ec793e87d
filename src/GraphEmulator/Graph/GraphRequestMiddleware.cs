using System.Globalization;
using TenantAtlas.GraphEmulator.Tenants;

namespace TenantAtlas.GraphEmulator.Graph;

/// <summary>
/// Runs in front of every <c>/v1.0</c> request: stamps <c>request-id</c>/<c>client-request-id</c>, selects the
/// tenant from the bearer token (401 otherwise), applies the tenant's latency and throttle faults, and records
/// the status served (and each collection read from its first page) in the tenant's request log.
/// </summary>
public sealed class GraphRequestMiddleware(RequestDelegate next, TenantStore store)
{
    public async Task InvokeAsync(HttpContext context)
    {
        var (requestId, clientRequestId) = context.GraphRequestIds();
        context.Response.Headers["request-id"] = requestId;
        context.Response.Headers["client-request-id"] = clientRequestId;

        var tokenStatus = store.ResolveToken(BearerToken(context.Request), out var tenant);
        if (tenant is null)
        {
            context.Response.Headers.WWWAuthenticate = "Bearer realm=\"\", error=\"invalid_token\"";
            await GraphErrors.Result(context, StatusCodes.Status401Unauthorized, "InvalidAuthenticationToken", tokenStatus switch
            {
                TokenStatus.Missing => "Access token is empty.",
                TokenStatus.Expired => "Lifetime validation failed, the token is expired.",
                _ => "Access token validation failure. The token was not issued by this emulator for a known tenant.",
            }).ExecuteAsync(context);
            return;
        }

        context.SetGraphTenant(tenant);
        try
        {
            await ServeAsync(context, tenant);
        }
        catch
        {
            tenant.Requests.Record(StatusCodes.Status500InternalServerError);
            throw;
        }

        tenant.Requests.Record(context.Response.StatusCode);
        if (IsFirstPageOfCollection(context))
        {
            tenant.Requests.RecordCollectionRead(context.Request.Path.Value!.TrimEnd('/').Split('/')[^1]);
        }
    }

    /// <summary>A served GET of a collection without a continuation token (item reads end in an id, not a name).</summary>
    private static bool IsFirstPageOfCollection(HttpContext context) =>
        HttpMethods.IsGet(context.Request.Method)
        && context.Response.StatusCode == StatusCodes.Status200OK
        && !context.Request.Query.ContainsKey("$skiptoken")
        && context.Response.ContentType?.StartsWith("application/json", StringComparison.OrdinalIgnoreCase) == true
        && context.Request.Path.Value is { } path
        && path.TrimEnd('/').Split('/')[^1] is { Length: > 0 } last
        && !Guid.TryParse(last, out _);

    private async Task ServeAsync(HttpContext context, EmulatedTenant tenant)
    {
        if (tenant.Faults.Latency is { Ticks: > 0 } latency)
            await Task.Delay(latency, context.RequestAborted);

        if (tenant.Faults.TryTakeThrottle(out var retryAfterSeconds))
        {
            if (retryAfterSeconds is { } seconds)
                context.Response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
            await GraphErrors.Result(context, StatusCodes.Status429TooManyRequests,
                "Too many requests. The tenant's request rate exceeded the emulated Intune service limit.")
                .ExecuteAsync(context);
            return;
        }

        await next(context);
    }

    private static string? BearerToken(HttpRequest request)
    {
        var header = request.Headers.Authorization.ToString();
        const string Scheme = "Bearer ";
        return header.StartsWith(Scheme, StringComparison.OrdinalIgnoreCase) ? header[Scheme.Length..].Trim() : null;
    }
}
