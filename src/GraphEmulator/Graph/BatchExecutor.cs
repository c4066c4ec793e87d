using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Primitives;

namespace TenantAtlas.GraphEmulator.Graph;

/// <summary>
/// Runs one <c>$batch</c> sub-request as if it had been sent on its own: a fresh <see cref="HttpContext"/> with the
/// batch's bearer token and host, through <see cref="GraphSubRequestPipeline"/>, its response captured in memory.
/// So faults, the request budget and the request log apply to it exactly as to a direct request.
/// </summary>
internal static class BatchExecutor
{
    public static async Task<BatchResponseItem> ExecuteAsync(HttpContext batch, BatchRequestItem item, RequestDelegate pipeline)
    {
        var (path, query) = SplitUrl(item.Url!);
        IHeaderDictionary headers = new HeaderDictionary();
        headers.Host = batch.Request.Host.Value;
        headers.Authorization = batch.Request.Headers.Authorization;
        foreach (var (name, value) in item.Headers ?? new Dictionary<string, string>())
            headers[name] = value;

        var requestBody = BodyBytes(item.Body);
        if (requestBody.Length > 0 && string.IsNullOrEmpty(headers.ContentType))
            headers.ContentType = "application/json";
        headers.ContentLength = requestBody.Length;

        using var responseBody = new MemoryStream();
        var features = new FeatureCollection();
        features.Set<IHttpRequestFeature>(new HttpRequestFeature
        {
            Method = item.Method!.ToUpperInvariant(),
            Scheme = batch.Request.Scheme,
            Protocol = batch.Request.Protocol,
            PathBase = batch.Request.PathBase,
            Path = path,
            QueryString = query.Value ?? "",
            Headers = headers,
            Body = new MemoryStream(requestBody),
        });
        var response = new HttpResponseFeature();
        features.Set<IHttpResponseFeature>(response);
        var bodyFeature = new StreamResponseBodyFeature(responseBody);
        features.Set<IHttpResponseBodyFeature>(bodyFeature);
        features.Set<IHttpRequestLifetimeFeature>(new BatchLifetime(batch));

        var context = new DefaultHttpContext(features) { RequestServices = batch.RequestServices };
        context.MarkBatchSubRequest();
        try
        {
            await pipeline(context);
            await bodyFeature.CompleteAsync();
        }
#pragma warning disable CA1031 // One failing sub-request must not fail its siblings: it answers 500, as in Graph.
        catch (Exception)
#pragma warning restore CA1031
        {
            return new BatchResponseItem(item.Id!, StatusCodes.Status500InternalServerError, new Dictionary<string, string>(), null);
        }

        return new BatchResponseItem(item.Id!, response.StatusCode, Headers(response.Headers), Body(responseBody, response.Headers));
    }

    /// <summary>
    /// A sub-request lives as long as its batch: aborting it (the dropped-response fault) aborts the batch's
    /// connection, since a sub-request has no connection of its own to drop.
    /// </summary>
    private sealed class BatchLifetime(HttpContext batch) : IHttpRequestLifetimeFeature
    {
        public CancellationToken RequestAborted
        {
            get => batch.RequestAborted;
            set => throw new NotSupportedException("A batch sub-request's abort token is its batch's.");
        }

        public void Abort() => batch.Abort();
    }

    /// <summary>The sub-request's path under <c>/v1.0</c> (decoded, as a direct request's) and its query.</summary>
    private static (PathString Path, QueryString Query) SplitUrl(string url)
    {
        var question = url.IndexOf('?', StringComparison.Ordinal);
        var path = question < 0 ? url : url[..question];
        var query = question < 0 ? QueryString.Empty : new QueryString(url[question..]);
        return (PathString.FromUriComponent("/v1.0/" + path.TrimStart('/')), query);
    }

    private static byte[] BodyBytes(JsonElement? body) => body switch
    {
        null or { ValueKind: JsonValueKind.Undefined or JsonValueKind.Null } => [],
        { ValueKind: JsonValueKind.String } text => Encoding.UTF8.GetBytes(text.GetString()!),
        { } json => Encoding.UTF8.GetBytes(json.GetRawText()),
    };

    private static Dictionary<string, string> Headers(IHeaderDictionary headers) =>
        headers.Where(h => !StringValues.IsNullOrEmpty(h.Value))
            .ToDictionary(h => h.Key, h => h.Value.ToString(), StringComparer.OrdinalIgnoreCase);

    /// <summary>JSON bodies inline, as Graph answers them; any other body as a string.</summary>
    private static JsonElement? Body(MemoryStream body, IHeaderDictionary headers)
    {
        if (body.Length == 0)
            return null;
        body.Position = 0;
        if (headers.ContentType.ToString().Contains("json", StringComparison.OrdinalIgnoreCase))
        {
            using var document = JsonDocument.Parse(body);
            return document.RootElement.Clone();
        }

        return JsonSerializer.SerializeToElement(Encoding.UTF8.GetString(body.ToArray()));
    }
}
