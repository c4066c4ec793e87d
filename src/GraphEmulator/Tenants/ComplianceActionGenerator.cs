namespace TenantAtlas.GraphEmulator.Tenants;

/// <summary>
/// Each compliance policy's scheduled actions as Graph keeps them: one rule (ruleName null) with the block action
/// Graph requires, plus a notification 24 h later through a template with a group on the CC list. Every
/// <see cref="TenantDefinition.ComplianceWithoutBlockActionEvery"/>th policy lacks the block action.
/// </summary>
internal static class ComplianceActionGenerator
{
    public static IReadOnlyList<ScheduledActionForRule> For(
        int policyIndex, Random random, TenantDefinition definition,
        IReadOnlyList<NotificationMessageTemplate> templates, IReadOnlyList<DirectoryGroup> groups)
    {
        // Draw every id whether or not it is used, so one policy's options do not shift the next policy's ids.
        var ruleId = random.NextGuid();
        var blockId = random.NextGuid();
        var notificationId = random.NextGuid();

        var configurations = new List<ScheduledActionConfiguration>(2);
        if (!IsEveryNth(policyIndex, definition.ComplianceWithoutBlockActionEvery))
            configurations.Add(Block(blockId));
        if (templates.Count > 0)
        {
            configurations.Add(new ScheduledActionConfiguration(
                notificationId, ScheduledActionConfiguration.Notification, 24,
                templates[policyIndex % templates.Count].Id,
                groups.Count > 0 ? [groups[policyIndex % groups.Count].Id] : []));
        }

        return [new ScheduledActionForRule(ruleId, RuleName: null, configurations)];
    }

    public static ScheduledActionConfiguration Block(string id) =>
        new(id, ScheduledActionConfiguration.Block, 0, ScheduledActionConfiguration.NoTemplateId, []);

    /// <summary>Whether the policy at this zero-based index is an Nth one (the Nth, 2Nth...); never for 0.</summary>
    public static bool IsEveryNth(int index, int every) => every > 0 && (index + 1) % every == 0;
}
