using System.Text.Json.Nodes;
using TenantAtlas.RestoreService.Restores;
using TenantAtlas.TenantGraph;

namespace TenantAtlas.RestoreService.Planning;

/// <summary>One Graph call of a plan.</summary>
public sealed record PlannedCallEntry(string Method, string Path, string Step);

/// <summary>A reference of an item and what the restore does with it (the proto's ReferenceDecision).</summary>
public sealed record ReferenceEntry(string Kind, string SourceValue, string Decision, string TargetValue, string Detail);

/// <summary>The target tenant's policies of the families the source has, as read at preview (or execute) time.</summary>
public sealed class TargetPolicies
{
    private readonly Dictionary<string, JsonObject> byId = new(StringComparer.OrdinalIgnoreCase);
    private readonly Dictionary<(string Family, string Name, string Type), List<JsonObject>> byName = [];

    public void Add(string family, JsonObject policy)
    {
        var id = policy["id"]?.GetValue<string>() ?? string.Empty;
        byId[id] = policy;
        var key = (family, NameOf(policy), TypeOf(policy));
        (byName.TryGetValue(key, out var list) ? list : byName[key] = []).Add(policy);
    }

    public JsonObject? ById(string id) => byId.GetValueOrDefault(id);

    /// <summary>Policies of the family with this display name and @odata.type (Graph allows several, IM#343).</summary>
    public IReadOnlyList<JsonObject> ByName(string family, string displayName, string odataType) =>
        byName.GetValueOrDefault((family, displayName, odataType)) ?? [];

    public static string NameOf(JsonObject policy) => policy["displayName"]?.GetValue<string>() ?? string.Empty;

    public static string TypeOf(JsonObject policy) => policy["@odata.type"]?.GetValue<string>() ?? string.Empty;
}

/// <summary>An item's plan: the entity's content before it is stored.</summary>
public sealed record PlannedItem(SourceItem Source, string Action)
{
    public string? BlockedReason { get; init; }
    public string? TargetPolicyId { get; init; }
    public string? TargetHash { get; init; }
    public JsonObject? Body { get; init; }
    public JsonArray? Assignments { get; init; }
    public JsonArray? ScheduledActions { get; init; }
    public string? IntendedHash { get; init; }
    public IReadOnlyList<PolicyChange> Changes { get; init; } = [];
    public IReadOnlyList<PlannedCallEntry> Calls { get; init; } = [];
    public IReadOnlyList<ReferenceEntry> References { get; init; } = [];
}

/// <summary>
/// Classifies each source item against the target (INTUNE.md R1): CREATE when the target has no such policy, UPDATE when
/// it has and differs, SKIP_IDENTICAL when it equals the mapped source, BLOCKED when it cannot be restored as planned.
/// The target's counterpart is the same id in the same tenant, else the one policy of the same family, display name and
/// type (several: blocked, never guessed — R8). Group ids are replaced through the mappings; what v1.0 cannot write
/// (assignment filters, scope tags) is kept verbatim and reported.
/// </summary>
public static class PlanBuilder
{
    private const string AllDevices = "#microsoft.graph.allDevicesAssignmentTarget";
    private const string AllLicensedUsers = "#microsoft.graph.allLicensedUsersAssignmentTarget";
    private const string NoFilter = "00000000-0000-0000-0000-000000000000";

    /// <summary>The source's groups: assignment targets and compliance CC lists, named as the backup resolved them.</summary>
    public static List<SourceGroup> GroupsOf(IEnumerable<SourceItem> items)
    {
        var names = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        var counts = new Dictionary<string, int>(StringComparer.OrdinalIgnoreCase);
        foreach (var item in items)
        {
            foreach (var reference in item.References.Where(r => r.Kind == "group"))
            {
                names[reference.Id] = reference.DisplayName;
            }
            foreach (var id in GroupIdsOf(item.Content).Distinct(StringComparer.OrdinalIgnoreCase))
            {
                counts[id] = counts.GetValueOrDefault(id) + 1;
            }
        }
        return [.. counts.Select(c => new SourceGroup(c.Key, names.GetValueOrDefault(c.Key) ?? string.Empty, c.Value))];
    }

    public static PlannedItem Plan(SourceItem item, TargetPolicies target, IReadOnlyDictionary<string, JsonArray?> targetAssignments,
        IReadOnlyDictionary<string, GroupMappingEntry> mappings, bool crossTenant, bool allowBroadTargets)
    {
        if (item.Content is null)
        {
            return new PlannedItem(item, RestoreActions.Blocked) { BlockedReason = BlockedReasons.NotCaptured };
        }
        var mapped = Map(item, mappings, crossTenant, allowBroadTargets);
        PlannedItem Blocked(string reason) => new(item, RestoreActions.Blocked) { BlockedReason = reason, References = mapped.References };
        if (RestorableForm.HasRedactedSecrets(item.Content))
        {
            return Blocked(BlockedReasons.SecretRequired);
        }
        if (mapped.Unmapped)
        {
            return Blocked(BlockedReasons.UnmappedGroup);
        }

        var collection = PolicyFamilies.GraphCollection(item.Family);
        var existing = crossTenant ? null : target.ById(item.PolicyId);
        if (existing is null)
        {
            var candidates = target.ByName(item.Family, TargetPolicies.NameOf(item.Content), TargetPolicies.TypeOf(item.Content));
            if (candidates.Count > 1)
            {
                return Blocked(BlockedReasons.AmbiguousTarget);
            }
            existing = candidates.Count == 1 ? candidates[0] : null;
        }
        var intended = RestorableForm.Comparable(mapped.Policy, mapped.Assignments);
        var intendedHash = RestorableForm.Hash(intended);

        if (existing is null)
        {
            var assignments = mapped.Assignments is { Count: > 0 } ? RestorableForm.AssignTargets(mapped.Assignments) : null;
            List<PlannedCallEntry> calls = [new("POST", $"/deviceManagement/{collection}", "create")];
            if (assignments is not null)
            {
                calls.Add(new("POST", $"/deviceManagement/{collection}/{{new}}/assign", "assign"));
            }
            return new PlannedItem(item, RestoreActions.Create)
            {
                Body = RestorableForm.Body(mapped.Policy, withScheduledActions: true),
                Assignments = assignments,
                IntendedHash = intendedHash,
                Changes = JsonDiff.Changes((JsonNode?)null, ContentHash.Canonical(intended, root: true)),
                Calls = calls,
                References = mapped.References,
            };
        }

        var targetId = existing["id"]!.GetValue<string>();
        var currentAssignments = targetAssignments.GetValueOrDefault(targetId);
        var current = RestorableForm.Comparable(existing, mapped.Assignments is null ? null : currentAssignments ?? []);
        var changes = JsonDiff.Changes(ContentHash.Canonical(current, root: true), ContentHash.Canonical(intended, root: true));
        var targetHash = RestorableForm.Hash(RestorableForm.Comparable(existing, currentAssignments ?? []));
        if (changes.Count == 0)
        {
            return new PlannedItem(item, RestoreActions.SkipIdentical)
            {
                TargetPolicyId = targetId, TargetHash = targetHash, IntendedHash = intendedHash, References = mapped.References,
            };
        }

        var body = RestorableForm.Body(mapped.Policy, withScheduledActions: false);
        var bodyDiffers = !SameJson(RestorableForm.Body(existing, withScheduledActions: false), body);
        var actions = item.Family == PolicyFamilies.CompliancePolicies ? RestorableForm.ScheduledActionsOf(mapped.Policy) : null;
        var actionsDiffer = actions is not null && !SameJson(RestorableForm.ScheduledActionsOf(existing), actions);
        var assignDiffers = mapped.Assignments is not null
            && !SameJson(RestorableForm.Comparable(new JsonObject(), currentAssignments ?? []), RestorableForm.Comparable(new JsonObject(), mapped.Assignments));
        var updateCalls = new List<PlannedCallEntry>();
        if (bodyDiffers)
        {
            updateCalls.Add(new("PATCH", $"/deviceManagement/{collection}/{targetId}", "update"));
        }
        if (actionsDiffer)
        {
            updateCalls.Add(new("POST", $"/deviceManagement/{collection}/{targetId}/scheduleActionsForRules", "schedule_actions"));
        }
        if (assignDiffers)
        {
            updateCalls.Add(new("POST", $"/deviceManagement/{collection}/{targetId}/assign", "assign"));
        }
        return new PlannedItem(item, RestoreActions.Update)
        {
            TargetPolicyId = targetId,
            TargetHash = targetHash,
            Body = bodyDiffers ? body : null,
            ScheduledActions = actionsDiffer ? actions : null,
            Assignments = assignDiffers ? RestorableForm.AssignTargets(mapped.Assignments) : null,
            IntendedHash = intendedHash,
            Changes = changes,
            Calls = updateCalls,
            References = mapped.References,
        };
    }

    /// <summary>The source policy with group ids mapped, its assignment set (null when left out) and what was decided per reference.</summary>
    private sealed record MappedSource(JsonObject Policy, JsonArray? Assignments, List<ReferenceEntry> References, bool Unmapped);

    private static MappedSource Map(SourceItem item, IReadOnlyDictionary<string, GroupMappingEntry> mappings, bool crossTenant, bool allowBroadTargets)
    {
        var policy = (JsonObject)item.Content!.DeepClone();
        var references = new List<ReferenceEntry>();
        var unmapped = false;
        var omitted = false;

        // The group's target id, or null when it is dropped here; unmapped and omitted are noted on the way.
        string? MapGroup(string groupId, string where)
        {
            var mapping = mappings.GetValueOrDefault(groupId);
            var state = mapping?.State ?? GroupMappingStates.Missing;
            var name = mapping?.SourceDisplayName ?? string.Empty;
            if (GroupMappingStates.IsMapped(state))
            {
                references.Add(new("group", groupId, "mapped", mapping!.TargetGroupId!, $"{where}: {name} → {mapping.TargetDisplayName}"));
                return mapping.TargetGroupId;
            }
            if (state == GroupMappingStates.AssignmentsOmitted && where == "assignment")
            {
                omitted = true;
                references.Add(new("group", groupId, "omitted", string.Empty, $"{where}: {name}; the item's assignments are left as the target has them"));
                return null;
            }
            if (state is GroupMappingStates.Skipped or GroupMappingStates.AssignmentsOmitted)
            {
                references.Add(new("group", groupId, "skipped", string.Empty, $"{where}: {name} left out by choice"));
                return null;
            }
            unmapped = true;
            references.Add(new("group", groupId, "unmapped", string.Empty,
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
            var type = target["@odata.type"]?.GetValue<string>() ?? string.Empty;
            if (target["deviceAndAppManagementAssignmentFilterId"]?.GetValue<string>() is { Length: > 0 } filterId && filterId != NoFilter)
            {
                references.Add(new("assignment_filter", filterId, crossTenant ? "not_restorable" : "kept", filterId,
                    "Assignment filters are beta-only in Graph: the filter id is written as the source had it" +
                    (crossTenant ? " and is the source tenant's." : ".")));
            }
            if (type is AllDevices or AllLicensedUsers)
            {
                if (crossTenant && !allowBroadTargets)
                {
                    references.Add(new("broad_target", type, "skipped", string.Empty,
                        "A broad target into another tenant needs the allow_broad_targets option."));
                    continue;
                }
                references.Add(new("broad_target", type, "kept", type, string.Empty));
                kept.Add(assignment.DeepClone());
                continue;
            }
            if (target["groupId"]?.GetValue<string>() is { Length: > 0 } groupId)
            {
                if (MapGroup(groupId, "assignment") is { } mappedId)
                {
                    var copy = (JsonObject)assignment.DeepClone();
                    copy["target"]!["groupId"] = mappedId;
                    kept.Add(copy);
                }
                continue;
            }
            kept.Add(assignment.DeepClone());
        }

        foreach (var configuration in ActionConfigurations(policy))
        {
            if (configuration["notificationMessageCCList"] is JsonArray ccList)
            {
                var mappedList = new JsonArray();
                foreach (var groupId in ccList.Select(n => n?.GetValue<string>()).OfType<string>())
                {
                    if (MapGroup(groupId, "notification CC list") is { } mappedId)
                    {
                        mappedList.Add(mappedId);
                    }
                }
                configuration["notificationMessageCCList"] = mappedList;
            }
            if (configuration["notificationTemplateId"]?.GetValue<string>() is { Length: > 0 } templateId && templateId != NoFilter)
            {
                references.Add(new("notification_template", templateId, "kept", templateId, crossTenant
                    ? "Written as the source had it: a notification template of the source tenant, not mapped."
                    : string.Empty));
            }
        }
        if (policy["roleScopeTagIds"] is JsonArray scopeTags && scopeTags.Count > 0)
        {
            references.Add(new("scope_tag", string.Join(",", scopeTags.Select(t => t?.ToString())), "not_restorable", string.Empty,
                "Scope tags are beta-only in Graph: kept verbatim in the body."));
        }
        policy.Remove(RestorableForm.Assignments);
        return new MappedSource(policy, omitted ? null : kept, references, unmapped);
    }

    private static IEnumerable<JsonObject> ActionConfigurations(JsonObject policy) =>
        (policy[RestorableForm.ScheduledActions] as JsonArray ?? [])
            .OfType<JsonObject>()
            .SelectMany(rule => (rule["scheduledActionConfigurations"] as JsonArray ?? []).OfType<JsonObject>());

    private static IEnumerable<string> GroupIdsOf(JsonObject? content)
    {
        if (content is null)
        {
            yield break;
        }
        foreach (var assignment in (content[RestorableForm.Assignments] as JsonArray ?? []).OfType<JsonObject>())
        {
            if (assignment["target"]?["groupId"]?.GetValue<string>() is { Length: > 0 } id)
            {
                yield return id;
            }
        }
        foreach (var configuration in ActionConfigurations(content))
        {
            foreach (var id in (configuration["notificationMessageCCList"] as JsonArray ?? []).Select(n => n?.GetValue<string>()).OfType<string>())
            {
                yield return id;
            }
        }
    }

    private static bool SameJson(JsonNode? a, JsonNode? b) =>
        (ContentHash.Canonical(a, root: true)?.ToJsonString() ?? "null") == (ContentHash.Canonical(b, root: true)?.ToJsonString() ?? "null");
}
