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

        if (Refusal(context, tenant) is { } refusal)
        {
            await refusal.ExecuteAsync(context);
            return;
        }

        await next(context);
    }

    /// <summary>
    /// Why this request (or <c>$batch</c> sub-request) is refused before it is served: an injected throttle, the tenant's
    /// spent request budget (429 with the seconds until its window frees, as Intune), or the one-time page fault.
    /// </summary>
    internal static IResult? Refusal(HttpContext context, EmulatedTenant tenant)
    {
        if (tenant.Faults.TryTakeThrottle(out var retryAfterSeconds))
        {
            if (retryAfterSeconds is { } seconds)
                context.Response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
            return GraphErrors.Result(context, StatusCodes.Status429TooManyRequests,
                "Too many requests. The tenant's request rate exceeded the emulated Intune service limit.");
        }
        if (!tenant.Budget.TrySpend(tenant.Definition, out var budgetRetryAfter))
        {
            context.Response.Headers.RetryAfter = budgetRetryAfter.ToString(CultureInfo.InvariantCulture);
            return GraphErrors.Result(context, StatusCodes.Status429TooManyRequests, "TooManyRequests",
                $"The tenant exceeded its budget of {tenant.Definition.RequestBudget} requests per {tenant.Definition.BudgetWindowSeconds} s.");
        }
        if (HttpMethods.IsGet(context.Request.Method) && context.Request.Path.Value is { } path
            && path.TrimEnd('/').Split('/') is [.., "deviceManagement", var collection]
            && tenant.Faults.TryTakePageFault(collection, PageNumber(context.Request, tenant), out var status))
        {
            return GraphErrors.Result(context, status, $"Injected failure of page {PageNumber(context.Request, tenant)} of {collection}.");
        }
        return null;
    }

    /// <summary>The 1-based page a list request asks for (its skip token's offset over the page size).</summary>
    private static int PageNumber(HttpRequest request, EmulatedTenant tenant) =>
        ODataPaging.TryReadPage(request, tenant.Definition.PageSize, out var page) is null ? (page.Offset / Math.Max(1, page.Size)) + 1 : 1;

    private static string? BearerToken(HttpRequest request)
    {
        var header = request.Headers.Authorization.ToString();
        const string Scheme = "Bearer ";
        return header.StartsWith(Scheme, StringComparison.OrdinalIgnoreCase) ? header[Scheme.Length..].Trim() : null;
    }
}
