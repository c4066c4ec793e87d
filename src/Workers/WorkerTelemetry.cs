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
}
