using System.Text.Json.Serialization;

namespace TenantAtlas.GraphEmulator.Tenants;

/// <summary>Which Intune collection a policy lives in.</summary>
public enum PolicyKind
{
    DeviceConfiguration,
    CompliancePolicy,
}

/// <summary>
/// A device configuration or compliance policy as Graph v1.0 serializes it. <c>@odata.type</c> comes first so
/// the SDK's parser picks the derived type; the type-specific settings follow the common properties.
/// </summary>
public sealed record Policy(
    [property: JsonPropertyName("@odata.type")] string ODataType,
    string Id,
    string DisplayName,
    string Description,
    DateTime CreatedDateTime,
    DateTime LastModifiedDateTime,
    int Version)
{
    /// <summary>Type-specific settings (camelCase Graph property names), e.g. <c>passwordRequired</c>.</summary>
    [JsonExtensionData]
    public IDictionary<string, object> Settings { get; init; } = new Dictionary<string, object>();

    /// <summary>The policy's assignments, served by <c>.../{id}/assignments</c>.</summary>
    [JsonIgnore]
    public IReadOnlyList<PolicyAssignment> Assignments { get; init; } = [];

    /// <summary>A compliance policy's <c>scheduledActionsForRule</c>: served only through <c>$expand</c>, as Graph does.</summary>
    [JsonIgnore]
    public IReadOnlyList<ScheduledActionRule> ScheduledActions { get; init; } = [];
}

/// <summary>A <c>deviceComplianceScheduledActionForRule</c>.</summary>
public sealed record ScheduledActionRule(string Id, string? RuleName, IReadOnlyList<ScheduledActionConfiguration> ScheduledActionConfigurations);

/// <summary>A <c>deviceComplianceActionItem</c>.</summary>
public sealed record ScheduledActionConfiguration(string Id, string ActionType, int GracePeriodHours, string NotificationTemplateId,
    IReadOnlyList<string> NotificationMessageCCList);

/// <summary>Builds a compliance policy's scheduled actions.</summary>
internal static class ComplianceActions
{
    public const string NoTemplate = "00000000-0000-0000-0000-000000000000";

    public static IReadOnlyList<ScheduledActionRule> For(Policy policy, bool withBlock, string templateId, string ccGroupId)
    {
        var actions = new List<ScheduledActionConfiguration>();
        if (withBlock)
        {
            actions.Add(new ScheduledActionConfiguration($"{policy.Id[..8]}-block", "block", 0, NoTemplate, []));
        }
        actions.Add(new ScheduledActionConfiguration($"{policy.Id[..8]}-notify", "notification", 24, templateId, [ccGroupId]));
        return [new ScheduledActionRule($"{policy.Id[..8]}-rule", null, actions)];
    }
}

/// <summary>A group as <c>directoryObjects/getByIds</c> returns it.</summary>
public sealed record DirectoryGroup(string Id, string DisplayName, IReadOnlyList<string> GroupTypes, string? MembershipRule)
{
    [JsonPropertyName("@odata.type")]
    public string ODataType => "#microsoft.graph.group";
}

/// <summary>A <c>notificationMessageTemplate</c>.</summary>
public sealed record NotificationTemplate(string Id, string DisplayName, string DefaultLocale, string BrandingOptions, DateTime LastModifiedDateTime)
{
    [JsonPropertyName("@odata.type")]
    public string ODataType => "#microsoft.graph.notificationMessageTemplate";
}

/// <summary>A <c>deviceConfigurationAssignment</c> / <c>deviceCompliancePolicyAssignment</c>.</summary>
public sealed record PolicyAssignment(string Id, AssignmentTarget Target);

/// <summary>A polymorphic <c>deviceAndAppManagementAssignmentTarget</c>.</summary>
public sealed record AssignmentTarget(
    [property: JsonPropertyName("@odata.type")] string ODataType,
    string? GroupId)
{
    /// <summary>Graph's well-known id of the virtual "All devices" group, used in assignment ids.</summary>
    public const string AllDevicesVirtualGroupId = "adadadad-808e-44e2-905a-0b7873a8a531";

    public static AssignmentTarget Group(string groupId) => new("#microsoft.graph.groupAssignmentTarget", groupId);

    public static AssignmentTarget AllDevices() => new("#microsoft.graph.allDevicesAssignmentTarget", null);
}
