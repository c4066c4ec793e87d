using TenantAtlas.Runs.V1;

namespace TenantAtlas.Contracts;

/// <summary>
/// A run type the suite knows: the capability to start and view it, its plane, and the service whose workers
/// do the work (its jobs go to that service's Redis stream, <c>ops:{service}</c>).
/// </summary>
public sealed record RunType(string Name, string DisplayName, string Capability, RunPlane Plane, string OwningService)
{
    /// <summary>The Redis stream the owning service's workers read.</summary>
    public string Stream => RunJobs.StreamOf(OwningService);
}

/// <summary>
/// The run-type catalogue (seed 086), the one copy: RunsService enforces it and serves it (ListRunTypes), domain
/// services name their types and capabilities from it, frontends read it through ListRunTypes. A type that is not
/// here cannot be started.
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
    public const string RestoreExecute = "restore.execute";
    public const string OperationsReportGenerate = "operations_report.generate";

    /// <summary>Every known type by name, in name order.</summary>
    public static readonly IReadOnlyDictionary<string, RunType> All = new[]
    {
        new RunType(InventorySync, "Inventory sync", Capabilities.InventorySyncRun, RunPlane.Tenant, "inventory"),
        new RunType(DirectoryGroupsSync, "Directory groups sync", Capabilities.DirectorySync, RunPlane.Tenant, "inventory"),
        new RunType(DriftGenerate, "Drift report", Capabilities.DriftGenerate, RunPlane.Tenant, "inventory"),
        new RunType(BackupSetAddPolicies, "Backup: add policies", Capabilities.BackupSetsManage, RunPlane.Tenant, "backup"),
        new RunType(BackupScheduleRunNow, "Backup schedule: run now", Capabilities.BackupSchedulesRun, RunPlane.Tenant, "backup"),
        new RunType(BackupScheduleRetry, "Backup schedule: retry", Capabilities.BackupSchedulesRun, RunPlane.Tenant, "backup"),
        new RunType(BackupScheduleScheduled, "Backup schedule: scheduled", Capabilities.BackupSchedulesRun, RunPlane.Tenant, "backup"),
        new RunType(RestoreExecute, "Restore", Capabilities.RestoreExecute, RunPlane.Tenant, "restore"),
        new RunType(OperationsReportGenerate, "Operations report", Capabilities.ReportsGenerate, RunPlane.Workspace, "inventory"),
    }.OrderBy(t => t.Name, StringComparer.Ordinal).ToDictionary(t => t.Name, StringComparer.Ordinal);

    public static RunType? Find(string name) => All.GetValueOrDefault(name);
}
