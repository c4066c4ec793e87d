using System.Text.Json.Nodes;

namespace TenantAtlas.PolicyCorpus;

/// <summary>
/// Compares a policy as a tenant or a backup holds it with the corpus JSON it came from, value by value (JSON pointers):
/// each differing, lost or added value is named by type and pointer. A corpus value the caller names as a secret must not
/// appear at all; it must have been replaced by a redaction marker (or, when the caller says secrets were restored, be back).
/// What Graph assigns is not compared: the entity's id, dates and version, and the ids inside compliance actions.
/// </summary>
public static class CorpusComparison
{
    private static readonly HashSet<string> ServiceAssigned = ["id", "createdDateTime", "lastModifiedDateTime", "version"];

    public static List<string> Differences(CorpusPolicy corpus, JsonObject held, IReadOnlySet<string> secrets, bool secretsRestored = false)
    {
        var differences = new List<string>();
        Walk(corpus.ODataType, string.Empty, corpus.Json, held, secrets, secretsRestored, differences);
        foreach (var (name, _) in held)
        {
            if (!corpus.Json.ContainsKey(name) && !ServiceAssigned.Contains(name) && name != "assignments" && !name.Contains("@odata.", StringComparison.Ordinal))
            {
                differences.Add($"{corpus.ODataType} /{name}: not in the corpus, but in the copy");
            }
        }
        return differences;
    }

    private static void Walk(string type, string path, JsonNode? expected, JsonNode? actual, IReadOnlySet<string> secrets, bool restored, List<string> differences)
    {
        switch (expected)
        {
            case JsonObject e:
                if (actual is not JsonObject a)
                {
                    differences.Add($"{type} {path}: an object in the corpus, {actual?.ToJsonString() ?? "missing"} in the copy");
                    return;
                }
                foreach (var (name, value) in e)
                {
                    Walk(type, $"{path}/{name}", value, a[name], secrets, restored, differences);
                }
                return;
            case JsonArray e:
                if (actual is not JsonArray items || items.Count != e.Count)
                {
                    differences.Add($"{type} {path}: {e.Count} items in the corpus, {(actual as JsonArray)?.Count.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? actual?.ToJsonString() ?? "missing"} in the copy");
                    return;
                }
                for (var i = 0; i < e.Count; i++)
                {
                    Walk(type, $"{path}/{i}", e[i], items[i], secrets, restored, differences);
                }
                return;
        }
        var wanted = expected?.ToJsonString() ?? "null";
        var got = actual?.ToJsonString() ?? "missing";
        if (expected is JsonValue secret && secret.TryGetValue<string>(out var text) && secrets.Contains(text) && !restored)
        {
            if (!(actual is JsonValue marker && marker.TryGetValue<string>(out var redacted) && redacted.StartsWith("<redacted", StringComparison.Ordinal)))
            {
                differences.Add($"{type} {path}: a secret, not redacted in the copy ({(got.Contains(text, StringComparison.Ordinal) ? "the secret itself" : got)})");
            }
            return;
        }
        if (wanted != got)
        {
            differences.Add($"{type} {path}: {wanted} in the corpus, {got} in the copy");
        }
    }
}
