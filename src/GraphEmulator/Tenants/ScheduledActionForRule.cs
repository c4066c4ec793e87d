using System.Text.Json.Serialization;

namespace TenantAtlas.GraphEmulator.Tenants;

/// <summary>
/// A compliance policy's <c>deviceComplianceScheduledActionForRule</c>. Graph serves it only through
/// <c>$expand</c>, and its configurations only through the nested <c>$expand=scheduledActionConfigurations</c>;
/// <c>ruleName</c> is written even when null, as Graph does.
/// </summary>
public sealed record ScheduledActionForRule(
    string Id,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.Never)] string? RuleName,
    IReadOnlyList<ScheduledActionConfiguration>? ScheduledActionConfigurations)
{
    /// <summary>The rule as <c>$expand=scheduledActionsForRule</c> (without the nested expand) shows it.</summary>
    public ScheduledActionForRule WithoutConfigurations() => this with { ScheduledActionConfigurations = null };
}

/// <summary>A <c>deviceComplianceActionItem</c>: block, notification, retire... after a grace period.</summary>
public sealed record ScheduledActionConfiguration(
    string Id,
    string ActionType,
    int GracePeriodHours,
    string NotificationTemplateId,
    [property: JsonPropertyName("notificationMessageCCList")] IReadOnlyList<string> NotificationMessageCCList)
{
    public const string Block = "block";
    public const string Notification = "notification";

    /// <summary>Graph's "no template" id, used by actions that send nothing.</summary>
    public const string NoTemplateId = "00000000-0000-0000-0000-000000000000";
}
