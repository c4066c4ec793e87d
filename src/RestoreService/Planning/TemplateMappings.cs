using System.Text.Json;
using System.Text.Json.Nodes;
using TenantAtlas.Restore.V1;

namespace TenantAtlas.RestoreService.Planning;

/// <summary>How a source notification template maps, as stored (the proto's TemplateMappingState names, lowercase).</summary>
public static class TemplateMappingStates
{
    public const string MappedById = "mapped_by_id";
    public const string MappedByName = "mapped_by_name";
    public const string Create = "create";
    public const string Ambiguous = "ambiguous";
    public const string Missing = "missing";
    public const string Chosen = "chosen";
    public const string Dropped = "dropped";

    /// <summary>States that block executing until the user chooses.</summary>
    public static bool NeedsChoice(string state) => state is Ambiguous or Missing;

    /// <summary>States whose target id is known before executing.</summary>
    public static bool IsMapped(string state) => state is MappedById or MappedByName or Chosen;

    public static TemplateMappingState ToProto(string state) => state switch
    {
        MappedById => TemplateMappingState.MappedById,
        MappedByName => TemplateMappingState.MappedByName,
        Create => TemplateMappingState.Create,
        Ambiguous => TemplateMappingState.Ambiguous,
        Missing => TemplateMappingState.Missing,
        Chosen => TemplateMappingState.Chosen,
        Dropped => TemplateMappingState.Dropped,
        _ => TemplateMappingState.Unspecified,
    };
}

/// <summary>A source template as the backup captured it: id, name and content (with localized messages; null when not captured).</summary>
public sealed record SourceTemplate(string Id, string DisplayName, string? Content, int ItemCount);

/// <summary>A source template and how the latest preview (or, for a created one, the execution) mapped it.</summary>
public sealed record TemplateMappingEntry(
    string SourceTemplateId,
    string SourceDisplayName,
    string State,
    string? TargetTemplateId,
    IReadOnlyList<string> CandidateTemplateIds,
    int ItemCount)
{
    /// <summary>For CREATE: the captured template (with its localized messages), what the execution writes.</summary>
    public string? Content { get; init; }

    public static List<TemplateMappingEntry> Parse(string json) => JsonSerializer.Deserialize<List<TemplateMappingEntry>>(json, StoredJson.Options) ?? [];

    public TemplateMapping ToProto() => new()
    {
        SourceTemplateId = SourceTemplateId,
        SourceDisplayName = SourceDisplayName,
        State = TemplateMappingStates.ToProto(State),
        TargetTemplateId = TargetTemplateId ?? string.Empty,
        CandidateTemplateIds = { CandidateTemplateIds },
        ItemCount = ItemCount,
    };
}

/// <summary>
/// Maps the source's notification templates into the target over the target's own list (read from Graph at preview):
/// by id (a restore into the same tenant), then by display name; none of that name is created when executing (from
/// the captured copy); several are never guessed between. The user's decision wins over all of it.
/// </summary>
public static class TemplateMapper
{
    public static List<TemplateMappingEntry> Map(IReadOnlyCollection<SourceTemplate> sources, IReadOnlyList<JsonObject> targetTemplates,
        ReferenceDecisionSet decisions)
    {
        var byId = targetTemplates.Where(t => Text(t["id"]) is not null).ToDictionary(t => Text(t["id"])!, StringComparer.OrdinalIgnoreCase);
        var byName = targetTemplates.GroupBy(t => (Text(t["displayName"]) ?? string.Empty).Trim(), StringComparer.OrdinalIgnoreCase)
            .ToDictionary(g => g.Key, g => g.Select(t => Text(t["id"])!).Order(StringComparer.Ordinal).ToList(), StringComparer.OrdinalIgnoreCase);
        var mappings = new List<TemplateMappingEntry>(sources.Count);
        foreach (var source in sources.OrderBy(s => s.DisplayName, StringComparer.OrdinalIgnoreCase).ThenBy(s => s.Id, StringComparer.Ordinal))
        {
            TemplateMappingEntry Entry(string state, string? target = null, IReadOnlyList<string>? candidates = null) =>
                new(source.Id, source.DisplayName, state, target, candidates ?? [], source.ItemCount);

            var decision = decisions.ForTemplate(source.Id);
            switch (decision?.Choice)
            {
                case ReferenceDecisionEntry.Drop:
                    mappings.Add(Entry(TemplateMappingStates.Dropped));
                    continue;
                case ReferenceDecisionEntry.Create when source.Content is not null:
                    mappings.Add(Entry(TemplateMappingStates.Create) with { Content = source.Content });
                    continue;
                // A chosen template deleted since the choice is missing again: never written blindly.
                case ReferenceDecisionEntry.Map when decision.TargetValue is { } chosen && byId.TryGetValue(chosen, out var chosenTemplate):
                    mappings.Add(Entry(TemplateMappingStates.Chosen, Text(chosenTemplate["id"])));
                    continue;
            }
            if (byId.TryGetValue(source.Id, out var sameId))
            {
                mappings.Add(Entry(TemplateMappingStates.MappedById, Text(sameId["id"])));
                continue;
            }
            var named = source.DisplayName.Trim().Length == 0 ? [] : byName.GetValueOrDefault(source.DisplayName.Trim()) ?? [];
            mappings.Add(named.Count switch
            {
                1 => Entry(TemplateMappingStates.MappedByName, named[0]),
                0 => source.Content is null ? Entry(TemplateMappingStates.Missing) : Entry(TemplateMappingStates.Create) with { Content = source.Content },
                _ => Entry(TemplateMappingStates.Ambiguous, candidates: named),
            });
        }
        return mappings;
    }

    private static string? Text(JsonNode? node) => node is JsonValue value && value.TryGetValue<string>(out var text) && text.Length > 0 ? text : null;
}
