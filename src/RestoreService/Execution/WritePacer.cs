using System.Collections.Concurrent;
using System.Threading.RateLimiting;
using Microsoft.Extensions.Options;
using TenantAtlas.RestoreService.Restores;

namespace TenantAtlas.RestoreService.Execution;

/// <summary>
/// Client-side pacing of Graph writes per target tenant (INTUNE.md §2.6, B7): a sliding window of
/// <see cref="RestoreOptions.WritesPerWindow"/> per <see cref="RestoreOptions.WriteWindow"/>, Intune's own limit, so a
/// large restore spends its time writing rather than collecting 429s. Per process: replicas restoring into one tenant at
/// once share Graph's budget, and their 429s are still honoured.
/// </summary>
public sealed class WritePacer(IOptions<RestoreOptions> options) : IDisposable
{
    private const int Segments = 20;

    private readonly ConcurrentDictionary<string, SlidingWindowRateLimiter> limiters = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>Waits until a write to the tenant fits in its window.</summary>
    public async Task WaitAsync(string entraTenantId, CancellationToken ct)
    {
        var limiter = limiters.GetOrAdd(entraTenantId, _ => new SlidingWindowRateLimiter(new SlidingWindowRateLimiterOptions
        {
            PermitLimit = options.Value.WritesPerWindow,
            // A permit comes back Segments windows' worth of segments after the segment it was spent in, so however late in
            // its segment it was spent, it returns no sooner than a full Graph window later: Segments - 1 segments make
            // that window. The cost is one segment of the window's throughput (5%).
            Window = options.Value.WriteWindow / (Segments - 1) * Segments,
            SegmentsPerWindow = Segments,
            QueueLimit = int.MaxValue,
            QueueProcessingOrder = QueueProcessingOrder.OldestFirst,
            AutoReplenishment = true,
        }));
        using var lease = await limiter.AcquireAsync(1, ct);
    }

    public void Dispose()
    {
        foreach (var limiter in limiters.Values)
        {
            limiter.Dispose();
        }
    }
}
