using System.Text.Json.Nodes;
using TenantAtlas.RestoreService.Restores;
using TenantAtlas.TenantGraph;

namespace TenantAtlas.RestoreService.Planning;

/// <summary>
/// A source policy mapped into the target: its body with every tenant-local reference replaced (or a placeholder the
/// execution resolves), its assignment set (null when left out), every reference with its decision, and why it cannot be
/// written as it stands: a group without a mapping, a reference awaiting the user's decision, or the user's choice to
/// leave it out. <see cref="SecretPaths"/> are the secret values its writes need.
/// </summary>
public sealed record MappedSource(JsonObject Policy, JsonArray? Assignments, List<ReferenceEntry> References, bool Unmapped, bool Undecided,
    bool BlockedByChoice, IReadOnlyList<string> SecretPaths);

/// <summary>What a source item is mapped with: the target's groups and templates, the user's decisions, and the restore's options.</summary>
public sealed record MappingContext(
    IReadOnlyDictionary<string, GroupMappingEntry> Groups,
    IReadOnlyDictionary<string, TemplateMappingEntry> Templates,
    ReferenceDecisionSet Decisions,
    bool CrossTenant,
    bool AllowBroadTargets)
{
    /// <summary>Open lost creates of earlier restores into the target, by family, @odata.type and display name.</summary>
    public IReadOnlyDictionary<(string Family, string OdataType, string DisplayName), LostCreate> LostCreates { get; init; } =
        new Dictionary<(string, string, string), LostCreate>();
}

/// <summary>
/// Maps one source item (INTUNE.md §2.5, R5, R6): group ids through the group mappings; notification templates through the
/// template mappings; assignment filters and scope tags — which Graph v1.0 can neither read nor write, so cannot be
/// mapped — kept only within the same tenant and otherwise dropped or blocked as the user decides (a foreign id is
/// never written); broad targets into another tenant only with the option; secrets required at execute unless the user
/// decides to restore without them.
/// </summary>
public static class SourceMapper
{
    private const string AllDevices = "#microsoft.graph.allDevicesAssignmentTarget";
    private const string AllLicensedUsers = "#microsoft.graph.allLicensedUsersAssignmentTarget";
    private const string NoId = "00000000-0000-0000-0000-000000000000";
    private const string FilterId = "deviceAndAppManagementAssignmentFilterId";
    private const string FilterType = "deviceAndAppManagementAssignmentFilterType";
    private const string ScopeTags = "roleScopeTagIds";

    /// <summary>The Default scope tag: id "0" in every tenant, so it is never a foreign id.</summary>
    private const string DefaultScopeTag = "0";

    public static MappedSource Map(SourceItem item, MappingContext context)
    {
        var policy = (JsonObject)item.Content!.DeepClone();
        var references = new List<ReferenceEntry>();
        var unmapped = false;
        var undecided = false;
        var blocked = false;

        // A per-item decision (filters, scope tags, secrets): blocks the item, drops the reference, or is still owed.
        string Decide(string kind, string sourceValue, string detailKept, string detailAsk)
        {
            var choice = context.Decisions.For(item.ItemId, kind);
            if (choice == ReferenceDecisionEntry.Block)
            {
                blocked = true;
                references.Add(new(kind, sourceValue, ReferenceOutcomes.Blocked, string.Empty, "Left out of the restore by your decision."));
                return ReferenceOutcomes.Blocked;
            }
            if (choice == ReferenceDecisionEntry.Drop)
            {
                references.Add(new(kind, sourceValue, ReferenceOutcomes.Dropped, string.Empty, detailKept));
                return ReferenceOutcomes.Dropped;
            }
            undecided = true;
            references.Add(new(kind, sourceValue, ReferenceOutcomes.Undecided, string.Empty, detailAsk));
            return ReferenceOutcomes.Undecided;
        }

        // The group's target id, or null when it is dropped here; unmapped and omitted are noted on the way.
        var omitted = false;
        string? MapGroup(string groupId, string where)
        {
            var mapping = context.Groups.GetValueOrDefault(groupId);
            var state = mapping?.State ?? GroupMappingStates.Missing;
            var name = mapping?.SourceDisplayName ?? string.Empty;
            if (GroupMappingStates.IsMapped(state))
            {
                references.Add(new(ReferenceKinds.Group, groupId, ReferenceOutcomes.Mapped, mapping!.TargetGroupId!, $"{where}: {name} → {mapping.TargetDisplayName}"));
                return mapping.TargetGroupId;
            }
            if (state == GroupMappingStates.AssignmentsOmitted && where == "assignment")
            {
                omitted = true;
                references.Add(new(ReferenceKinds.Group, groupId, ReferenceOutcomes.Omitted, string.Empty, $"{where}: {name}; the item's assignments are left as the target has them"));
                return null;
            }
            if (state is GroupMappingStates.Skipped or GroupMappingStates.AssignmentsOmitted)
            {
                references.Add(new(ReferenceKinds.Group, groupId, ReferenceOutcomes.Skipped, string.Empty, $"{where}: {name} left out by choice"));
                return null;
            }
            unmapped = true;
            references.Add(new(ReferenceKinds.Group, groupId, ReferenceOutcomes.Unmapped, string.Empty,
                $"{where}: {(name.Length == 0 ? "a group" : name)} has {(state == GroupMappingStates.Ambiguous ? "several" : "no")} match in the target's group cache; choose a mapping"));
            return null;
        }

        var kept = new JsonArray();
        foreach (var assignment in (policy[RestorableForm.Assignments] as JsonArray ?? []).OfType<JsonObject>())
        {
            if (assignment["target"] is not JsonObject target)
            {
                continue;
            }
            var copy = (JsonObject)assignment.DeepClone();
            var copyTarget = (JsonObject)copy["target"]!;
            var type = Text(target["@odata.type"]) ?? string.Empty;
            if (Text(target[FilterId]) is { } filterId && filterId != NoId)
            {
                if (!context.CrossTenant)
                {
                    references.Add(new(ReferenceKinds.AssignmentFilter, filterId, ReferenceOutcomes.Kept, filterId,
                        "The tenant's own filter, written as the source had it (Graph v1.0 cannot read filters to check it still exists)."));
                }
                else
                {
                    var outcome = Decide(ReferenceKinds.AssignmentFilter, filterId,
                        "Assigned without the source tenant's filter: the assignment reaches every member of its target.",
                        "An assignment filter is the source tenant's and Graph v1.0 cannot map or create filters: restore the assignment without it, or leave the item out.");
                    if (outcome == ReferenceOutcomes.Dropped)
                    {
                        copyTarget.Remove(FilterId);
                        copyTarget.Remove(FilterType);
                    }
                }
            }
            if (type is AllDevices or AllLicensedUsers)
            {
                if (context.CrossTenant && !context.AllowBroadTargets)
                {
                    references.Add(new(ReferenceKinds.BroadTarget, type, ReferenceOutcomes.Skipped, string.Empty,
                        "A broad target into another tenant needs the allow_broad_targets option."));
                    continue;
                }
                references.Add(new(ReferenceKinds.BroadTarget, type, ReferenceOutcomes.Kept, type, string.Empty));
                kept.Add(copy);
                continue;
            }
            if (Text(target["groupId"]) is { } groupId)
            {
                if (MapGroup(groupId, "assignment") is { } mappedId)
                {
                    copyTarget["groupId"] = mappedId;
                    kept.Add(copy);
                }
                continue;
            }
            kept.Add(copy);
        }

        foreach (var configuration in ActionConfigurations(policy))
        {
            if (configuration["notificationMessageCCList"] is JsonArray ccList)
            {
                var mappedList = new JsonArray();
                foreach (var groupId in ccList.Select(Text).OfType<string>())
                {
                    if (MapGroup(groupId, "notification CC list") is { } mappedId)
                    {
                        mappedList.Add(mappedId);
                    }
                }
                configuration["notificationMessageCCList"] = mappedList;
            }
            if (Text(configuration["notificationTemplateId"]) is { } templateId && templateId != NoId)
            {
                configuration["notificationTemplateId"] = MapTemplate(templateId, context, references, ref undecided);
            }
        }

        if (policy[ScopeTags] is JsonArray scopeTags && scopeTags.Select(Text).OfType<string>().Any(t => t != DefaultScopeTag))
        {
            var tags = string.Join(",", scopeTags.Select(Text));
            if (!context.CrossTenant)
            {
                references.Add(new(ReferenceKinds.ScopeTag, tags, ReferenceOutcomes.Kept, tags, "The tenant's own scope tags, written as the source had them."));
            }
            else if (Decide(ReferenceKinds.ScopeTag, tags,
                "Written without the source tenant's scope tags: the target applies its default scope tag.",
                "Scope tags are the source tenant's and Graph v1.0 cannot map or create them: restore the policy without them, or leave the item out.")
                == ReferenceOutcomes.Dropped)
            {
                policy.Remove(ScopeTags);
            }
        }

        var secretPaths = MapSecrets(item, policy, context, references, ref undecided, ref blocked);
        policy.Remove(RestorableForm.Assignments);
        return new MappedSource(policy, omitted ? null : kept, references, unmapped, undecided, blocked, secretPaths);
    }

    /// <summary>The compliance actions' configurations of a policy (none for other families).</summary>
    public static IEnumerable<JsonObject> ActionConfigurations(JsonObject policy) =>
        (policy[RestorableForm.ScheduledActions] as JsonArray ?? [])
            .OfType<JsonObject>()
            .SelectMany(rule => (rule["scheduledActionConfigurations"] as JsonArray ?? []).OfType<JsonObject>());

    /// <summary>The value a template reference is written with: the target's id, a placeholder for one created at execute, or none.</summary>
    private static string MapTemplate(string templateId, MappingContext context, List<ReferenceEntry> references, ref bool undecided)
    {
        var mapping = context.Templates.GetValueOrDefault(templateId);
        var name = mapping?.SourceDisplayName is { Length: > 0 } known ? $"'{known}'" : "a template";
        switch (mapping?.State)
        {
            case { } state when TemplateMappingStates.IsMapped(state):
                references.Add(new(ReferenceKinds.NotificationTemplate, templateId, ReferenceOutcomes.Mapped, mapping.TargetTemplateId!,
                    $"{name} → the target's template {mapping.TargetTemplateId}"));
                return mapping.TargetTemplateId!;
            case TemplateMappingStates.Create:
                references.Add(new(ReferenceKinds.NotificationTemplate, templateId, ReferenceOutcomes.Create, string.Empty,
                    $"{name} is created in the target (with its localized messages) before this item is written."));
                return PlannedValues.Template(templateId);
            case TemplateMappingStates.Dropped:
                references.Add(new(ReferenceKinds.NotificationTemplate, templateId, ReferenceOutcomes.Dropped, NoId,
                    $"{name} left out by your decision: the notification action sends no message."));
                return NoId;
            default:
                undecided = true;
                references.Add(new(ReferenceKinds.NotificationTemplate, templateId, ReferenceOutcomes.Undecided, string.Empty,
                    mapping?.State == TemplateMappingStates.Ambiguous
                        ? $"{name}: several templates of the target have its name; choose one, create a copy, or drop it."
                        : $"{name} is not in the target and was not captured with the backup; choose a template of the target or drop it."));
                return PlannedValues.Template(templateId);
        }
    }

    /// <summary>
    /// The redacted secrets of the policy: dropped (the property, or the whole encrypted OMA setting, is left out) or blocked
    /// by the user's decision, else required — the body keeps the marker, which the execution replaces with the value the
    /// user gives for it. An encrypted OMA setting is written with its plaintext value and without the source's
    /// isEncrypted and secretReferenceValueId, which are Graph's to set (IBR#39).
    /// </summary>
    private static IReadOnlyList<string> MapSecrets(SourceItem item, JsonObject policy, MappingContext context, List<ReferenceEntry> references,
        ref bool undecided, ref bool blocked)
    {
        var markers = SecretRedactor.Markers(policy).Where(m => !m.Path.StartsWith($"/{RestorableForm.Assignments}/", StringComparison.Ordinal)).ToList();
        if (markers.Count == 0)
        {
            return [];
        }
        var choice = context.Decisions.For(item.ItemId, ReferenceKinds.Secret);
        if (choice == ReferenceDecisionEntry.Block)
        {
            blocked = true;
            references.AddRange(markers.Select(m => new ReferenceEntry(ReferenceKinds.Secret, m.Path, ReferenceOutcomes.Blocked, string.Empty,
                "Left out of the restore by your decision.")));
            return [];
        }
        if (choice == ReferenceDecisionEntry.Drop)
        {
            references.AddRange(markers.Select(m => new ReferenceEntry(ReferenceKinds.Secret, m.Path, ReferenceOutcomes.Dropped, string.Empty,
                "Restored without this secret: the target keeps its own value on an update, and has none on a create.")));
            // Last first, so removing an array element does not move the ones still to remove.
            foreach (var marker in markers.OrderByDescending(m => m.Path, StringComparer.Ordinal))
            {
                RemoveSecret(policy, marker.Path);
            }
            return [];
        }
        foreach (var setting in (policy[SecretProperties.OmaSettings] as JsonArray ?? []).OfType<JsonObject>())
        {
            if (Text(setting["value"]) is { } value && SecretRedactor.IsMarker(value))
            {
                // Both are Graph's (read-only on the beta omaSetting page; IBR#39): the plaintext goes alone, and Intune
                // encrypts it again as it stores it.
                setting.Remove("secretReferenceValueId");
                setting.Remove("isEncrypted");
            }
        }
        references.AddRange(markers.Select(m => new ReferenceEntry(ReferenceKinds.Secret, m.Path, ReferenceOutcomes.Required, string.Empty,
            m.Masked ? "Graph showed only a mask: give the value when executing, or restore without it." : "Give the value when executing, or restore without it.")));
        return [.. markers.Select(m => m.Path)];
    }

    private static void RemoveSecret(JsonObject policy, string path)
    {
        // An encrypted OMA setting goes whole: without its value it would set the CSP node to nothing.
        var segments = path.Split('/');
        if (segments.Length == 4 && segments[1] == SecretProperties.OmaSettings && segments[3] == "value"
            && policy[SecretProperties.OmaSettings] is JsonArray settings && int.TryParse(segments[2], out var index) && index < settings.Count)
        {
            settings.RemoveAt(index);
            return;
        }
        JsonPointer.Remove(policy, path);
    }

    private static string? Text(JsonNode? node) => node is JsonValue value && value.TryGetValue<string>(out var text) && text.Length > 0 ? text : null;
}
