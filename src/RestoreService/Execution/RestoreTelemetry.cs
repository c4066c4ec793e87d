using System.Diagnostics.Metrics;

namespace TenantAtlas.RestoreService.Execution;

/// <summary>The restore's metrics (meter <c>TenantAtlas.Restore</c>, exported by ServiceDefaults, seen in the dashboard).</summary>
public static class RestoreTelemetry
{
    public const string Name = "TenantAtlas.Restore";

    private static readonly Meter Meter = new(Name);

    /// <summary>Writes Graph throttled (429) that the restore waited out and sent again.</summary>
    public static readonly Counter<long> Throttled = Meter.CreateCounter<long>(
        "tenantatlas.restore.writes.throttled", description: "Graph writes answered 429 and sent again after Retry-After.");

    /// <summary>Creates whose answer was lost and that were read back.</summary>
    public static readonly Counter<long> Reconciled = Meter.CreateCounter<long>(
        "tenantatlas.restore.creates.reconciled", description: "Uncertain creates resolved by reading the target back.");
}
