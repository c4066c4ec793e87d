using System.Text.Json;
using TenantAtlas.GraphEmulator.Graph;

namespace TenantAtlas.GraphEmulator.Endpoints;

/// <summary>
/// JSON batching, <c>POST /v1.0/$batch</c>: at most 20 sub-requests with unique ids, each run through the
/// emulator's own routing with the batch's token (<see cref="BatchExecutor"/>), answered in request order. The
/// batch is 200 even when sub-requests fail or are throttled; only a malformed batch is a 400.
/// </summary>
public static class BatchEndpoints
{
    public const int MaxRequestsPerBatch = 20;

    private static readonly string[] Methods = ["GET", "POST", "PATCH", "PUT", "DELETE"];

    public static IEndpointRouteBuilder MapBatchEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapPost("/v1.0/$batch", BatchAsync);
        return app;
    }

    private static async Task<IResult> BatchAsync(HttpContext context, GraphSubRequestPipeline subRequests)
    {
        BatchRequestBody? body;
        try
        {
            body = await context.Request.ReadFromJsonAsync<BatchRequestBody>(JsonSerializerOptions.Web, context.RequestAborted);
        }
        catch (JsonException)
        {
            return BadBatch(context, "Invalid batch payload format.");
        }

        if (Validate(body?.Requests) is { } error)
            return BadBatch(context, error);

        var responses = new List<BatchResponseItem>(body!.Requests!.Count);
        // One after another, in order: deterministic for tests (which sub-request a throttle storm hits) and
        // dependsOn is honoured for free.
        foreach (var request in body.Requests!)
        {
            // A sub-request whose response was dropped aborted the batch's connection: nothing more is run.
            if (context.RequestAborted.IsCancellationRequested)
                break;
            responses.Add(IsRunnable(request, out var reason)
                ? await BatchExecutor.ExecuteAsync(context, request, subRequests.Pipeline)
                : new BatchResponseItem(request.Id!, StatusCodes.Status400BadRequest,
                    new Dictionary<string, string> { ["Content-Type"] = "application/json" },
                    JsonSerializer.SerializeToElement(new { error = new { code = "BadRequest", message = reason } })));
        }

        return context.RequestAborted.IsCancellationRequested ? Results.Empty : TypedResults.Ok(new BatchResponseBody(responses));
    }

    /// <summary>Graph's checks of the batch as a whole; a failure rejects every sub-request.</summary>
    private static string? Validate(IReadOnlyList<BatchRequestItem>? requests)
    {
        if (requests is null)
            return "Invalid batch payload format: the 'requests' array is required.";
        if (requests.Count == 0)
            return "Invalid batch payload format: the 'requests' array is empty.";
        if (requests.Count > MaxRequestsPerBatch)
            return $"Limit of {MaxRequestsPerBatch} requests per batch exceeded: the batch has {requests.Count}.";
        if (requests.FirstOrDefault(r => string.IsNullOrWhiteSpace(r.Id)) is not null)
            return "Invalid batch payload format: every request needs an 'id'.";
        if (requests.GroupBy(r => r.Id, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1) is { } duplicate)
            return $"Batch request ids must be unique: '{duplicate.Key}' is used {duplicate.Count()} times.";
        if (requests.FirstOrDefault(r => string.IsNullOrWhiteSpace(r.Url) || string.IsNullOrWhiteSpace(r.Method)) is { } incomplete)
            return $"Invalid batch payload format: request '{incomplete.Id}' needs a 'method' and a 'url'.";
        return null;
    }

    /// <summary>Per-request checks that fail only that sub-request.</summary>
    private static bool IsRunnable(BatchRequestItem request, out string reason)
    {
        reason = "";
        if (!Methods.Contains(request.Method!.ToUpperInvariant()))
            reason = $"Unsupported method '{request.Method}'.";
        else if (Uri.TryCreate(request.Url, UriKind.Absolute, out _) && !request.Url!.StartsWith('/'))
            reason = $"Invalid request url '{request.Url}': batch request urls are relative, e.g. /deviceManagement/deviceConfigurations.";
        else if (request.Url!.TrimStart('/').StartsWith("$batch", StringComparison.OrdinalIgnoreCase))
            reason = "A batch cannot contain another batch.";
        return reason.Length == 0;
    }

    private static IResult BadBatch(HttpContext context, string message) =>
        GraphErrors.Result(context, StatusCodes.Status400BadRequest, message);
}
