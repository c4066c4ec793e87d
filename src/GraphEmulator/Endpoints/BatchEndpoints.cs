using System.Text.Json;
using System.Text.Json.Nodes;
using TenantAtlas.GraphEmulator.Graph;
using TenantAtlas.GraphEmulator.Tenants;

namespace TenantAtlas.GraphEmulator.Endpoints;

/// <summary>
/// JSON batching, <c>POST /v1.0/$batch</c>: at most 20 sub-requests with unique ids, each answered on its own with its
/// status, headers and body while the batch itself is 200. Each sub-request is served by the same handlers as a
/// request of its own (<see cref="DeviceManagementEndpoints.Dispatch"/>), is throttled on its own (a 429 sub-response
/// with its Retry-After) and fails on its own (injected item failures); each is counted in the request log by its
/// status, as Intune counts them against the tenant's budget. GET sub-requests only.
/// </summary>
public static class BatchEndpoints
{
    public const int MaxRequests = 20;

    public static IEndpointRouteBuilder MapBatchEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapPost("/v1.0/$batch", (Func<HttpContext, Task<IResult>>)BatchAsync);
        return app;
    }

    private static async Task<IResult> BatchAsync(HttpContext context)
    {
        JsonNode? body;
        try
        {
            body = await JsonNode.ParseAsync(context.Request.Body, cancellationToken: context.RequestAborted);
        }
        catch (JsonException)
        {
            return GraphErrors.Result(context, StatusCodes.Status400BadRequest, "Invalid batch payload format: the body is not JSON.");
        }
        if (body?["requests"] is not JsonArray requests || requests.Count == 0)
            return GraphErrors.Result(context, StatusCodes.Status400BadRequest, "Invalid batch payload format: 'requests' must be a non-empty array.");
        if (requests.Count > MaxRequests)
            return GraphErrors.Result(context, StatusCodes.Status400BadRequest, $"Number of batch request steps exceeds the maximum of {MaxRequests}.");
        var ids = requests.Select(r => r?["id"]?.GetValue<string>()).ToList();
        if (ids.Any(string.IsNullOrEmpty) || ids.Distinct(StringComparer.Ordinal).Count() != ids.Count)
            return GraphErrors.Result(context, StatusCodes.Status400BadRequest, "Invalid batch payload format: every request needs a unique, non-empty 'id'.");

        var tenant = context.GraphTenant();
        var responses = new JsonArray();
        foreach (var request in requests)
        {
            var response = await ServeAsync(context, tenant, request!);
            tenant.Requests.Record(response["status"]!.GetValue<int>());
            tenant.Requests.RecordBatchSubRequest();
            responses.Add(response);
        }
        return TypedResults.Ok(new JsonObject { ["responses"] = responses });
    }

    private static async Task<JsonObject> ServeAsync(HttpContext batch, EmulatedTenant tenant, JsonNode request)
    {
        var id = request["id"]!.GetValue<string>();
        var method = request["method"]?.GetValue<string>() ?? string.Empty;
        var url = request["url"]?.GetValue<string>() ?? string.Empty;
        var sub = new DefaultHttpContext { RequestServices = batch.RequestServices };
        sub.Request.Scheme = batch.Request.Scheme;
        sub.Request.Host = batch.Request.Host;
        sub.Request.PathBase = batch.Request.PathBase;
        var relative = url.TrimStart('/');
        if (relative.StartsWith("v1.0/", StringComparison.Ordinal))
            relative = relative["v1.0/".Length..];
        var query = relative.IndexOf('?', StringComparison.Ordinal);
        sub.Request.Path = "/v1.0/" + (query < 0 ? relative : relative[..query]);
        sub.Request.QueryString = query < 0 ? QueryString.Empty : new QueryString(relative[query..]);
        sub.Response.Body = new MemoryStream();
        sub.SetGraphTenant(tenant);

        IResult result;
        if (!HttpMethods.IsGet(method))
        {
            result = GraphErrors.Result(sub, StatusCodes.Status400BadRequest, $"The emulator's $batch serves GET sub-requests only (got '{method}').");
        }
        else if (GraphRequestMiddleware.Refusal(sub, tenant) is { } refusal)
        {
            result = refusal;
        }
        else
        {
            var segments = sub.Request.Path.Value!["/v1.0/".Length..].Split('/', StringSplitOptions.RemoveEmptyEntries);
            result = DeviceManagementEndpoints.Dispatch(sub, segments)
                ?? GraphErrors.Result(sub, StatusCodes.Status400BadRequest, $"Resource not found for the segment '{sub.Request.Path}' in $batch.");
        }
        await result.ExecuteAsync(sub);

        var headers = new JsonObject();
        foreach (var (name, value) in sub.Response.Headers)
            headers[name] = value.ToString();
        sub.Response.Body.Position = 0;
        var responseBody = sub.Response.Body.Length > 0 ? await JsonNode.ParseAsync(sub.Response.Body) : null;
        return new JsonObject { ["id"] = id, ["status"] = sub.Response.StatusCode, ["headers"] = headers, ["body"] = responseBody };
    }
}
