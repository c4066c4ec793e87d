namespace TenantAtlas.GraphEmulator.Tenants;

/// <summary>The live fault state of one tenant; thread-safe.</summary>
public sealed class TenantFaults
{
    private readonly Lock _lock = new();
    private FaultSettings _settings = new();
    private int _throttlesLeft;
    private HashSet<string> _failingItemIds = new(StringComparer.OrdinalIgnoreCase);
    private PageFault? _pageFault;
    private int _dropsLeft;

    /// <summary>Delay to add to each Graph request.</summary>
    public TimeSpan Latency
    {
        get
        {
            lock (_lock)
                return TimeSpan.FromMilliseconds(_settings.LatencyMs);
        }
    }

    /// <summary>How long after its Graph create a policy stays out of lists (<see cref="FaultSettings.ListLagSeconds"/>).</summary>
    public TimeSpan ListLag
    {
        get
        {
            lock (_lock)
                return TimeSpan.FromSeconds(_settings.ListLagSeconds);
        }
    }

    public void Apply(FaultSettings settings)
    {
        lock (_lock)
        {
            _settings = settings;
            _throttlesLeft = settings.Throttle?.Count ?? 0;
            _failingItemIds = new HashSet<string>(settings.FailingItemIds ?? [], StringComparer.OrdinalIgnoreCase);
            _pageFault = settings.FailPageOnce;
            _dropsLeft = settings.DropResponseAfterWrite?.Count ?? 0;
        }
    }

    public void Clear() => Apply(new FaultSettings());

    /// <summary>Takes one throttle from the storm, if any is left.</summary>
    /// <param name="retryAfterSeconds">The <c>Retry-After</c> to send, or null for none.</param>
    public bool TryTakeThrottle(out int? retryAfterSeconds)
    {
        lock (_lock)
        {
            retryAfterSeconds = _settings.Throttle?.RetryAfterSeconds;
            if (_throttlesLeft <= 0)
                return false;
            _throttlesLeft--;
            return true;
        }
    }

    /// <summary>The status a request for this item must fail with, or null when the item is healthy.</summary>
    public int? FailureStatusFor(string itemId)
    {
        lock (_lock)
        {
            return _failingItemIds.Contains(itemId)
                ? _settings.FailingStatus ?? FaultSettings.DefaultFailingStatus
                : null;
        }
    }

    /// <summary>The status this page request must fail with, once; null when the page is healthy.</summary>
    public int? TakePageFailure(string collection, int page)
    {
        lock (_lock)
        {
            if (_pageFault is not { } fault || fault.Page != page
                || !string.Equals(fault.Collection, collection, StringComparison.OrdinalIgnoreCase))
                return null;
            _pageFault = null;
            return fault.Status;
        }
    }

    /// <summary>Whether this stored write's response must be dropped; takes one from the fault's count when so.</summary>
    public bool TakeDroppedResponse(string method, string collection, string operation, string? displayName)
    {
        lock (_lock)
        {
            if (_dropsLeft <= 0 || _settings.DropResponseAfterWrite is not { } fault
                || !fault.Matches(method, collection, operation, displayName))
                return false;
            _dropsLeft--;
            return true;
        }
    }

    /// <summary>The settings in force, with the throttles still to come as the throttle count.</summary>
    public FaultSettings Snapshot()
    {
        lock (_lock)
        {
            return _settings with
            {
                Throttle = _settings.Throttle is { } throttle ? throttle with { Count = _throttlesLeft } : null,
                FailingItemIds = [.. _failingItemIds],
                FailingStatus = _settings.FailingStatus ?? FaultSettings.DefaultFailingStatus,
                FailPageOnce = _pageFault,
                DropResponseAfterWrite = _settings.DropResponseAfterWrite is { } drop ? drop with { Count = _dropsLeft } : null,
            };
        }
    }
}
