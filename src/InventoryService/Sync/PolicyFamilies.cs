using TenantAtlas.Inventory.V1;

namespace TenantAtlas.InventoryService.Sync;

/// <summary>The policy families the inventory covers, by their stored names.</summary>
public static class PolicyFamilies
{
    public const string DeviceConfigurations = "device_configurations";
    public const string CompliancePolicies = "compliance_policies";

    public static readonly IReadOnlyList<string> All = [CompliancePolicies, DeviceConfigurations];

    public static string Name(PolicyFamily family) => family switch
    {
        PolicyFamily.DeviceConfigurations => DeviceConfigurations,
        PolicyFamily.CompliancePolicies => CompliancePolicies,
        _ => throw new ArgumentOutOfRangeException(nameof(family), family, "Not a policy family."),
    };

    public static PolicyFamily FromName(string name) => name switch
    {
        DeviceConfigurations => PolicyFamily.DeviceConfigurations,
        CompliancePolicies => PolicyFamily.CompliancePolicies,
        _ => PolicyFamily.Unspecified,
    };
}
