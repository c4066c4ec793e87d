using System.Text.Json.Serialization;

namespace TenantAtlas.GraphEmulator.Tenants;

/// <summary>
/// Faults injected into a tenant's Graph requests: the body of <c>PUT /emulator/tenants/{tenantId}/faults</c>
/// and, with the throttle count still to come, what <c>GET</c> shows.
/// </summary>
/// <param name="Throttle">The next <c>Count</c> Graph requests answer 429.</param>
/// <param name="FailingItemIds">Policies whose single GET and assignments always fail.</param>
/// <param name="FailingStatus">Status code of those failures (default 500).</param>
/// <param name="LatencyMs">Delay added to every Graph request of the tenant (a <c>$batch</c> is delayed once).</param>
/// <param name="FailPageOnce">One page of one collection fails once, then succeeds.</param>
/// <param name="DropResponseAfterWrite">The next matching writes are stored, then the connection is aborted.</param>
/// <param name="ListLagSeconds">
/// Read-after-write lag (Graph is eventually consistent): a policy created through Graph's POST is left out of list
/// responses (the collection GET, in a <c>$batch</c> too) until this many seconds of the tenant's clock have passed
/// since its creation; a GET by id finds it at once. 0 = lists show it at once.
/// </param>
public sealed record FaultSettings(
    ThrottleFault? Throttle = null,
    IReadOnlyList<string>? FailingItemIds = null,
    int? FailingStatus = null,
    int LatencyMs = 0,
    PageFault? FailPageOnce = null,
    WriteResponseFault? DropResponseAfterWrite = null,
    int ListLagSeconds = 0)
{
    public const int DefaultFailingStatus = 500;
    public const int MaxLatencyMs = 60_000;
    public const int MaxListLagSeconds = 86_400;

    public Dictionary<string, string[]> Validate()
    {
        var errors = new Dictionary<string, string[]>();
        if (Throttle is { Count: < 0 })
            errors["throttle.count"] = ["throttle.count must not be negative."];
        if (Throttle is { RetryAfterSeconds: < 0 })
            errors["throttle.retryAfterSeconds"] = ["throttle.retryAfterSeconds must be null or not negative."];
        if (FailingStatus is < 400 or > 599)
            errors["failingStatus"] = ["failingStatus must be an HTTP error status (400-599)."];
        if (LatencyMs is < 0 or > MaxLatencyMs)
            errors["latencyMs"] = [$"latencyMs must be between 0 and {MaxLatencyMs}."];
        if (ListLagSeconds is < 0 or > MaxListLagSeconds)
            errors["listLagSeconds"] = [$"listLagSeconds must be between 0 and {MaxListLagSeconds}."];
        if (FailPageOnce is { } pageFault)
        {
            if (string.IsNullOrWhiteSpace(pageFault.Collection))
                errors["failPageOnce.collection"] = ["failPageOnce.collection is required, e.g. deviceConfigurations."];
            if (pageFault.Page < 1)
                errors["failPageOnce.page"] = ["failPageOnce.page is 1-based and must be at least 1."];
            if (pageFault.Status is < 400 or > 599)
                errors["failPageOnce.status"] = ["failPageOnce.status must be an HTTP error status (400-599)."];
        }

        if (DropResponseAfterWrite is { Count: < 0 })
            errors["dropResponseAfterWrite.count"] = ["dropResponseAfterWrite.count must not be negative."];
        if (DropResponseAfterWrite is { Method: { } method } && method.ToUpperInvariant() is not ("POST" or "PATCH" or "PUT" or "DELETE"))
            errors["dropResponseAfterWrite.method"] = ["dropResponseAfterWrite.method must be POST, PATCH, PUT or DELETE."];

        return errors;
    }
}

/// <summary>A 429 storm: <paramref name="Count"/> requests, with a <c>Retry-After</c> header unless null.</summary>
public sealed record ThrottleFault(
    int Count,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.Never)] int? RetryAfterSeconds);

/// <summary>
/// Page <paramref name="Page"/> (1-based) of the collection named by its last path segment (e.g.
/// <c>deviceConfigurations</c>, <c>assignments</c>) answers <paramref name="Status"/> once, then is served normally:
/// a client that retries only the failed page requests it twice and every other page once.
/// </summary>
public sealed record PageFault(string Collection, int Page, int Status = 503);

/// <summary>
/// The next <paramref name="Count"/> Graph writes matching every criterion given (null = any) are stored and then
/// get no answer: the emulator aborts the connection (<c>HttpContext.Abort()</c>), which an
/// <see cref="HttpClient"/> sees as a failed request (an <see cref="HttpRequestException"/> / <see cref="IOException"/>,
/// a reset, not a timeout), so the client cannot know whether the write landed. Inside a <c>$batch</c> the whole
/// batch's connection is aborted.
/// </summary>
/// <param name="Method">POST, PATCH, PUT or DELETE.</param>
/// <param name="Collection">e.g. <c>deviceConfigurations</c>.</param>
/// <param name="Operation"><c>create</c>, <c>update</c>, <c>delete</c>, <c>assign</c> or <c>scheduleActionsForRules</c>.</param>
/// <param name="DisplayName">The written policy's display name (after the write).</param>
public sealed record WriteResponseFault(
    int Count,
    string? Method = null,
    string? Collection = null,
    string? Operation = null,
    string? DisplayName = null)
{
    public bool Matches(string method, string collection, string operation, string? displayName) =>
        (Method is null || string.Equals(Method, method, StringComparison.OrdinalIgnoreCase))
        && (Collection is null || string.Equals(Collection, collection, StringComparison.OrdinalIgnoreCase))
        && (Operation is null || string.Equals(Operation, operation, StringComparison.OrdinalIgnoreCase))
        && (DisplayName is null || string.Equals(DisplayName, displayName, StringComparison.Ordinal));
}
