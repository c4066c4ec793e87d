using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;

namespace TenantAtlas.TenantGraph;

/// <summary>One redacted value of a document: its RFC 6901 pointer, and whether Graph had only shown a mask there.</summary>
public sealed record RedactedSecret(string Path, bool Masked);

/// <summary>
/// Replaces the secrets of a captured policy (<see cref="SecretProperties"/>) with markers before anything is stored or
/// logged (INTUNE.md §0.6: every other tool writes them in plaintext); every other value is kept byte for byte.
/// <list type="bullet">
/// <item>A secret Graph showed in clear becomes <c>&lt;redacted sha256:…&gt;</c>: the SHA-256 of the value salted with the
/// tenant, so a changed secret changes the content hash (and shows in a diff as "changed") while the value is not
/// recoverable from a table of common secrets.</item>
/// <item>A mask (<c>****</c>) becomes <see cref="MaskedMarker"/>: Graph did not show the value, so nothing about it is known —
/// a drift over it is "unknown", never "unchanged". The plaintext call (getOmaSettingPlainTextValue) is never made.</item>
/// </list>
/// </summary>
public static class SecretRedactor
{
    public const string MarkerPrefix = "<redacted sha256:";

    /// <summary>The marker of a value Graph answered only masked.</summary>
    public const string MaskedMarker = "<redacted: masked by Graph>";

    /// <summary>Redacts <paramref name="document"/> in place; returns how many values were replaced.</summary>
    public static int Redact(JsonObject document, Guid tenantId)
    {
        var salt = tenantId.ToString("N");
        var redacted = 0;
        foreach (var name in SecretProperties.Of(Text(document["@odata.type"])))
        {
            redacted += RedactValue(document, name, salt);
        }
        foreach (var setting in (document[SecretProperties.OmaSettings] as JsonArray ?? []).OfType<JsonObject>())
        {
            if (SecretProperties.IsEncryptedOmaSetting(setting))
            {
                redacted += RedactValue(setting, "value", salt);
            }
        }
        return redacted + RedactMasks(document);
    }

    public static bool IsMarker(string? value) =>
        value is not null && (value.StartsWith(MarkerPrefix, StringComparison.Ordinal) || value == MaskedMarker);

    /// <summary>Every marker in a stored document, in document order.</summary>
    public static List<RedactedSecret> Markers(JsonNode? document)
    {
        var found = new List<RedactedSecret>();
        Collect(document, string.Empty, found);
        return found;
    }

    private static int RedactValue(JsonObject owner, string name, string salt)
    {
        if (Text(owner[name]) is not { Length: > 0 } value || IsMarker(value))
        {
            return 0;
        }
        owner[name] = SecretProperties.IsMask(value) ? MaskedMarker : Marker(value, salt);
        return 1;
    }

    /// <summary>Graph's masks wherever they stand: a placeholder must never be mistaken for (or restored as) a value.</summary>
    private static int RedactMasks(JsonNode? node)
    {
        var redacted = 0;
        switch (node)
        {
            case JsonObject obj:
                foreach (var (name, child) in obj.ToList())
                {
                    if (Text(child) is { } text && SecretProperties.IsMask(text))
                    {
                        obj[name] = MaskedMarker;
                        redacted++;
                    }
                    else
                    {
                        redacted += RedactMasks(child);
                    }
                }
                break;
            case JsonArray array:
                for (var i = 0; i < array.Count; i++)
                {
                    if (Text(array[i]) is { } text && SecretProperties.IsMask(text))
                    {
                        array[i] = MaskedMarker;
                        redacted++;
                    }
                    else
                    {
                        redacted += RedactMasks(array[i]);
                    }
                }
                break;
        }
        return redacted;
    }

    private static void Collect(JsonNode? node, string path, List<RedactedSecret> found)
    {
        switch (node)
        {
            case JsonObject obj:
                foreach (var (name, child) in obj)
                {
                    Collect(child, $"{path}/{JsonPointer.Escape(name)}", found);
                }
                break;
            case JsonArray array:
                for (var i = 0; i < array.Count; i++)
                {
                    Collect(array[i], $"{path}/{i}", found);
                }
                break;
            case JsonValue when Text(node) is { } text && IsMarker(text):
                found.Add(new RedactedSecret(path, text == MaskedMarker));
                break;
        }
    }

    private static string? Text(JsonNode? node) => node is JsonValue value && value.TryGetValue<string>(out var text) ? text : null;

    private static string Marker(string value, string salt) =>
        $"{MarkerPrefix}{Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes($"{salt}:{value}")))}>";
}
