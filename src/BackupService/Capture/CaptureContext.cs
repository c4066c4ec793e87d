using Google.Protobuf.WellKnownTypes;
using TenantAtlas.TenantGraph;

namespace TenantAtlas.BackupService.Capture;

/// <summary>What AddPolicies stores in the run's context for the worker: the set, the Entra tenant and the selection.</summary>
public sealed record CaptureContext(Guid BackupSetId, string EntraTenantId, IReadOnlyList<string> Families, IReadOnlyList<string> PolicyIds)
{
    private const string BackupSetIdField = "backup_set_id";
    private const string EntraTenantIdField = "entra_tenant_id";
    private const string FamiliesField = "families";
    private const string PolicyIdsField = "policy_ids";

    public Struct ToStruct() => new()
    {
        Fields =
        {
            [BackupSetIdField] = Value.ForString(BackupSetId.ToString()),
            [EntraTenantIdField] = Value.ForString(EntraTenantId),
            [FamiliesField] = Value.ForList([.. Families.Select(Value.ForString)]),
            [PolicyIdsField] = Value.ForList([.. PolicyIds.Select(Value.ForString)]),
        },
    };

    /// <summary>The context of a run, or null when it is not one AddPolicies wrote.</summary>
    public static CaptureContext? From(Struct context)
    {
        if (!context.Fields.TryGetValue(BackupSetIdField, out var set) || !Guid.TryParse(set.StringValue, out var backupSetId)
            || !context.Fields.TryGetValue(EntraTenantIdField, out var entra) || string.IsNullOrEmpty(entra.StringValue))
        {
            return null;
        }
        return new CaptureContext(backupSetId, entra.StringValue,
            [.. Strings(context, FamiliesField).Where(PolicyFamilies.All.Contains)], Strings(context, PolicyIdsField));
    }

    /// <summary>The families whose lists the capture reads: the chosen ones, or all when single policies are chosen (their family is not known).</summary>
    public IReadOnlyList<string> FamiliesToList => PolicyIds.Count > 0 ? PolicyFamilies.All : Families;

    /// <summary>True when the capture takes this listed policy.</summary>
    public bool Takes(string family, string policyId) => Families.Contains(family) || PolicyIds.Contains(policyId, StringComparer.OrdinalIgnoreCase);

    private static List<string> Strings(Struct context, string field) =>
        context.Fields.TryGetValue(field, out var list) && list.ListValue is { } values ? [.. values.Values.Select(v => v.StringValue)] : [];
}
