using System.Text.Json.Nodes;

namespace TenantAtlas.TenantGraph;

/// <summary>RFC 6901 JSON pointers into policy documents: how diffs, redacted secrets and the secrets a restore is given are named.</summary>
public static class JsonPointer
{
    /// <summary>A reference token: "~" is written "~0" and "/" is written "~1".</summary>
    public static string Escape(string key) => key.Replace("~", "~0", StringComparison.Ordinal).Replace("/", "~1", StringComparison.Ordinal);

    /// <summary>The value at <paramref name="path"/>, or null when the path does not exist.</summary>
    public static JsonNode? Find(JsonNode? root, string path) =>
        Parent(root, path, out var token) switch
        {
            JsonObject obj => obj[token],
            JsonArray array when int.TryParse(token, out var index) && index >= 0 && index < array.Count => array[index],
            _ => null,
        };

    /// <summary>Replaces the value at <paramref name="path"/>; false when the path does not exist.</summary>
    public static bool Replace(JsonNode root, string path, JsonNode? value)
    {
        switch (Parent(root, path, out var token))
        {
            case JsonObject obj when obj.ContainsKey(token):
                obj[token] = value;
                return true;
            case JsonArray array when int.TryParse(token, out var index) && index >= 0 && index < array.Count:
                array[index] = value;
                return true;
            default:
                return false;
        }
    }

    /// <summary>Removes the property or array element at <paramref name="path"/>; false when the path does not exist.</summary>
    public static bool Remove(JsonNode root, string path)
    {
        switch (Parent(root, path, out var token))
        {
            case JsonObject obj:
                return obj.Remove(token);
            case JsonArray array when int.TryParse(token, out var index) && index >= 0 && index < array.Count:
                array.RemoveAt(index);
                return true;
            default:
                return false;
        }
    }

    private static JsonNode? Parent(JsonNode? root, string path, out string token)
    {
        token = string.Empty;
        if (path.Length == 0 || path[0] != '/')
        {
            return null;
        }
        var tokens = path[1..].Split('/').Select(t => t.Replace("~1", "/", StringComparison.Ordinal).Replace("~0", "~", StringComparison.Ordinal)).ToArray();
        var node = root;
        foreach (var step in tokens[..^1])
        {
            node = node switch
            {
                JsonObject obj => obj[step],
                JsonArray array when int.TryParse(step, out var index) && index >= 0 && index < array.Count => array[index],
                _ => null,
            };
        }
        token = tokens[^1];
        return node;
    }
}
