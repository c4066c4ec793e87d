using System.Text.Json.Serialization;

namespace TenantAtlas.GraphEmulator.Tenants;

/// <summary>
/// Faults injected into a tenant's Graph requests: the body of <c>PUT /emulator/tenants/{tenantId}/faults</c>
/// and, with the throttle count still to come, what <c>GET</c> shows.
/// </summary>
/// <param name="Throttle">The next <c>Count</c> Graph requests answer 429.</param>
/// <param name="FailingItemIds">Policies whose single GET and assignments always fail.</param>
/// <param name="FailingStatus">Status code of those failures (default 500).</param>
/// <param name="LatencyMs">Delay added to every Graph request of the tenant.</param>
/// <param name="FailPageOnce">One page of a collection list that fails once, then serves (a client must retry that page alone).</param>
public sealed record FaultSettings(
    ThrottleFault? Throttle = null,
    IReadOnlyList<string>? FailingItemIds = null,
    int? FailingStatus = null,
    int LatencyMs = 0,
    PageFault? FailPageOnce = null)
{
    public const int DefaultFailingStatus = 500;
    public const int MaxLatencyMs = 60_000;

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
        if (FailPageOnce is { } page && (page.Page < 1 || page.Status is < 400 or > 599 || page.Collection is not ("deviceConfigurations" or "deviceCompliancePolicies")))
            errors["failPageOnce"] = ["failPageOnce needs collection deviceConfigurations or deviceCompliancePolicies, page >= 1 and an error status (400-599)."];
        return errors;
    }
}

/// <summary>Page <paramref name="Page"/> (1 = the first) of a collection's list answers <paramref name="Status"/> once.</summary>
public sealed record PageFault(string Collection, int Page, int Status = 503);

/// <summary>A 429 storm: <paramref name="Count"/> requests, with a <c>Retry-After</c> header unless null.</summary>
public sealed record ThrottleFault(
    int Count,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.Never)] int? RetryAfterSeconds);
