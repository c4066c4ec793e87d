using System.Globalization;
using System.Text.Json.Nodes;
using TenantAtlas.RestoreService.Restores;

namespace TenantAtlas.RestoreService.Execution;

/// <summary>
/// What a create whose answer was lost may have made, found by identity rather than by content (Graph adds defaults to
/// what it stores and lists new objects late, INTUNE.md "Traps"): an object of the same type and display name that the
/// listing before the send did not have, created (or, for a template, modified) no earlier than the send, less
/// <see cref="ClockSkew"/> between our clock and Graph's. Exactly one such object is the lost create; none or several
/// leave it to the user — the restore never sends the create again while any could be it.
/// </summary>
public static class LostCreates
{
    public static readonly TimeSpan ClockSkew = TimeSpan.FromMinutes(5);

    /// <summary>The ids of the listed objects that could be the create journaled in <paramref name="sent"/>.</summary>
    public static List<string> Candidates(IEnumerable<JsonObject> listed, string displayName, string? odataType, JournalEntry sent, IReadOnlySet<string> claimed)
    {
        var known = (sent.Known ?? []).ToHashSet(StringComparer.OrdinalIgnoreCase);
        var notBefore = DateTime.SpecifyKind(sent.At, DateTimeKind.Utc) - ClockSkew;
        return [.. listed
            .Where(o => Text(o["displayName"]) == displayName && (odataType is null || Text(o["@odata.type"]) == odataType))
            .Select(o => (Id: Text(o["id"]), Stamp: Stamp(o)))
            .Where(o => o.Id is not null && !known.Contains(o.Id) && !claimed.Contains(o.Id) && (o.Stamp is not { } at || at >= notBefore))
            .Select(o => o.Id!)
            .Order(StringComparer.Ordinal)];
    }

    private static DateTime? Stamp(JsonObject listed) =>
        (Text(listed["createdDateTime"]) ?? Text(listed["lastModifiedDateTime"])) is { } text
        && DateTime.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out var at)
            ? at
            : null;

    private static string? Text(JsonNode? node) => node is JsonValue value && value.TryGetValue<string>(out var text) ? text : null;
}
