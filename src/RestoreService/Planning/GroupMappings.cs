using System.Text.Json;
using TenantAtlas.Restore.V1;

namespace TenantAtlas.RestoreService.Planning;

/// <summary>How a source group maps, as stored (the proto's GroupMappingState names, lowercase).</summary>
public static class GroupMappingStates
{
    public const string MappedById = "mapped_by_id";
    public const string MappedByName = "mapped_by_name";
    public const string Missing = "missing";
    public const string Ambiguous = "ambiguous";
    public const string Chosen = "chosen";
    public const string Skipped = "skipped";
    public const string AssignmentsOmitted = "assignments_omitted";

    /// <summary>States that block every item referencing the group until the user chooses.</summary>
    public static bool NeedsChoice(string state) => state is Missing or Ambiguous;

    /// <summary>States that put a target group id into the write.</summary>
    public static bool IsMapped(string state) => state is MappedById or MappedByName or Chosen;

    public static GroupMappingState ToProto(string state) => state switch
    {
        MappedById => GroupMappingState.MappedById,
        MappedByName => GroupMappingState.MappedByName,
        Missing => GroupMappingState.Missing,
        Ambiguous => GroupMappingState.Ambiguous,
        Chosen => GroupMappingState.Chosen,
        Skipped => GroupMappingState.Skipped,
        AssignmentsOmitted => GroupMappingState.AssignmentsOmitted,
        _ => GroupMappingState.Unspecified,
    };
}

/// <summary>A user's stored choice for one source group: "map" (to <paramref name="TargetGroupId"/>), "skip" or "omit_assignments".</summary>
public sealed record GroupChoiceEntry(string SourceGroupId, string Choice, string? TargetGroupId)
{
    public const string Map = "map";
    public const string Skip = "skip";
    public const string OmitAssignments = "omit_assignments";

    public static List<GroupChoiceEntry> Parse(string json) => JsonSerializer.Deserialize<List<GroupChoiceEntry>>(json, StoredJson.Options) ?? [];
}

/// <summary>A source group and how the latest preview mapped it.</summary>
public sealed record GroupMappingEntry(
    string SourceGroupId,
    string SourceDisplayName,
    string State,
    string? TargetGroupId,
    string? TargetDisplayName,
    IReadOnlyList<string> CandidateGroupIds,
    int ItemCount)
{
    public static List<GroupMappingEntry> Parse(string json) => JsonSerializer.Deserialize<List<GroupMappingEntry>>(json, StoredJson.Options) ?? [];

    public GroupMapping ToProto() => new()
    {
        SourceGroupId = SourceGroupId,
        SourceDisplayName = SourceDisplayName,
        State = GroupMappingStates.ToProto(State),
        TargetGroupId = TargetGroupId ?? string.Empty,
        TargetDisplayName = TargetDisplayName ?? string.Empty,
        CandidateGroupIds = { CandidateGroupIds },
        ItemCount = ItemCount,
    };
}

/// <summary>How the service's JSON columns are written: camelCase, as the rest of the suite's stored JSON.</summary>
public static class StoredJson
{
    public static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web)
    {
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    public static string Write<T>(T value) => JsonSerializer.Serialize(value, Options);

    public static T Read<T>(string json) where T : new() => JsonSerializer.Deserialize<T>(json, Options) ?? new T();
}
