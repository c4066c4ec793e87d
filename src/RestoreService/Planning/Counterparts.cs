using System.Text.Json.Nodes;
using TenantAtlas.RestoreService.Restores;

namespace TenantAtlas.RestoreService.Planning;

/// <summary>An item's counterpart in the target: the policy it updates (null: it is created), or why it is blocked.</summary>
public sealed record Counterpart(JsonObject? Existing, string? BlockedReason, ReferenceEntry? Reference)
{
    public static readonly Counterpart None = new(null, null, null);
}

/// <summary>
/// Finds the target policy a source item stands for (INTUNE.md R1, R8): the same id in the same tenant, else the one policy
/// of the same family, display name and type; several are never guessed between.
/// <para>
/// When an earlier restore into the target lost the answer of this item's create (<see cref="LostCreate"/>), the target
/// may hold that create although Graph does not list it yet, so creating again could make a duplicate. Then: one listed
/// policy of the identity is the lost create (adopted, as reconcile by identity does); otherwise the user decides —
/// adopt one of the listed policies (MAP with its id) or, while the target lists none, create it anew (CREATE) — and the
/// item is blocked until they do.
/// </para>
/// </summary>
public static class Counterparts
{
    public static Counterpart Find(SourceItem item, TargetPolicies target, MappingContext context)
    {
        if (!context.CrossTenant && target.ById(item.PolicyId) is { } same)
        {
            return new Counterpart(same, null, null);
        }
        var name = TargetPolicies.NameOf(item.Content!);
        var type = TargetPolicies.TypeOf(item.Content!);
        var listed = target.ByName(item.Family, name, type);
        if (context.LostCreates.GetValueOrDefault((item.Family, type, name)) is not { } lost)
        {
            return listed.Count switch
            {
                0 => Counterpart.None,
                1 => new Counterpart(listed[0], null, null),
                _ => new Counterpart(null, BlockedReasons.AmbiguousTarget, null),
            };
        }

        var ids = listed.Select(p => p["id"]!.GetValue<string>()).Order(StringComparer.Ordinal).ToList();
        var source = $"{lost.RestoreId}/{lost.ItemId}";
        var earlier = $"Restore {lost.RestoreId} sent this policy's create and got no answer";
        ReferenceEntry Reference(string outcome, string targetValue, string detail) =>
            new(ReferenceKinds.LostCreate, source, outcome, targetValue, detail) { Candidates = ids };
        var decision = context.Decisions.Entry(item.ItemId, ReferenceKinds.LostCreate);
        switch (decision?.Choice)
        {
            case ReferenceDecisionEntry.Block:
                return new Counterpart(null, BlockedReasons.ReferenceBlocked,
                    Reference(ReferenceOutcomes.Blocked, string.Empty, "Left out of the restore by your decision."));
            case ReferenceDecisionEntry.Map when decision.TargetValue is { } chosen && ids.Contains(chosen, StringComparer.OrdinalIgnoreCase):
                return new Counterpart(listed.First(p => string.Equals(p["id"]!.GetValue<string>(), chosen, StringComparison.OrdinalIgnoreCase)), null,
                    Reference(ReferenceOutcomes.Mapped, chosen, $"{earlier}; you chose this target policy as that create: it is updated, not created again."));
            case ReferenceDecisionEntry.Create when ids.Count == 0:
                return new Counterpart(null, null,
                    Reference(ReferenceOutcomes.Create, string.Empty, $"{earlier}; the target does not list it and you chose to create it anew."));
            case null or ReferenceDecisionEntry.Automatic when ids.Count == 1:
                return new Counterpart(listed[0], null,
                    Reference(ReferenceOutcomes.Mapped, ids[0], $"{earlier}; the target now lists exactly one policy of its name and type, created since: that is it, and it is updated, not created again."));
        }
        var ask = ids.Count == 0
            ? $"{earlier}, and the target does not list it (Graph may list a new policy late). Check the target: create it anew (REFERENCE_CHOICE_CREATE) if it is not there, or preview again once it is listed."
            : $"{earlier}; the target lists {ids.Count} policies of its name and type that could be it. Adopt one (REFERENCE_CHOICE_MAP with its id).";
        var unusable = decision?.Choice switch
        {
            ReferenceDecisionEntry.Map => $" The policy you chose ({decision.TargetValue}) is not one of them.",
            ReferenceDecisionEntry.Create => " Creating anew is only possible while the target lists none.",
            _ => string.Empty,
        };
        return new Counterpart(null, BlockedReasons.UndecidedReference, Reference(ReferenceOutcomes.Undecided, string.Empty, ask + unusable));
    }
}
