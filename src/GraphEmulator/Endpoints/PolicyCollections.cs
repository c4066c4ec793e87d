using TenantAtlas.GraphEmulator.Graph;
using TenantAtlas.GraphEmulator.Tenants;

namespace TenantAtlas.GraphEmulator.Endpoints;

/// <summary>The two Intune policy collections under <c>/v1.0/deviceManagement</c>, by path segment.</summary>
internal static class PolicyCollections
{
    public const string DeviceConfigurations = "deviceConfigurations";
    public const string DeviceCompliancePolicies = "deviceCompliancePolicies";

    public static readonly (string Segment, PolicyKind Kind)[] All =
    [
        (DeviceConfigurations, PolicyKind.DeviceConfiguration),
        (DeviceCompliancePolicies, PolicyKind.CompliancePolicy),
    ];

    public static IResult NotFound(HttpContext context, string id) =>
        GraphErrors.Result(context, StatusCodes.Status404NotFound,
            $"Resource '{id}' does not exist or one of its queried reference-property objects are not present.");
}
