using TenantAtlas.Inventory.V1;

namespace TenantAtlas.TenantGraph;

/// <summary>The Intune policy families the suite reads, by their stored names, and where Graph v1.0 keeps each.</summary>
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

    /// <summary>The family's collection under <c>/deviceManagement</c>.</summary>
    public static string GraphCollection(string family) => family switch
    {
        DeviceConfigurations => "deviceConfigurations",
        CompliancePolicies => "deviceCompliancePolicies",
        _ => throw new ArgumentOutOfRangeException(nameof(family), family, "Not a policy family."),
    };

    public static PolicyFamily FromName(string name) => name switch
    {
        DeviceConfigurations => PolicyFamily.DeviceConfigurations,
        CompliancePolicies => PolicyFamily.CompliancePolicies,
        _ => PolicyFamily.Unspecified,
    };
}
