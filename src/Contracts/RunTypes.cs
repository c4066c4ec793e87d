using TenantAtlas.Runs.V1;

namespace TenantAtlas.Contracts;

/// <summary>
/// A run type the suite knows: the capability to start and view it, its plane, and the service whose workers
/// do the work (its jobs go to that service's Redis stream, <c>ops:{service}</c>). <paramref name="Available"/>: a
/// service of this suite handles it. Only an available type can be started; an unavailable one is known (its runs
/// can be listed and viewed) but EnsureRun refuses it, since nobody would ever do the run.
/// </summary>
public sealed record RunType(string Name, string DisplayName, string Capability, RunPlane Plane, string OwningService, bool Available)
{
    /// <summary>The Redis stream the owning service's workers read.</summary>
    public string Stream => RunJobs.StreamOf(OwningService);
}

/// <summary>
/// The run-type catalogue (seed 086), the one copy: RunsService enforces it and serves it (ListRunTypes), domain
/// services name their types and capabilities from it, frontends read it through ListRunTypes. A type that is not
/// here cannot be started, nor can one here whose owning service does not handle it yet (<c>Available: false</c>).
/// A service that comes to handle a type marks it available, in the same change that registers its handler: the
/// worker refuses to start with a handler of an unavailable type or without one of an available type of its service.
/// </summary>
public static class RunTypes
{
    public const string InventorySync = "inventory.sync";
    public const string DirectoryGroupsSync = "directory_groups.sync";
    public const string DriftGenerate = "drift.generate";
    public const string BackupSetAddPolicies = "backup_set.add_policies";
    public const string BackupScheduleRunNow = "backup_schedule.run_now";
    public const string BackupScheduleRetry = "backup_schedule.retry";
    public const string BackupScheduleScheduled = "backup_schedule.scheduled";
    public const string RestorePreview = "restore.preview";
    public const string RestoreExecute = "restore.execute";
    public const string OperationsReportGenerate = "operations_report.generate";

    /// <summary>Every known type by name, in name order.</summary>
    public static readonly IReadOnlyDictionary<string, RunType> All = new[]
    {
        new RunType(InventorySync, "Inventory sync", Capabilities.InventorySyncRun, RunPlane.Tenant, "inventory", Available: true),
        new RunType(DirectoryGroupsSync, "Directory groups sync", Capabilities.DirectorySync, RunPlane.Tenant, "inventory", Available: true),
        new RunType(DriftGenerate, "Drift report", Capabilities.DriftGenerate, RunPlane.Tenant, "backup", Available: true),
        new RunType(BackupSetAddPolicies, "Backup: add policies", Capabilities.BackupSetsManage, RunPlane.Tenant, "backup", Available: true),
        new RunType(BackupScheduleRunNow, "Backup schedule: run now", Capabilities.BackupSchedulesRun, RunPlane.Tenant, "backup", Available: true),
        new RunType(BackupScheduleRetry, "Backup schedule: retry", Capabilities.BackupSchedulesRun, RunPlane.Tenant, "backup", Available: true),
        new RunType(BackupScheduleScheduled, "Backup schedule: scheduled", Capabilities.BackupSchedulesRun, RunPlane.Tenant, "backup", Available: true),
        new RunType(RestorePreview, "Restore preview", Capabilities.RestoreExecute, RunPlane.Tenant, "restore", Available: true),
        new RunType(RestoreExecute, "Restore", Capabilities.RestoreExecute, RunPlane.Tenant, "restore", Available: true),
        new RunType(OperationsReportGenerate, "Operations report", Capabilities.ReportsGenerate, RunPlane.Workspace, "inventory", Available: false),
    }.OrderBy(t => t.Name, StringComparer.Ordinal).ToDictionary(t => t.Name, StringComparer.Ordinal);

    public static RunType? Find(string name) => All.GetValueOrDefault(name);

    /// <summary>The types <paramref name="service"/> must handle: the available types it owns, in name order.</summary>
    public static IReadOnlyList<RunType> AvailableOf(string service) =>
        [.. All.Values.Where(t => t.Available && t.OwningService == service)];
}
