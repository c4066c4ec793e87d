using System.Diagnostics.Metrics;
using TenantAtlas.RunsService.Runs;

namespace TenantAtlas.RunsService.Retention;

/// <summary>
/// The purge's metrics, on RunsService's meter (<see cref="RunTelemetry.Name"/>, exported like the others). No
/// workspace tags: one series each, whatever the number of workspaces.
/// </summary>
public static class RetentionTelemetry
{
    private static readonly Meter Meter = new(RunTelemetry.Name);

    public static readonly Counter<long> Purged = Meter.CreateCounter<long>(
        "tenantatlas.retention.purged", description: "Completed runs deleted by retention (their notifications went with them).");

    public static readonly Counter<long> Tombstoned = Meter.CreateCounter<long>(
        "tenantatlas.retention.tombstoned", description: "Identity tombstones written for purged ONCE and PER_CLICK runs.");

    public static readonly Histogram<double> BatchDuration = Meter.CreateHistogram<double>(
        "tenantatlas.retention.batch_duration", "ms", "Time of one purge statement (one batch, one transaction).");
}
