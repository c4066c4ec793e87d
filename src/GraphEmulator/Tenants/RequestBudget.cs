namespace TenantAtlas.GraphEmulator.Tenants;

/// <summary>
/// Intune's per-tenant service limit: at most <c>limit</c> Graph requests in any sliding window (a batch's
/// sub-requests count each). A request over the limit is refused, is not counted, and learns how long until
/// the oldest counted request leaves the window. Thread-safe.
/// </summary>
public sealed class RequestBudget(int limit, TimeSpan window, TimeProvider time)
{
    private readonly Lock _lock = new();
    private readonly Queue<DateTimeOffset> _admitted = new();

    public static RequestBudget For(TenantDefinition definition, TimeProvider time) =>
        new(definition.RequestBudget, TimeSpan.FromSeconds(definition.BudgetWindowSeconds), time);

    /// <summary>The write budget: the same sliding window over writes only.</summary>
    public static RequestBudget ForWrites(TenantDefinition definition, TimeProvider time) =>
        new(definition.WriteBudget, TimeSpan.FromSeconds(definition.WriteBudgetWindowSeconds), time);

    /// <summary>
    /// Whether <see cref="TryAdmit"/> would admit a request now, without counting one: lets a write be checked
    /// against both budgets before either counts it, so a refused write counts against neither.
    /// </summary>
    public bool HasRoom(out int retryAfterSeconds) => Check(admit: false, out retryAfterSeconds);

    /// <summary>Counts the request when the window has room; otherwise the whole seconds until it has.</summary>
    public bool TryAdmit(out int retryAfterSeconds) => Check(admit: true, out retryAfterSeconds);

    private bool Check(bool admit, out int retryAfterSeconds)
    {
        retryAfterSeconds = 0;
        if (limit <= 0)
            return true;

        var now = time.GetUtcNow();
        lock (_lock)
        {
            Expire(now);
            if (_admitted.Count < limit)
            {
                if (admit)
                    _admitted.Enqueue(now);
                return true;
            }

            retryAfterSeconds = RetryAfter(now);
            return false;
        }
    }

    private void Expire(DateTimeOffset now)
    {
        while (_admitted.TryPeek(out var oldest) && oldest + window <= now)
            _admitted.Dequeue();
    }

    /// <summary>Whole seconds until the oldest counted request leaves the window (at least 1).</summary>
    private int RetryAfter(DateTimeOffset now) =>
        Math.Max(1, (int)Math.Ceiling((_admitted.Peek() + window - now).TotalSeconds));
}
