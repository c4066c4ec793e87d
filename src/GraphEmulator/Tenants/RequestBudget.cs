namespace TenantAtlas.GraphEmulator.Tenants;

/// <summary>
/// A tenant's request budget (<see cref="TenantDefinition.RequestBudget"/> per <see cref="TenantDefinition.BudgetWindowSeconds"/>),
/// in fixed windows: a request past the budget is refused with the seconds until the window ends. Thread-safe.
/// </summary>
public sealed class RequestBudget(TimeProvider time)
{
    private readonly Lock _lock = new();
    private DateTimeOffset _windowStart = DateTimeOffset.MinValue;
    private int _used;

    /// <summary>Spends one request; false with the Retry-After seconds when the window's budget is spent.</summary>
    public bool TrySpend(TenantDefinition definition, out int retryAfterSeconds)
    {
        retryAfterSeconds = 0;
        if (definition.RequestBudget <= 0)
            return true;
        var window = TimeSpan.FromSeconds(definition.BudgetWindowSeconds);
        lock (_lock)
        {
            var now = time.GetUtcNow();
            if (now - _windowStart >= window)
            {
                _windowStart = now;
                _used = 0;
            }
            if (_used < definition.RequestBudget)
            {
                _used++;
                return true;
            }
            retryAfterSeconds = Math.Max(1, (int)Math.Ceiling((_windowStart + window - now).TotalSeconds));
            return false;
        }
    }
}
