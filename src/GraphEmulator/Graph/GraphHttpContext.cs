using TenantAtlas.GraphEmulator.Tenants;

namespace TenantAtlas.GraphEmulator.Graph;

/// <summary>Per-request Graph state kept on the <see cref="HttpContext"/> by <see cref="GraphRequestMiddleware"/>.</summary>
internal static class GraphHttpContext
{
    private static readonly object TenantKey = new();
    private static readonly object RequestIdsKey = new();
    private static readonly object BatchSubRequestKey = new();
    private static readonly object WriteOutcomeKey = new();

    /// <summary>The tenant the bearer token selected; only valid behind <see cref="GraphRequestMiddleware"/>.</summary>
    public static EmulatedTenant GraphTenant(this HttpContext context) =>
        context.Items[TenantKey] as EmulatedTenant
        ?? throw new InvalidOperationException("No Graph tenant: the request did not pass the Graph request middleware.");

    public static void SetGraphTenant(this HttpContext context, EmulatedTenant tenant) => context.Items[TenantKey] = tenant;

    /// <summary>Whether this is a sub-request of a <c>$batch</c>, run by <see cref="BatchExecutor"/>.</summary>
    public static bool IsBatchSubRequest(this HttpContext context) => context.Items.ContainsKey(BatchSubRequestKey);

    public static void MarkBatchSubRequest(this HttpContext context) => context.Items[BatchSubRequestKey] = true;

    /// <summary>What a write endpoint did with this request (for the write log); null when it stored nothing.</summary>
    public static StoredWrite? GetStoredWrite(this HttpContext context) => context.Items[WriteOutcomeKey] as StoredWrite;

    public static void SetStoredWrite(this HttpContext context, StoredWrite write) => context.Items[WriteOutcomeKey] = write;

    /// <summary>The <c>request-id</c> and <c>client-request-id</c> of this request.</summary>
    public static (string RequestId, string ClientRequestId) GraphRequestIds(this HttpContext context)
    {
        if (context.Items[RequestIdsKey] is ValueTuple<string, string> ids)
            return ids;
        var requestId = Guid.NewGuid().ToString();
        var sent = context.Request.Headers["client-request-id"].ToString();
        var created = (requestId, string.IsNullOrEmpty(sent) ? requestId : sent);
        context.Items[RequestIdsKey] = created;
        return created;
    }

    /// <summary>The request's scheme, host and path base, e.g. <c>http://localhost:5000</c>.</summary>
    public static string ServiceRoot(this HttpRequest request) => $"{request.Scheme}://{request.Host}{request.PathBase}";
}

/// <summary>A write an endpoint stored: the policy it changed, and whether its response was then dropped (a fault).</summary>
internal sealed record StoredWrite(string PolicyId, bool ResponseDropped);
