using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;

namespace TenantAtlas.TenantGraph;

/// <summary>
/// Replaces secrets in a captured policy with <c>&lt;redacted sha256:…&gt;</c> markers before anything is stored or
/// logged (INTUNE.md §0.6: every other tool writes them in plaintext). What counts as a secret:
/// <list type="bullet">
/// <item>the <c>value</c> of an OMA setting that is encrypted (<c>isEncrypted: true</c> or a <c>secretReferenceValueId</c>);
/// Graph sends it masked, and the plaintext call (<c>getOmaSettingPlainTextValue</c>) is never made;</item>
/// <item>any string that is one of Graph's masks (<c>****</c>, <c>PGEvPg==</c>), so a placeholder is never mistaken for a value;</item>
/// <item>properties whose names say they hold one (pre-shared keys, passwords, shared secrets, private keys, PFX/PKCS#12 blobs).</item>
/// </list>
/// The marker keeps the SHA-256 of the value, salted with the tenant, so a changed secret changes the content hash
/// (and shows in a diff as "changed") while the value itself is not recoverable from a table of common secrets.
/// </summary>
public static class SecretRedactor
{
    public const string MarkerPrefix = "<redacted sha256:";

    private static readonly string[] Masks = ["****", "PGEvPg=="];

    /// <summary>Name fragments (lower case) of properties that hold secrets in Intune profiles.</summary>
    private static readonly string[] SecretNameFragments =
        ["presharedkey", "password", "sharedsecret", "privatekey", "pfxblob", "pkcs12", "clientsecret", "passphrase"];

    /// <summary>Redacts <paramref name="document"/> in place; returns how many values were replaced.</summary>
    public static int Redact(JsonNode? document, Guid tenantId)
    {
        var salt = tenantId.ToString("N");
        return Walk(document, salt);
    }

    /// <summary>True when a property of this name holds a secret.</summary>
    public static bool IsSecretName(string name)
    {
        var lower = name.ToLowerInvariant();
        return lower != "secretreferencevalueid" && SecretNameFragments.Any(lower.Contains);
    }

    public static bool IsMarker(string? value) => value?.StartsWith(MarkerPrefix, StringComparison.Ordinal) == true;

    private static int Walk(JsonNode? node, string salt)
    {
        var redacted = 0;
        switch (node)
        {
            case JsonObject obj:
                var encryptedSetting = IsEncryptedSetting(obj);
                foreach (var (name, child) in obj.ToList())
                {
                    if (child is JsonValue value && value.TryGetValue<string>(out var text) && text.Length > 0 && !IsMarker(text)
                        && ((encryptedSetting && name == "value") || IsSecretName(name) || Masks.Contains(text)))
                    {
                        obj[name] = Marker(text, salt);
                        redacted++;
                    }
                    else
                    {
                        redacted += Walk(child, salt);
                    }
                }
                break;
            case JsonArray array:
                for (var i = 0; i < array.Count; i++)
                {
                    if (array[i] is JsonValue value && value.TryGetValue<string>(out var text) && Masks.Contains(text))
                    {
                        array[i] = Marker(text, salt);
                        redacted++;
                    }
                    else
                    {
                        redacted += Walk(array[i], salt);
                    }
                }
                break;
        }
        return redacted;
    }

    private static bool IsEncryptedSetting(JsonObject obj) =>
        (obj["isEncrypted"] is JsonValue encrypted && encrypted.TryGetValue<bool>(out var isEncrypted) && isEncrypted)
        || (obj["secretReferenceValueId"] is JsonValue reference && reference.TryGetValue<string>(out var id) && id.Length > 0);

    private static string Marker(string value, string salt) =>
        $"{MarkerPrefix}{Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes($"{salt}:{value}")))}>";
}
