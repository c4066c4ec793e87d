using System.Text.Json.Nodes;
using TenantAtlas.RestoreService.Restores;
using TenantAtlas.TenantGraph;

namespace TenantAtlas.RestoreService.Planning;

/// <summary>One Graph call of a plan.</summary>
public sealed record PlannedCallEntry(string Method, string Path, string Step);

/// <summary>A reference of an item and what the restore does with it (the proto's ReferenceDecision).</summary>
public sealed record ReferenceEntry(string Kind, string SourceValue, string Decision, string TargetValue, string Detail)
{
    /// <summary>For a lost create: the target policies that could be it (the ids a MAP decision may name).</summary>
    public IReadOnlyList<string> Candidates { get; init; } = [];
}

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

    /// <summary>
    /// A target policy as a capture of the target would store it: its secrets redacted with the target tenant's salt, so it
    /// compares with a backup's redacted copy (and a secret of the target never reaches a plan's diff or hash).
    /// </summary>
    public static JsonObject AsCaptured(JsonObject policy, Guid targetTenantId)
    {
        SecretRedactor.Redact(policy, targetTenantId);
        return policy;
    }

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
    public IReadOnlyList<string> SecretPaths { get; init; } = [];
}

/// <summary>
/// Classifies each source item against the target (INTUNE.md R1): CREATE when the target has no such policy, UPDATE when
/// it has and differs, SKIP_IDENTICAL when it equals the mapped source, BLOCKED when it cannot be restored as planned.
/// The target's counterpart is found by <see cref="Counterparts"/> (a lost create of an earlier restore asks the user).
/// References are mapped by <see cref="SourceMapper"/>. An update keeps the
/// target's own assignments that the source lacks (the /assign replaces the whole set) unless the user confirmed
/// removing them, and the preview lists each.
/// </summary>
public static class PlanBuilder
{
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

    /// <summary>The notification templates the source's compliance actions use, with what the backup captured of each.</summary>
    public static List<SourceTemplate> TemplatesOf(IEnumerable<SourceItem> items)
    {
        var captured = new Dictionary<string, (string Name, string? Content)>(StringComparer.OrdinalIgnoreCase);
        var counts = new Dictionary<string, int>(StringComparer.OrdinalIgnoreCase);
        foreach (var item in items.Where(i => i.Content is not null))
        {
            foreach (var reference in item.References.Where(r => r.Kind == "notificationMessageTemplate"))
            {
                captured[reference.Id] = (reference.DisplayName, reference.Content ?? (captured.TryGetValue(reference.Id, out var had) ? had.Content : null));
            }
            foreach (var id in SourceMapper.ActionConfigurations(item.Content!).Select(c => c["notificationTemplateId"]?.GetValue<string>())
                .OfType<string>().Where(id => id.Length > 0 && id != Guid.Empty.ToString()).Distinct(StringComparer.OrdinalIgnoreCase))
            {
                counts[id] = counts.GetValueOrDefault(id) + 1;
            }
        }
        return [.. counts.Select(c => new SourceTemplate(c.Key, captured.GetValueOrDefault(c.Key).Name ?? string.Empty, captured.GetValueOrDefault(c.Key).Content, c.Value))];
    }

    public static PlannedItem Plan(SourceItem item, TargetPolicies target, IReadOnlyDictionary<string, JsonArray?> targetAssignments, MappingContext context)
    {
        if (item.Content is null)
        {
            return new PlannedItem(item, RestoreActions.Blocked) { BlockedReason = BlockedReasons.NotCaptured };
        }
        var mapped = SourceMapper.Map(item, context);
        var counterpart = Counterparts.Find(item, target, context);
        if (counterpart.Reference is { } lostCreate)
        {
            mapped.References.Add(lostCreate);
        }
        PlannedItem Blocked(string reason) => new(item, RestoreActions.Blocked)
        {
            BlockedReason = reason, References = mapped.References, SecretPaths = mapped.SecretPaths,
        };
        if (mapped.BlockedByChoice)
        {
            return Blocked(BlockedReasons.ReferenceBlocked);
        }
        if (mapped.Unmapped)
        {
            return Blocked(BlockedReasons.UnmappedGroup);
        }
        if (counterpart.BlockedReason == BlockedReasons.ReferenceBlocked)
        {
            return Blocked(BlockedReasons.ReferenceBlocked);
        }
        if (mapped.Undecided)
        {
            return Blocked(BlockedReasons.UndecidedReference);
        }
        if (counterpart.BlockedReason is { } reason)
        {
            return Blocked(reason);
        }

        var collection = PolicyFamilies.GraphCollection(item.Family);
        var existing = counterpart.Existing;

        if (existing is null)
        {
            var intended = RestorableForm.Comparable(mapped.Policy, mapped.Assignments);
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
                IntendedHash = RestorableForm.Hash(intended),
                Changes = JsonDiff.Changes((JsonNode?)null, ContentHash.Canonical(intended, root: true)),
                Calls = calls,
                References = mapped.References,
                SecretPaths = mapped.SecretPaths,
            };
        }

        var targetId = existing["id"]!.GetValue<string>();
        var currentAssignments = targetAssignments.GetValueOrDefault(targetId) ?? [];
        var references = mapped.References;
        var finalAssignments = mapped.Assignments is null ? null : KeepTargetsOwn(item, mapped.Assignments, currentAssignments, context, references);
        var intendedForm = RestorableForm.Comparable(mapped.Policy, finalAssignments);
        var current = RestorableForm.Comparable(existing, finalAssignments is null ? null : currentAssignments);
        var changes = JsonDiff.Changes(ContentHash.Canonical(current, root: true), ContentHash.Canonical(intendedForm, root: true));
        var targetHash = RestorableForm.Hash(RestorableForm.Comparable(existing, currentAssignments));
        var intendedHash = RestorableForm.Hash(intendedForm);
        if (changes.Count == 0)
        {
            return new PlannedItem(item, RestoreActions.SkipIdentical)
            {
                TargetPolicyId = targetId, TargetHash = targetHash, IntendedHash = intendedHash, References = references,
            };
        }

        var body = RestorableForm.Body(mapped.Policy, withScheduledActions: false);
        var bodyDiffers = !SameJson(RestorableForm.Body(existing, withScheduledActions: false), body);
        var actions = item.Family == PolicyFamilies.CompliancePolicies ? RestorableForm.ScheduledActionsOf(mapped.Policy) : null;
        var actionsDiffer = actions is not null && !SameJson(RestorableForm.ScheduledActionsOf(existing), actions);
        var assignDiffers = finalAssignments is not null
            && !SameJson(RestorableForm.Comparable(new JsonObject(), currentAssignments), RestorableForm.Comparable(new JsonObject(), finalAssignments));
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
            Assignments = assignDiffers ? RestorableForm.AssignTargets(finalAssignments) : null,
            IntendedHash = intendedHash,
            Changes = changes,
            Calls = updateCalls,
            References = references,
            // A PATCH body carries the secrets (compliance actions and assignments hold none); without a PATCH none is needed.
            SecretPaths = bodyDiffers ? mapped.SecretPaths : [],
        };
    }

    /// <summary>
    /// The assignment set an update sends: the mapped source's, plus each of the target's own assignments the source lacks
    /// (broad ones included) unless the user confirmed removing them. Each such assignment is listed with its decision.
    /// </summary>
    private static JsonArray KeepTargetsOwn(SourceItem item, JsonArray mapped, JsonArray current, MappingContext context, List<ReferenceEntry> references)
    {
        // Not the target's own: what the source itself holds, e.g. an assignment to a group the user chose to skip (in the
        // same tenant the target has it too) — leaving that out is what the choice asked for.
        var wanted = mapped.OfType<JsonObject>().Concat((item.Content![RestorableForm.Assignments] as JsonArray ?? []).OfType<JsonObject>())
            .Select(a => TargetKey(a["target"])).ToHashSet(StringComparer.OrdinalIgnoreCase);
        var extra = current.OfType<JsonObject>().Where(a => a["target"] is JsonObject && !wanted.Contains(TargetKey(a["target"]))).ToList();
        if (extra.Count == 0)
        {
            return mapped;
        }
        var remove = context.Decisions.For(item.ItemId, ReferenceKinds.AssignmentRemoval) == ReferenceDecisionEntry.Remove;
        var final = (JsonArray)mapped.DeepClone();
        foreach (var assignment in extra)
        {
            references.Add(new(ReferenceKinds.AssignmentRemoval, TargetKey(assignment["target"]), remove ? ReferenceOutcomes.Removed : ReferenceOutcomes.Kept,
                string.Empty, remove
                    ? "The target's own assignment, removed as you confirmed (the restore replaces the whole assignment set)."
                    : "The target's own assignment, which the source lacks: kept (confirm its removal to replace the target's set with the source's)."));
            if (!remove)
            {
                final.Add(new JsonObject { ["target"] = assignment["target"]!.DeepClone() });
            }
        }
        return final;
    }

    /// <summary>An assignment target as the preview names it: "@odata.type groupId" (the group empty for broad targets).</summary>
    private static string TargetKey(JsonNode? target) =>
        $"{target?["@odata.type"]?.GetValue<string>()} {target?["groupId"]?.GetValue<string>()}".Trim();

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
        foreach (var configuration in SourceMapper.ActionConfigurations(content))
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
