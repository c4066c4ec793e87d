using System.Globalization;
using TenantAtlas.GraphEmulator.Tenants;

namespace TenantAtlas.GraphEmulator.Graph;

/// <summary>
/// Runs in front of every <c>/v1.0</c> request, and of each <c>$batch</c> sub-request as if sent on its own:
/// stamps <c>request-id</c>/<c>client-request-id</c>, selects the tenant from the bearer token (401 otherwise),
/// applies the tenant's latency, throttle faults, request budget and (to writes) write budget, and records the
/// status served (and each collection read from its first page, each secret reveal, each write with its request
/// ids) in the tenant's request log.
/// </summary>
/// <remarks>
/// A <c>$batch</c> envelope is delayed once and never throttled or counted against the budget itself: its
/// sub-requests are, each on its own, as Intune counts them. Sub-requests get no latency of their own, since a
/// batch is one round trip.
/// </remarks>
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
        if (IsBatchEnvelope(context.Request))
            tenant.Requests.RecordBatch();
        if (context.IsBatchSubRequest())
            tenant.Requests.RecordBatchSubRequest();
        if (IsPlainTextSecretRead(context.Request))
            tenant.Requests.RecordPlainTextSecretRead();
        var write = GraphWriteRequest.From(context.Request);
        try
        {
            await ServeAsync(context, tenant, write);
        }
        catch
        {
            tenant.Requests.Record(StatusCodes.Status500InternalServerError);
            WriteRecording.RecordOnce(context, tenant, StatusCodes.Status500InternalServerError);
            throw;
        }

        tenant.Requests.Record(context.Response.StatusCode);
        WriteRecording.RecordOnce(context, tenant, context.Response.StatusCode);
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
        && !Guid.TryParse(last, out _)
        && !last.Contains('(', StringComparison.Ordinal); // a function call, e.g. getOmaSettingPlainTextValue(...)

    private static bool IsBatchEnvelope(HttpRequest request) =>
        HttpMethods.IsPost(request.Method) && request.Path.Equals("/v1.0/$batch", StringComparison.OrdinalIgnoreCase);

    private static bool IsPlainTextSecretRead(HttpRequest request) =>
        request.Path.Value?.Contains("/getOmaSettingPlainTextValue(", StringComparison.OrdinalIgnoreCase) == true;

    private async Task ServeAsync(HttpContext context, EmulatedTenant tenant, GraphWriteRequest? write)
    {
        if (!context.IsBatchSubRequest() && tenant.Faults.Latency is { Ticks: > 0 } latency)
            await Task.Delay(latency, context.RequestAborted);

        if (IsBatchEnvelope(context.Request))
        {
            await next(context);
            return;
        }

        if (tenant.Faults.TryTakeThrottle(out var retryAfterSeconds))
        {
            if (retryAfterSeconds is { } seconds)
                context.Response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
            await GraphErrors.Result(context, StatusCodes.Status429TooManyRequests,
                "Too many requests. The tenant's request rate exceeded the emulated Intune service limit.")
                .ExecuteAsync(context);
            return;
        }

        // A write is checked against both budgets before either counts it, so a refused write counts against neither.
        if (write is not null && !tenant.WriteBudget.HasRoom(out var writeRetryAfter))
        {
            await WriteBudgetExceeded(context, tenant, writeRetryAfter);
            return;
        }

        if (!tenant.Budget.TryAdmit(out var budgetRetryAfter))
        {
            context.Response.Headers.RetryAfter = budgetRetryAfter.ToString(CultureInfo.InvariantCulture);
            await GraphErrors.Result(context, StatusCodes.Status429TooManyRequests,
                $"Too many requests. The tenant exceeded {tenant.Definition.RequestBudget} requests in " +
                $"{tenant.Definition.BudgetWindowSeconds} seconds (the emulated Intune service limit).")
                .ExecuteAsync(context);
            return;
        }

        // Only a concurrent write filling the window since HasRoom can refuse here; the request budget then keeps it.
        if (write is not null && !tenant.WriteBudget.TryAdmit(out writeRetryAfter))
        {
            await WriteBudgetExceeded(context, tenant, writeRetryAfter);
            return;
        }

        await next(context);
    }

    private static Task WriteBudgetExceeded(HttpContext context, EmulatedTenant tenant, int retryAfterSeconds)
    {
        context.Response.Headers.RetryAfter = retryAfterSeconds.ToString(CultureInfo.InvariantCulture);
        return GraphErrors.Result(context, StatusCodes.Status429TooManyRequests,
            $"Too many requests. The tenant exceeded {tenant.Definition.WriteBudget} writes in " +
            $"{tenant.Definition.WriteBudgetWindowSeconds} seconds (the emulated Intune write limit); nothing was written.")
            .ExecuteAsync(context);
    }

    private static string? BearerToken(HttpRequest request)
    {
        var header = request.Headers.Authorization.ToString();
        const string Scheme = "Bearer ";
        return header.StartsWith(Scheme, StringComparison.OrdinalIgnoreCase) ? header[Scheme.Length..].Trim() : null;
    }
}
