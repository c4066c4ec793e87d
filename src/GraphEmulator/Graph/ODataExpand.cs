namespace TenantAtlas.GraphEmulator.Graph;

/// <summary>
/// The navigation properties a request's <c>$expand</c> names, with the nested <c>$expand</c> of each, e.g.
/// <c>assignments,scheduledActionsForRule($expand=scheduledActionConfigurations)</c>. Other nested options
/// (<c>$select</c>...) are accepted and ignored.
/// </summary>
internal sealed class ODataExpand
{
    private readonly Dictionary<string, string?> _items;

    private ODataExpand(Dictionary<string, string?> items) => _items = items;

    public static ODataExpand None { get; } = new([]);

    public bool Includes(string property) => _items.ContainsKey(property);

    /// <summary>The nested <c>$expand</c> of <paramref name="property"/>, or null when it has none.</summary>
    public string? Nested(string property) => _items.GetValueOrDefault(property);

    /// <summary>
    /// Reads <c>$expand</c>; returns Graph's error message when it names a property outside
    /// <paramref name="navigationProperties"/> (keyed by name, valued by the nested expands each allows).
    /// </summary>
    public static string? TryRead(
        HttpRequest request, string entityType, IReadOnlyDictionary<string, string[]> navigationProperties, out ODataExpand expand)
    {
        expand = None;
        if (request.Query["$expand"] is not [{ Length: > 0 } text])
            return null;

        var items = new Dictionary<string, string?>(StringComparer.Ordinal);
        foreach (var item in SplitTopLevel(text, ','))
        {
            var open = item.IndexOf('(', StringComparison.Ordinal);
            var name = (open < 0 ? item : item[..open]).Trim();
            var nested = open < 0 ? null : NestedExpand(item[(open + 1)..].TrimEnd().TrimEnd(')'));
            if (!navigationProperties.TryGetValue(name, out var allowedNested))
                return $"Could not find a property named '{name}' on type '{entityType}'.";
            if (nested is not null && !allowedNested.Contains(nested, StringComparer.Ordinal))
                return $"Could not find a property named '{nested}' on type '{entityType}/{name}'.";
            items[name] = nested;
        }

        expand = new ODataExpand(items);
        return null;
    }

    private static string? NestedExpand(string options) =>
        SplitTopLevel(options, ';')
            .Select(option => option.Trim())
            .Where(option => option.StartsWith("$expand=", StringComparison.OrdinalIgnoreCase))
            .Select(option => option["$expand=".Length..].Trim())
            .FirstOrDefault();

    /// <summary>Splits on <paramref name="separator"/> outside parentheses.</summary>
    private static IEnumerable<string> SplitTopLevel(string text, char separator)
    {
        var depth = 0;
        var start = 0;
        for (var i = 0; i < text.Length; i++)
        {
            depth += text[i] switch { '(' => 1, ')' => -1, _ => 0 };
            if (text[i] == separator && depth == 0)
            {
                yield return text[start..i];
                start = i + 1;
            }
        }

        yield return text[start..];
    }
}
