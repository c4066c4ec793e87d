using System.Collections.Concurrent;
using System.Diagnostics.Metrics;

namespace TenantAtlas.RunsService.DeadLetters;

/// <summary>The dead-letter gauge, by service, as the last health check read it.</summary>
public static class DeadLetterTelemetry
{
    private static readonly Meter Meter = new(Runs.RunTelemetry.Name + ".DeadLetters");
    private static readonly ConcurrentDictionary<string, long> Pending = new(StringComparer.Ordinal);

    static DeadLetterTelemetry()
    {
        Meter.CreateObservableGauge("tenantatlas.dead_letters.pending",
            () => Pending.Select(p => new Measurement<long>(p.Value, new KeyValuePair<string, object?>("service", p.Key))),
            description: "Entries in each service's dead-letter stream (ops:{service}:dead).");
    }

    public static void Record(IReadOnlyDictionary<string, long> counts)
    {
        foreach (var (service, count) in counts)
        {
            Pending[service] = count;
        }
    }
}
