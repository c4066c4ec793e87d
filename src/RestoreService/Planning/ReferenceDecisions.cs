using System.Text.Json;
using TenantAtlas.Restore.V1;

namespace TenantAtlas.RestoreService.Planning;

/// <summary>The kinds of reference an item makes (the proto's ReferenceDecision.kind).</summary>
public static class ReferenceKinds
{
    public const string Group = "group";
    public const string AssignmentFilter = "assignment_filter";
    public const string ScopeTag = "scope_tag";
    public const string BroadTarget = "broad_target";
    public const string NotificationTemplate = "notification_template";
    public const string Secret = "secret";
    public const string AssignmentRemoval = "assignment_removal";
    public const string LostCreate = "lost_create";

    /// <summary>Kinds a user decides per item (a template is decided for the whole restore).</summary>
    public static readonly string[] PerItem = [AssignmentFilter, ScopeTag, Secret, AssignmentRemoval, LostCreate];
}

/// <summary>What the plan does with a reference (the proto's ReferenceDecision.decision).</summary>
public static class ReferenceOutcomes
{
    public const string Mapped = "mapped";
    public const string Kept = "kept";
    public const string Skipped = "skipped";
    public const string Omitted = "omitted";
    public const string Unmapped = "unmapped";
    public const string Undecided = "undecided";
    public const string Dropped = "dropped";
    public const string Blocked = "blocked";
    public const string Create = "create";
    public const string Required = "required";
    public const string Removed = "removed";
}

/// <summary>
/// A user's stored decision for a reference: per item and kind (assignment filters, scope tags, secrets, assignment
/// removals), or restore-wide for a notification template (<see cref="ItemId"/> null, <see cref="SourceValue"/> its id).
/// </summary>
public sealed record ReferenceDecisionEntry(Guid? ItemId, string Kind, string SourceValue, string Choice, string? TargetValue)
{
    public const string Drop = "drop";
    public const string Block = "block";
    public const string Map = "map";
    public const string Create = "create";
    public const string Remove = "remove";
    public const string Automatic = "automatic";

    public static List<ReferenceDecisionEntry> Parse(string json) => JsonSerializer.Deserialize<List<ReferenceDecisionEntry>>(json, StoredJson.Options) ?? [];

    public static string? FromProto(ReferenceChoice choice) => choice switch
    {
        ReferenceChoice.Drop => Drop,
        ReferenceChoice.Block => Block,
        ReferenceChoice.Map => Map,
        ReferenceChoice.Create => Create,
        ReferenceChoice.Remove => Remove,
        ReferenceChoice.Automatic => Automatic,
        _ => null,
    };

    /// <summary>The same reference (a later decision for it replaces this one).</summary>
    public bool SameReference(ReferenceDecisionEntry other) =>
        ItemId == other.ItemId && Kind == other.Kind && string.Equals(SourceValue, other.SourceValue, StringComparison.OrdinalIgnoreCase);
}

/// <summary>The stored decisions of one restore, looked up the way the planner asks for them.</summary>
public sealed class ReferenceDecisionSet(IReadOnlyList<ReferenceDecisionEntry> decisions)
{
    /// <summary>The user's choice for a kind of reference of an item, or null when they made none.</summary>
    public string? For(Guid itemId, string kind) => Entry(itemId, kind)?.Choice;

    /// <summary>The user's decision for a kind of reference of an item (with its target value), or null.</summary>
    public ReferenceDecisionEntry? Entry(Guid itemId, string kind) => decisions.LastOrDefault(d => d.ItemId == itemId && d.Kind == kind);

    /// <summary>The user's decision for a notification template, or null.</summary>
    public ReferenceDecisionEntry? ForTemplate(string sourceTemplateId) =>
        decisions.LastOrDefault(d => d.ItemId is null && d.Kind == ReferenceKinds.NotificationTemplate
            && string.Equals(d.SourceValue, sourceTemplateId, StringComparison.OrdinalIgnoreCase));
}
