using System.Text.Json.Nodes;
using TenantAtlas.TenantGraph;

namespace TenantAtlas.RestoreService.Planning;

/// <summary>
/// What a stored plan holds in place of values only the execution can know: a notification template to be created in the
/// target (its id comes from the create) and a secret (its value comes from the user, write-only). The writer resolves
/// both right before a write; a body that still holds either is never sent — so neither a source tenant's id nor a
/// redaction marker can reach the target.
/// </summary>
public static class PlannedValues
{
    private const string TemplatePrefix = "{{template:";
    private const string PlaceholderEnd = "}}";

    /// <summary>The placeholder of the target id of a template the execution creates from the source's <paramref name="sourceTemplateId"/>.</summary>
    public static string Template(string sourceTemplateId) => $"{TemplatePrefix}{sourceTemplateId}{PlaceholderEnd}";

    /// <summary>The source template id a placeholder stands for, or null when the value is none.</summary>
    public static string? TemplateOf(string? value) =>
        value is not null && value.StartsWith(TemplatePrefix, StringComparison.Ordinal) && value.EndsWith(PlaceholderEnd, StringComparison.Ordinal)
            ? value[TemplatePrefix.Length..^PlaceholderEnd.Length]
            : null;

    /// <summary>
    /// A copy of <paramref name="body"/> with every template placeholder replaced by its created id and every secret marker
    /// by the value given for its path (paths as <see cref="SecretRedactor.Markers"/> names them), with the pointers of the
    /// secrets and templates left unresolved (nothing may be sent while either is not empty).
    /// </summary>
    public static (JsonNode? Resolved, IReadOnlyList<string> MissingSecrets, IReadOnlyList<string> UnresolvedTemplates) Resolve(JsonNode? body,
        IReadOnlyDictionary<string, string> templateIds, IReadOnlyDictionary<string, string> secrets)
    {
        var copy = body?.DeepClone();
        var missing = new List<string>();
        foreach (var marker in SecretRedactor.Markers(copy))
        {
            if (secrets.TryGetValue(marker.Path, out var value))
            {
                JsonPointer.Replace(copy!, marker.Path, JsonValue.Create(value));
            }
            else
            {
                missing.Add(marker.Path);
            }
        }
        var unresolved = new List<string>();
        ReplaceTemplates(copy, string.Empty, templateIds, unresolved);
        return (copy, missing, unresolved);
    }

    private static void ReplaceTemplates(JsonNode? node, string path, IReadOnlyDictionary<string, string> templateIds, List<string> unresolved)
    {
        switch (node)
        {
            case JsonObject obj:
                foreach (var (name, child) in obj.ToList())
                {
                    if (TemplateOf(Text(child)) is { } source)
                    {
                        if (templateIds.TryGetValue(source, out var target))
                        {
                            obj[name] = target;
                        }
                        else
                        {
                            unresolved.Add($"{path}/{JsonPointer.Escape(name)}");
                        }
                    }
                    else
                    {
                        ReplaceTemplates(child, $"{path}/{JsonPointer.Escape(name)}", templateIds, unresolved);
                    }
                }
                break;
            case JsonArray array:
                for (var i = 0; i < array.Count; i++)
                {
                    ReplaceTemplates(array[i], $"{path}/{i}", templateIds, unresolved);
                }
                break;
        }
    }

    private static string? Text(JsonNode? node) => node is JsonValue value && value.TryGetValue<string>(out var text) ? text : null;
}
