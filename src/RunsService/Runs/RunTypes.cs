using TenantAtlas.Contracts;
using TenantAtlas.RunsService.Access;

namespace TenantAtlas.RunsService.Runs;

/// <summary>Whether a run type concerns one tenant or the workspace as a whole.</summary>
public enum RunPlane
{
    /// <summary>The run concerns one tenant; EnsureRun needs a tenant id.</summary>
    Tenant,

    /// <summary>The run concerns the workspace; EnsureRun must not name a tenant.</summary>
    Workspace,
}

/// <summary>
/// A run type the suite knows: the capability to start and view it, its plane, and the service whose workers
/// do the work (its jobs go to that service's Redis stream, <c>ops:{service}</c>).
/// </summary>
public sealed record RunType(string Name, string Capability, RunPlane Plane, string OwningService)
{
    /// <summary>The Redis stream the owning service's workers read.</summary>
    public string Stream => RunJobs.StreamOf(OwningService);
}

/// <summary>
/// The central map of run types (seed 086): every type needs its capability to start <em>and</em> to view.
/// A type that is not here cannot be started.
/// </summary>
public static class RunTypes
{
    public static readonly IReadOnlyDictionary<string, RunType> All = new[]
    {
        new RunType("inventory.sync", Capabilities.InventorySyncRun, RunPlane.Tenant, "inventory"),
        new RunType("directory_groups.sync", Capabilities.DirectorySync, RunPlane.Tenant, "inventory"),
        new RunType("drift.generate", Capabilities.DriftGenerate, RunPlane.Tenant, "inventory"),
        new RunType("backup_set.add_policies", Capabilities.BackupSetsManage, RunPlane.Tenant, "backup"),
        new RunType("backup_schedule.run_now", Capabilities.BackupSchedulesRun, RunPlane.Tenant, "backup"),
        new RunType("backup_schedule.retry", Capabilities.BackupSchedulesRun, RunPlane.Tenant, "backup"),
        new RunType("backup_schedule.scheduled", Capabilities.BackupSchedulesRun, RunPlane.Tenant, "backup"),
        new RunType("restore.execute", Capabilities.RestoreExecute, RunPlane.Tenant, "restore"),
        new RunType("operations_report.generate", Capabilities.ReportsGenerate, RunPlane.Workspace, "inventory"),
    }.ToDictionary(t => t.Name, StringComparer.Ordinal);

    public static RunType? Find(string name) => All.GetValueOrDefault(name);

    /// <summary>The types a role may view (and start).</summary>
    public static IReadOnlyList<string> ViewableBy(Role role) =>
        [.. All.Values.Where(t => role.Grants(t.Capability)).Select(t => t.Name)];
}
