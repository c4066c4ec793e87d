using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace TenantAtlas.Workers;

/// <summary>The worker host's spans and metrics (OpenTelemetry messaging conventions for the stream hop).</summary>
public static class WorkerTelemetry
{
    public const string Name = "TenantAtlas.Workers";
    public static readonly ActivitySource Source = new(Name);
    private static readonly Meter Meter = new(Name);

    public static readonly Histogram<double> DispatchLatency = Meter.CreateHistogram<double>(
        "tenantatlas.run.dispatch.latency", "ms", "From the run's creation to its worker starting it.");

    public static readonly Counter<long> RunsCompleted = Meter.CreateCounter<long>(
        "tenantatlas.worker.runs.completed", description: "Runs completed by this worker, by type and outcome.");

    public static readonly Counter<long> DeadLettered = Meter.CreateCounter<long>(
        "tenantatlas.worker.entries.dead_lettered", description: "Stream entries given up after too many deliveries or unreadable.");

    private static long pending;
    private static long lag;

    static WorkerTelemetry()
    {
        Meter.CreateObservableGauge("tenantatlas.worker.stream.pending", () => Interlocked.Read(ref pending),
            description: "Entries delivered to the consumer group and not yet acknowledged (runs in progress or abandoned).");
        Meter.CreateObservableGauge("tenantatlas.worker.stream.lag", () => Interlocked.Read(ref lag),
            description: "Entries in the stream not yet delivered to the consumer group (waiting for a worker).");
    }

    /// <summary>Latest view of the group's backlog, refreshed by the worker's reclaim pass.</summary>
    public static void RecordBacklog(long pendingEntries, long? lagEntries)
    {
        Interlocked.Exchange(ref pending, pendingEntries);
        Interlocked.Exchange(ref lag, lagEntries ?? 0);
    }
}
