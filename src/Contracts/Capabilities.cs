namespace TenantAtlas.Contracts;

/// <summary>
/// What a member may do (seed 086). Each run type needs one of these to start and to view; RunsService's roles
/// decide who holds which. Domain services check the same names (e.g. viewing a tenant's inventory).
/// </summary>
public static class Capabilities
{
    public const string InventorySyncRun = "tenant.inventory_sync.run";
    public const string DirectorySync = "tenant.sync";
    public const string DriftGenerate = "tenant.drift.generate";
    public const string BackupSetsManage = "tenant.backup_sets.manage";
    public const string BackupSetsView = "tenant.backup_sets.view";
    public const string BackupSchedulesRun = "tenant.backup_schedules.run";
    public const string RestoreExecute = "tenant.restore.execute";
    public const string ReportsGenerate = "workspace.reports.generate";
    public const string TenantsManage = "workspace.tenants.manage";
    public const string MembersManage = "workspace.members.manage";
}
