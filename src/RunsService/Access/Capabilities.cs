namespace TenantAtlas.RunsService.Access;

/// <summary>What a member may do. Each run type needs one of these to start and to view (seed 086).</summary>
public static class Capabilities
{
    public const string InventorySyncRun = "tenant.inventory_sync.run";
    public const string DirectorySync = "tenant.sync";
    public const string DriftGenerate = "tenant.drift.generate";
    public const string BackupSetsManage = "tenant.backup_sets.manage";
    public const string BackupSchedulesRun = "tenant.backup_schedules.run";
    public const string RestoreExecute = "tenant.restore.execute";
    public const string ReportsGenerate = "workspace.reports.generate";
    public const string TenantsManage = "workspace.tenants.manage";
    public const string MembersManage = "workspace.members.manage";
}

/// <summary>A member's role; each role grants what the one below it grants, and more.</summary>
public sealed record Role(string Name, int Rank, IReadOnlySet<string> Capabilities)
{
    public static readonly Role Readonly = new("readonly", 1, new HashSet<string>
    {
        Access.Capabilities.ReportsGenerate,
    });

    public static readonly Role Operator = new("operator", 2, new HashSet<string>(Readonly.Capabilities)
    {
        Access.Capabilities.InventorySyncRun,
        Access.Capabilities.DirectorySync,
        Access.Capabilities.DriftGenerate,
        Access.Capabilities.BackupSchedulesRun,
    });

    public static readonly Role Manager = new("manager", 3, new HashSet<string>(Operator.Capabilities)
    {
        Access.Capabilities.BackupSetsManage,
        Access.Capabilities.RestoreExecute,
        Access.Capabilities.TenantsManage,
    });

    public static readonly Role Owner = new("owner", 4, new HashSet<string>(Manager.Capabilities)
    {
        Access.Capabilities.MembersManage,
    });

    public static readonly IReadOnlyList<Role> All = [Readonly, Operator, Manager, Owner];

    public bool Grants(string capability) => Capabilities.Contains(capability);

    /// <summary>The names of the roles that grant <paramref name="capability"/>.</summary>
    public static IReadOnlyList<string> Granting(string capability) => [.. All.Where(r => r.Grants(capability)).Select(r => r.Name)];

    public static Role Parse(string name) =>
        All.FirstOrDefault(r => r.Name == name) ?? throw new InvalidOperationException($"Unknown role '{name}' in the database.");

    public override string ToString() => Name;
}
