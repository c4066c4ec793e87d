using System.Text.Json.Nodes;

namespace TenantAtlas.TenantGraph;

/// <summary>
/// One changed value: an RFC 6901 pointer, the old and new values as JSON (null when secret), whether it is a secret, and
/// whether it is a secret Graph shows only masked (so it may or may not have changed).
/// </summary>
public sealed record PolicyChange(string Path, string? Old, string? New, bool Secret, bool Unknown = false);

/// <summary>
/// The differences between two canonical policy documents (<see cref="ContentHash.Canonical"/>), as JSON pointers to the
/// deepest values that differ. Arrays compare by position (assignments are sorted in canonical form, so a new
/// assignment shows where it sorts); a value present on one side only is a change from or to <c>null</c>. A redacted
/// secret on either side is reported as changed, without its values.
/// </summary>
public static class JsonDiff
{
    public static List<PolicyChange> Changes(JsonNode? baseline, JsonNode? current)
    {
        var changes = new List<PolicyChange>();
        Walk(string.Empty, baseline, current, changes);
        return changes;
    }

    /// <summary>The differences between a stored version (its canonical form is computed here) and another document.</summary>
    public static List<PolicyChange> Changes(string storedContent, JsonNode? current) =>
        Changes(ContentHash.Canonical(JsonNode.Parse(storedContent), root: true), ContentHash.Canonical(current, root: true));

    private static void Walk(string path, JsonNode? old, JsonNode? now, List<PolicyChange> changes)
    {
        switch (old, now)
        {
            case (JsonObject a, JsonObject b):
                foreach (var key in a.Select(p => p.Key).Union(b.Select(p => p.Key)).Order(StringComparer.Ordinal))
                {
                    Walk($"{path}/{JsonPointer.Escape(key)}", a[key], b[key], changes);
                }
                return;
            case (JsonArray a, JsonArray b):
                for (var i = 0; i < Math.Max(a.Count, b.Count); i++)
                {
                    Walk($"{path}/{i}", i < a.Count ? a[i] : null, i < b.Count ? b[i] : null, changes);
                }
                return;
        }
        var oldJson = old?.ToJsonString() ?? "null";
        var newJson = now?.ToJsonString() ?? "null";
        if (oldJson == newJson)
        {
            return;
        }
        var secret = IsSecret(old) || IsSecret(now);
        changes.Add(new PolicyChange(path.Length == 0 ? string.Empty : path, secret ? null : oldJson, secret ? null : newJson, secret));
    }

    private static bool IsSecret(JsonNode? node) => node is JsonValue value && value.TryGetValue<string>(out var text) && SecretRedactor.IsMarker(text);
}
