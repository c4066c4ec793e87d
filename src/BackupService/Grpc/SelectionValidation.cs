using System.Security.Cryptography;
using System.Text;
using TenantAtlas.Backup.V1;
using TenantAtlas.Inventory.V1;
using TenantAtlas.TenantGraph;

namespace TenantAtlas.BackupService.Grpc;

/// <summary>A policy selection as AddPolicies and schedules accept it: at least one family or id, ids Graph could have.</summary>
public static class SelectionValidation
{
    /// <summary>Single policies in one selection: their ids travel in the run's context (at most 16 KiB).</summary>
    public const int MaxPolicyIds = 250;

    public sealed record ValidSelection(IReadOnlyList<string> Families, IReadOnlyList<string> PolicyIds, string Fingerprint);

    public static ValidSelection Validate(RequestValidator v, string field, PolicySelection? selection)
    {
        if (selection is null || (selection.Families.Count == 0 && selection.PolicyIds.Count == 0))
        {
            v.Add(field, "name at least one policy family or policy id (all policies: both families).");
            return new ValidSelection([], [], string.Empty);
        }
        var families = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var (family, i) in v.AtMost($"{field}.families", selection.Families, 16).Select((f, i) => (f, i)))
        {
            if (v.DefinedEnum($"{field}.families[{i}]", family) is PolicyFamily.DeviceConfigurations or PolicyFamily.CompliancePolicies)
            {
                families.Add(PolicyFamilies.Name(family));
            }
            else if (Enum.IsDefined(family))
            {
                v.Add($"{field}.families[{i}]", "must be POLICY_FAMILY_DEVICE_CONFIGURATIONS or POLICY_FAMILY_COMPLIANCE_POLICIES.");
            }
        }
        var ids = new SortedSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (var (id, i) in v.AtMost($"{field}.policy_ids", selection.PolicyIds, MaxPolicyIds).Select((id, i) => (id, i)))
        {
            if (id.Length is 0 or > 128 || !id.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_'))
            {
                v.Add($"{field}.policy_ids[{i}]", $"must be a Graph policy id (1-128 characters of letters, digits, '-' and '_'; got {RequestValidator.Quote(id)}).");
            }
            else
            {
                ids.Add(id.ToLowerInvariant());
            }
        }
        var canonical = $"families={string.Join(',', families)};policy_ids={string.Join(',', ids)}";
        return new ValidSelection([.. families], [.. ids], Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(canonical))));
    }
}
