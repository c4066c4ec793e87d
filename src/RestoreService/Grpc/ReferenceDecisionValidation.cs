using TenantAtlas.Restore.V1;
using TenantAtlas.RestoreService.Planning;

namespace TenantAtlas.RestoreService.Grpc;

/// <summary>What a SetReferenceDecisions entry may say, per kind; each violation names its field.</summary>
public static class ReferenceDecisionValidation
{
    private static readonly Dictionary<string, string[]> ChoicesByKind = new(StringComparer.Ordinal)
    {
        [ReferenceKinds.AssignmentFilter] = [ReferenceDecisionEntry.Drop, ReferenceDecisionEntry.Block, ReferenceDecisionEntry.Automatic],
        [ReferenceKinds.ScopeTag] = [ReferenceDecisionEntry.Drop, ReferenceDecisionEntry.Block, ReferenceDecisionEntry.Automatic],
        [ReferenceKinds.Secret] = [ReferenceDecisionEntry.Drop, ReferenceDecisionEntry.Block, ReferenceDecisionEntry.Automatic],
        [ReferenceKinds.AssignmentRemoval] = [ReferenceDecisionEntry.Remove, ReferenceDecisionEntry.Automatic],
        [ReferenceKinds.LostCreate] =
            [ReferenceDecisionEntry.Map, ReferenceDecisionEntry.Create, ReferenceDecisionEntry.Block, ReferenceDecisionEntry.Automatic],
        [ReferenceKinds.NotificationTemplate] =
            [ReferenceDecisionEntry.Map, ReferenceDecisionEntry.Create, ReferenceDecisionEntry.Drop, ReferenceDecisionEntry.Automatic],
    };

    public static ReferenceDecisionEntry? Read(RequestValidator v, string field, ReferenceDecisionChoice choice)
    {
        if (!ChoicesByKind.TryGetValue(choice.Kind, out var allowed))
        {
            v.Add($"{field}.kind", $"is required: one of {string.Join(", ", ChoicesByKind.Keys.Select(k => $"\"{k}\""))}.");
            return null;
        }
        var perItem = choice.Kind != ReferenceKinds.NotificationTemplate;
        Guid? itemId = perItem ? v.RequiredId($"{field}.item_id", choice.ItemId) : null;
        if (!perItem && choice.ItemId.Length > 0)
        {
            v.Add($"{field}.item_id", "is decided for the whole restore for a notification template; leave it empty.");
        }
        if (!perItem && !Guid.TryParse(choice.SourceValue, out _))
        {
            v.Add($"{field}.source_value", "is required: the source template id (the restore's template_mappings).");
        }
        if (perItem && choice.SourceValue.Length > 0)
        {
            v.Add($"{field}.source_value", "is only for a notification template; leave it empty (the decision covers every reference of that kind of the item).");
        }
        var decided = v.DefinedEnum($"{field}.choice", choice.Choice) is var proto ? ReferenceDecisionEntry.FromProto(proto) : null;
        if (decided is null || !allowed.Contains(decided))
        {
            v.Add($"{field}.choice", $"must be one of {string.Join(", ", allowed.Select(a => $"REFERENCE_CHOICE_{a.ToUpperInvariant()}"))} for \"{choice.Kind}\".");
        }
        string? target = null;
        if (decided == ReferenceDecisionEntry.Map)
        {
            target = v.RequiredId($"{field}.target_value", choice.TargetValue).ToString();
        }
        else if (choice.TargetValue.Length > 0)
        {
            v.Add($"{field}.target_value", "is only for REFERENCE_CHOICE_MAP; leave it empty.");
        }
        return decided is null ? null : new ReferenceDecisionEntry(itemId, choice.Kind, perItem ? string.Empty : choice.SourceValue, decided, target);
    }
}
