using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace TenantAtlas.TenantGraph;

/// <summary>
/// The SHA-256 of a policy's canonical JSON: keys sorted, server-owned and volatile fields removed, assignments
/// sorted by target. Two captures of an unchanged policy hash the same however Graph ordered or stamped them, so
/// the second stores no new content (INTUNE.md B5; IntuneCD#163 shows what non-deterministic backups cost).
/// </summary>
public static class ContentHash
{
    /// <summary>Root properties Graph changes without the policy changing.</summary>
    private static readonly HashSet<string> VolatileRootProperties = new(StringComparer.Ordinal)
    {
        "lastModifiedDateTime", "version", "createdDateTime",
    };

    public static string Of(JsonObject document)
    {
        var canonical = new StringBuilder();
        Write(Canonical(document, root: true), canonical);
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(canonical.ToString())));
    }

    /// <summary>The document as it is hashed (also what a diff compares).</summary>
    public static JsonNode? Canonical(JsonNode? node, bool root = false)
    {
        switch (node)
        {
            case JsonObject obj:
                var copy = new JsonObject();
                foreach (var (name, child) in obj.OrderBy(p => p.Key, StringComparer.Ordinal))
                {
                    // OData annotations (@odata.context, x@odata.navigationLink...) describe the response, not the policy;
                    // @odata.type is the policy's type and stays.
                    if ((name.Contains("@odata.", StringComparison.Ordinal) && name != "@odata.type") || (root && VolatileRootProperties.Contains(name)))
                    {
                        continue;
                    }
                    copy[name] = root && name == "assignments" && child is JsonArray assignments
                        ? SortedAssignments(assignments)
                        : Canonical(child);
                }
                return copy;
            case JsonArray array:
                return new JsonArray([.. array.Select(item => Canonical(item))]);
            default:
                return node?.DeepClone();
        }
    }

    /// <summary>Assignments in target order (type, group, filter), whatever order Graph listed them in.</summary>
    private static JsonArray SortedAssignments(JsonArray assignments) => new([.. assignments
        .Select(a => Canonical(a))
        .OrderBy(a => Text(a?["target"]?["@odata.type"]), StringComparer.Ordinal)
        .ThenBy(a => Text(a?["target"]?["groupId"]), StringComparer.Ordinal)
        .ThenBy(a => Text(a?["target"]?["deviceAndAppManagementAssignmentFilterId"]), StringComparer.Ordinal)
        .ThenBy(a => a?.ToJsonString(), StringComparer.Ordinal)]);

    private static string Text(JsonNode? node) => node is JsonValue value && value.TryGetValue<string>(out var text) ? text : string.Empty;

    private static void Write(JsonNode? node, StringBuilder output) =>
        output.Append(node?.ToJsonString(CompactOptions) ?? "null");

    private static readonly JsonSerializerOptions CompactOptions = new() { WriteIndented = false };
}
