using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Graph;
using Microsoft.Graph.Models.ODataErrors;
using Microsoft.Kiota.Abstractions;
using Microsoft.Kiota.Abstractions.Serialization;
using Microsoft.Kiota.Http.HttpClientLibrary.Middleware.Options;

namespace TenantAtlas.TenantGraph;

/// <summary>One sub-request of a JSON <c>$batch</c>: a relative URL (e.g. <c>/deviceManagement/deviceConfigurations/{id}/assignments</c>).</summary>
public sealed record GraphBatchRequest(string Id, string Url);

/// <summary>A write's answer: its JSON body (null for 204 No Content) and Graph's <c>request-id</c>, for the journal.</summary>
public sealed record GraphWriteResult(JsonNode? Body, string? RequestId);

/// <summary>A sub-response: its status, its body (null when none) and, for 429/503, how long Graph asked to wait.</summary>
public sealed record GraphBatchResponse(string Id, int Status, JsonNode? Body, TimeSpan? RetryAfter)
{
    public bool IsSuccess => Status is >= 200 and < 300;
}

/// <summary>
/// Graph reads as raw JSON, through the tenant's <see cref="GraphServiceClient"/> pipeline (token, the SDK's retry
/// honouring Retry-After, telemetry). For what must be kept as Graph sent it: the v1.0 SDK models know few Intune
/// subtypes and a model serialized back loses what they do not know (INTUNE.md §0.2–0.3).
/// </summary>
public static class GraphJson
{
    /// <summary>Most sub-requests Graph accepts in one <c>$batch</c>.</summary>
    public const int MaxBatchSize = 20;

    private static readonly Dictionary<string, ParsableFactory<IParsable>> ErrorMapping = new()
    {
        ["XXX"] = ODataError.CreateFromDiscriminatorValue,
    };

    /// <summary>The absolute URL of a path under the client's Graph root, e.g. <c>/deviceManagement/deviceConfigurations</c>.</summary>
    public static Uri Url(GraphServiceClient client, string relative) =>
        new($"{client.RequestAdapter.BaseUrl!.TrimEnd('/')}/{relative.TrimStart('/')}");

    /// <summary>GET as JSON. Graph's errors throw <see cref="ODataError"/> (an <see cref="ApiException"/>).</summary>
    public static Task<JsonNode?> GetAsync(GraphServiceClient client, Uri url, CancellationToken ct) =>
        SendAsync(client, new RequestInformation { HttpMethod = Method.GET, URI = url }, ct);

    /// <summary>POST a JSON body and read the JSON answer.</summary>
    public static Task<JsonNode?> PostAsync(GraphServiceClient client, Uri url, JsonNode body, CancellationToken ct)
    {
        var request = new RequestInformation { HttpMethod = Method.POST, URI = url };
        request.SetStreamContent(new MemoryStream(Encoding.UTF8.GetBytes(body.ToJsonString())), "application/json");
        return SendAsync(client, request, ct);
    }

    /// <summary>
    /// A write (POST, PATCH) of a JSON body. <paramref name="retry"/> false takes the SDK's retry handler off this request:
    /// a create retried after a timeout or a 5xx may have landed the first time (INTUNE.md §2.6, R4), so its caller decides
    /// what to do, by reading back. Graph's errors throw <see cref="ODataError"/>; <see cref="RequestIdOf"/> names them.
    /// </summary>
    public static async Task<GraphWriteResult> WriteAsync(GraphServiceClient client, Method method, Uri url, JsonNode body, bool retry,
        CancellationToken ct)
    {
        var request = new RequestInformation { HttpMethod = method, URI = url };
        request.SetStreamContent(new MemoryStream(Encoding.UTF8.GetBytes(body.ToJsonString())), "application/json");
        var headers = new HeadersInspectionHandlerOption { InspectResponseHeaders = true };
        request.AddRequestOptions([headers]);
        if (!retry)
        {
            request.AddRequestOptions([new RetryHandlerOption { MaxRetry = 0 }]);
        }
        var answer = await SendAsync(client, request, ct);
        return new GraphWriteResult(answer, headers.ResponseHeaders.TryGetValue("request-id", out var ids) ? ids.FirstOrDefault() : null);
    }

    /// <summary>Graph's request-id of a failed call, when its answer arrived.</summary>
    public static string? RequestIdOf(ApiException e) =>
        e.ResponseHeaders.FirstOrDefault(h => string.Equals(h.Key, "request-id", StringComparison.OrdinalIgnoreCase)).Value?.FirstOrDefault();

    /// <summary>How long a throttled (429/503) answer asked to wait, from its Retry-After header (seconds or an HTTP date).</summary>
    public static TimeSpan? RetryAfterOf(ApiException e)
    {
        var value = e.ResponseHeaders.FirstOrDefault(h => string.Equals(h.Key, "Retry-After", StringComparison.OrdinalIgnoreCase)).Value?.FirstOrDefault();
        return value is null ? null : RetryAfterOf(new JsonObject { ["Retry-After"] = value });
    }

    /// <summary>
    /// Sends up to <see cref="MaxBatchSize"/> GETs as one JSON <c>$batch</c> and returns each sub-response. A throttled
    /// batch as a whole is retried by the SDK; throttled sub-responses are the caller's to retry (with their Retry-After).
    /// </summary>
    public static async Task<IReadOnlyList<GraphBatchResponse>> BatchAsync(GraphServiceClient client, IReadOnlyList<GraphBatchRequest> requests,
        CancellationToken ct)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan(requests.Count, MaxBatchSize);
        var body = new JsonObject
        {
            ["requests"] = new JsonArray([.. requests.Select(r => (JsonNode)new JsonObject
            {
                ["id"] = r.Id, ["method"] = "GET", ["url"] = r.Url.StartsWith('/') ? r.Url : "/" + r.Url,
            })]),
        };
        var answer = await PostAsync(client, Url(client, "$batch"), body, ct);
        var responses = new List<GraphBatchResponse>(requests.Count);
        foreach (var response in answer?["responses"]?.AsArray() ?? [])
        {
            if (response is null)
            {
                continue;
            }
            responses.Add(new GraphBatchResponse(
                response["id"]?.GetValue<string>() ?? string.Empty,
                response["status"]?.GetValue<int>() ?? 0,
                response["body"]?.DeepClone(),
                RetryAfterOf(response["headers"])));
        }
        return responses;
    }

    /// <summary>A Graph error code and message from an error body (a batch sub-response's), for failure messages.</summary>
    public static string ErrorOf(JsonNode? body) =>
        body?["error"] is JsonObject error ? $"{error["code"]?.GetValue<string>()}: {error["message"]?.GetValue<string>()}".Trim(' ', ':') : string.Empty;

    private static TimeSpan? RetryAfterOf(JsonNode? headers)
    {
        if (headers is not JsonObject map)
        {
            return null;
        }
        var value = map.FirstOrDefault(h => string.Equals(h.Key, "Retry-After", StringComparison.OrdinalIgnoreCase)).Value;
        var text = value switch
        {
            JsonValue v when v.TryGetValue<string>(out var s) => s,
            JsonValue v when v.TryGetValue<int>(out var i) => i.ToString(System.Globalization.CultureInfo.InvariantCulture),
            _ => null,
        };
        if (int.TryParse(text, out var seconds))
        {
            return TimeSpan.FromSeconds(Math.Max(0, seconds));
        }
        return DateTimeOffset.TryParse(text, out var at) ? at - DateTimeOffset.UtcNow is var wait && wait > TimeSpan.Zero ? wait : TimeSpan.Zero : null;
    }

    private static async Task<JsonNode?> SendAsync(GraphServiceClient client, RequestInformation request, CancellationToken ct)
    {
        request.Headers.Add("Accept", "application/json");
        await using var stream = await client.RequestAdapter.SendPrimitiveAsync<Stream>(request, ErrorMapping, ct);
        return stream is null ? null : await JsonNode.ParseAsync(stream, cancellationToken: ct);
    }

    /// <summary>True for statuses worth another attempt of the same read.</summary>
    public static bool IsTransient(int status) =>
        status is (int)HttpStatusCode.TooManyRequests or >= 500 or (int)HttpStatusCode.RequestTimeout;
}
