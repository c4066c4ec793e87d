using System.Text.Json;

namespace TenantAtlas.GraphEmulator.Graph;

/// <summary>
/// <c>$select</c>: the properties a request asks for (case-insensitive, answered under their own names); a name the
/// type does not have is Graph's 400. Items are projected to exactly the selected properties, as Graph serves them.
/// </summary>
internal sealed class ODataSelect
{
    private readonly IReadOnlyList<string> _properties;

    private ODataSelect(IReadOnlyList<string> properties) => _properties = properties;

    /// <summary>Reads <c>$select</c>; <paramref name="select"/> is null when none was sent.</summary>
    public static string? TryRead(HttpRequest request, string entityType, IReadOnlyCollection<string> selectable, out ODataSelect? select)
    {
        select = null;
        if (request.Query["$select"] is not [{ Length: > 0 } text])
            return null;

        var properties = new List<string>();
        foreach (var name in text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            var known = selectable.FirstOrDefault(p => string.Equals(p, name, StringComparison.OrdinalIgnoreCase));
            if (known is null)
                return $"Could not find a property named '{name}' on type '{entityType}'.";
            if (!properties.Contains(known, StringComparer.Ordinal))
                properties.Add(known);
        }

        select = new ODataSelect(properties);
        return null;
    }

    /// <summary>The item's selected properties, from its JSON form (properties it lacks are null, as Graph writes them).</summary>
    public Dictionary<string, JsonElement?> Project<T>(T item, JsonSerializerOptions options)
    {
        var json = JsonSerializer.SerializeToElement(item, options);
        return _properties.ToDictionary(
            p => p, p => json.TryGetProperty(p, out var value) ? value : (JsonElement?)null, StringComparer.Ordinal);
    }
}
