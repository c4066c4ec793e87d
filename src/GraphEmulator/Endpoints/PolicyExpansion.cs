using TenantAtlas.GraphEmulator.Graph;
using TenantAtlas.GraphEmulator.Tenants;

namespace TenantAtlas.GraphEmulator.Endpoints;

/// <summary>
/// <c>$expand</c> on policy lists and items, as strict as Graph: <c>assignments</c> (all of them, inline) on
/// both collections; on compliance policies <c>scheduledActionsForRule</c>, whose actions appear only with the
/// nested <c>$expand=scheduledActionConfigurations</c>. Without <c>$expand</c> neither is in the policy.
/// </summary>
internal static class PolicyExpansion
{
    private static readonly Dictionary<string, string[]> ConfigurationNavigation = new(StringComparer.Ordinal)
    {
        ["assignments"] = [],
    };

    private static readonly Dictionary<string, string[]> ComplianceNavigation = new(StringComparer.Ordinal)
    {
        ["assignments"] = [],
        ["scheduledActionsForRule"] = ["scheduledActionConfigurations"],
    };

    public static string? TryRead(HttpRequest request, PolicyKind kind, out ODataExpand expand) =>
        kind == PolicyKind.DeviceConfiguration
            ? ODataExpand.TryRead(request, "microsoft.graph.deviceConfiguration", ConfigurationNavigation, out expand)
            : ODataExpand.TryRead(request, "microsoft.graph.deviceCompliancePolicy", ComplianceNavigation, out expand);

    /// <summary>The policy with the expanded navigation properties after its own properties.</summary>
    public static Policy Render(Policy policy, ODataExpand expand)
    {
        var withAssignments = expand.Includes("assignments");
        var withRules = expand.Includes("scheduledActionsForRule");
        if (!withAssignments && !withRules)
            return policy;

        var settings = new Dictionary<string, object>(policy.Settings, StringComparer.Ordinal);
        if (withAssignments)
            settings["assignments"] = policy.Assignments;
        if (withRules)
        {
            var withConfigurations = expand.Nested("scheduledActionsForRule") == "scheduledActionConfigurations";
            settings["scheduledActionsForRule"] = (policy.ScheduledActionsForRule ?? [])
                .Select(rule => withConfigurations ? rule : rule.WithoutConfigurations())
                .ToList();
        }

        return policy with { Settings = settings };
    }
}
