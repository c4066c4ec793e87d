using Google.Protobuf.WellKnownTypes;
using TenantAtlas.TenantGraph;

namespace TenantAtlas.InventoryService.Sync;

/// <summary>What StartInventorySync (and StartDirectoryGroupsSync) store in the run's context for the worker.</summary>
public static class SyncContext
{
    public const string EntraTenantIdField = "entra_tenant_id";
    public const string FamiliesField = "families";

    public static Struct Create(string entraTenantId, IReadOnlyList<string> families) => new()
    {
        Fields =
        {
            [EntraTenantIdField] = Value.ForString(entraTenantId),
            [FamiliesField] = Value.ForList([.. families.Select(Value.ForString)]),
        },
    };

    /// <summary>The context of a run that needs only the tenant's Entra id (directory_groups.sync).</summary>
    public static Struct ForEntraTenant(string entraTenantId) => new() { Fields = { [EntraTenantIdField] = Value.ForString(entraTenantId) } };

    public static IReadOnlyList<string> Families(Struct context) =>
        context.Fields.TryGetValue(FamiliesField, out var list) && list.ListValue is { Values.Count: > 0 } values
            ? [.. values.Values.Select(v => v.StringValue).Where(PolicyFamilies.All.Contains)]
            : PolicyFamilies.All;
}
