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

    /// <summary>Counts the request when the window has room; otherwise the whole seconds until it has.</summary>
    public bool TryAdmit(out int retryAfterSeconds)
    {
        retryAfterSeconds = 0;
        if (limit <= 0)
            return true;

        var now = time.GetUtcNow();
        lock (_lock)
        {
            while (_admitted.TryPeek(out var oldest) && oldest + window <= now)
                _admitted.Dequeue();
            if (_admitted.Count < limit)
            {
                _admitted.Enqueue(now);
                return true;
            }

            retryAfterSeconds = Math.Max(1, (int)Math.Ceiling((_admitted.Peek() + window - now).TotalSeconds));
            return false;
        }
    }
}
