using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;

namespace TenantAtlas.RunsService.DeadLetters;

/// <summary>The <c>DeadLetters</c> configuration section.</summary>
public sealed class DeadLetterOptions
{
    public const string Section = "DeadLetters";

    /// <summary>Dead letters a service's stream may hold before RunsService reports Degraded (0: degraded at the first one).</summary>
    public int DegradedAbove { get; set; }
}

/// <summary>
/// Degraded while any service's dead-letter stream holds more than <see cref="DeadLetterOptions.DegradedAbove"/> entries:
/// somebody should look (a dead letter is work that was given up). Redis away is Degraded too, never Unhealthy: runs are
/// still accepted. Also keeps the <c>tenantatlas.dead_letters.pending</c> gauge current.
/// </summary>
public sealed class DeadLetterHealthCheck(DeadLetterStore queue, IOptions<DeadLetterOptions> options) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        IReadOnlyDictionary<string, long> counts;
        try
        {
            counts = await queue.CountsAsync().WaitAsync(cancellationToken);
        }
        catch (Exception e) when (e is StackExchange.Redis.RedisException or TimeoutException)
        {
            return HealthCheckResult.Degraded("The dead-letter streams cannot be read: Redis is unreachable.", e);
        }
        DeadLetterTelemetry.Record(counts);
        var over = counts.Where(c => c.Value > options.Value.DegradedAbove).Select(c => $"{c.Key}: {c.Value}").ToList();
        var data = counts.ToDictionary(c => c.Key, c => (object)c.Value);
        return over.Count == 0
            ? HealthCheckResult.Healthy("No dead letters waiting.", data)
            : HealthCheckResult.Degraded($"Dead letters waiting ({string.Join(", ", over)}); list them with ListDeadLetters.", data: data);
    }
}
