using TenantAtlas.Contracts;

namespace TenantAtlas.RunsService.Access;

/// <summary>A member's role; each role grants what the one below it grants, and more.</summary>
public sealed record Role(string Name, int Rank, IReadOnlySet<string> Capabilities)
{
    public static readonly Role Readonly = new("readonly", 1, new HashSet<string>
    {
        Contracts.Capabilities.ReportsGenerate,
    });

    public static readonly Role Operator = new("operator", 2, new HashSet<string>(Readonly.Capabilities)
    {
        Contracts.Capabilities.InventorySyncRun,
        Contracts.Capabilities.DirectorySync,
        Contracts.Capabilities.DriftGenerate,
        Contracts.Capabilities.BackupSchedulesRun,
        Contracts.Capabilities.BackupSetsView,
    });

    public static readonly Role Manager = new("manager", 3, new HashSet<string>(Operator.Capabilities)
    {
        Contracts.Capabilities.BackupSetsManage,
        Contracts.Capabilities.RestoreExecute,
        Contracts.Capabilities.TenantsManage,
    });

    public static readonly Role Owner = new("owner", 4, new HashSet<string>(Manager.Capabilities)
    {
        Contracts.Capabilities.MembersManage,
    });

    public static readonly IReadOnlyList<Role> All = [Readonly, Operator, Manager, Owner];

    public bool Grants(string capability) => Capabilities.Contains(capability);

    /// <summary>The run types this role may view (and start).</summary>
    public IReadOnlyList<string> ViewableRunTypes() => [.. RunTypes.All.Values.Where(t => Grants(t.Capability)).Select(t => t.Name)];

    /// <summary>The names of the roles that grant <paramref name="capability"/>.</summary>
    public static IReadOnlyList<string> Granting(string capability) => [.. All.Where(r => r.Grants(capability)).Select(r => r.Name)];

    public static Role Parse(string name) =>
        All.FirstOrDefault(r => r.Name == name) ?? throw new InvalidOperationException($"Unknown role '{name}' in the database.");

    public override string ToString() => Name;
}
