using System.Collections.Frozen;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace TenantAtlas.GraphEmulator.Tenants;

/// <summary>
/// The emulator's own table of the policy properties Graph's documentation describes as holding a secret, by
/// <c>@odata.type</c>, each with the page that says so (learn.microsoft.com/graph/api/resources/…; source in
/// microsoftgraph/microsoft-graph-docs-contrib). Not a name heuristic (a "password…" setting is usually a policy rule,
/// not a secret) and not the product's list: the tenant summary's <c>secrets</c> comes from here, so a test searching a
/// database or log for leaks looks for exactly what Graph holds as secret.
/// </summary>
/// <remarks>
/// <para>What a Graph GET returns. The properties below are plain <c>String</c> properties whose pages document no
/// masking, and whose get and list pages show them in the response (e.g. v1.0
/// <c>api/intune-deviceconfig-windows10teamgeneralconfiguration-get</c> answers <c>azureOperationalInsightsWorkspaceKey</c>);
/// the emulator serves them as stored, so a backup meets the plaintext as it would in a tenant.</para>
/// <para>Encrypted OMA settings are the exception Graph documents: an <c>omaSettings[]</c> item with
/// <c>isEncrypted</c> and a <c>secretReferenceValueId</c> (beta resources/intune-deviceconfig-omasetting) is served with
/// the value <c>****</c>; the plaintext only through <c>getOmaSettingPlainTextValue</c> (v1.0
/// resources/intune-deviceconfig-deviceconfiguration, Methods). Which values Intune encrypts is known behaviour, not
/// documentation: "Strings are now stored as encrypted in Intune" (Micke-K/IntuneManagement#29, the maintainer, 2021), so
/// every <c>omaSettingString</c> value written (Graph POST/PATCH or the admin API) is stored encrypted.</para>
/// </remarks>
internal static class GraphSecretPropertyTable
{
    public const string Mask = "****";

    private const string OmaSettingString = "#microsoft.graph.omaSettingString";

    /// <summary>A documented secret property: its name, the documentation's words for it, and the page.</summary>
    public sealed record SecretProperty(string Name, string Documented, string Page);

    private static readonly SecretProperty WifiPreSharedKey = new(
        "preSharedKey", "This is the pre-shared key for WPA Personal Wi-Fi network.", "");

    private static readonly FrozenDictionary<string, SecretProperty[]> ByType = new Dictionary<string, SecretProperty[]>
    {
        ["#microsoft.graph.windows10TeamGeneralConfiguration"] =
            [new("azureOperationalInsightsWorkspaceKey", "The Azure Operational Insights Workspace key.", "v1.0 intune-deviceconfig-windows10teamgeneralconfiguration")],
        ["#microsoft.graph.editionUpgradeConfiguration"] =
            [new("productKey", "Edition Upgrade Product Key.", "v1.0 intune-deviceconfig-editionupgradeconfiguration")],
        // Wi-Fi pre-shared keys (beta types; an Enterprise subtype inherits the key, "Inherits from" on its page).
        ["#microsoft.graph.windowsWifiConfiguration"] = [WifiPreSharedKey with { Page = "beta intune-deviceconfig-windowswificonfiguration" }],
        ["#microsoft.graph.windowsWifiEnterpriseEAPConfiguration"] =
            [WifiPreSharedKey with { Page = "beta intune-deviceconfig-windowswifienterpriseeapconfiguration (inherits windowsWifiConfiguration)" }],
        ["#microsoft.graph.iosWiFiConfiguration"] = [WifiPreSharedKey with { Page = "beta intune-deviceconfig-ioswificonfiguration" }],
        ["#microsoft.graph.iosEnterpriseWiFiConfiguration"] =
            [WifiPreSharedKey with { Page = "beta intune-deviceconfig-iosenterprisewificonfiguration (inherits iosWiFiConfiguration)" }],
        ["#microsoft.graph.macOSWiFiConfiguration"] = [WifiPreSharedKey with { Page = "beta intune-deviceconfig-macoswificonfiguration" }],
        ["#microsoft.graph.macOSEnterpriseWiFiConfiguration"] =
            [WifiPreSharedKey with { Page = "beta intune-deviceconfig-macosenterprisewificonfiguration (inherits macOSWiFiConfiguration)" }],
        ["#microsoft.graph.androidDeviceOwnerWiFiConfiguration"] =
            [WifiPreSharedKey with { Page = "beta intune-deviceconfig-androiddeviceownerwificonfiguration" }],
        ["#microsoft.graph.androidDeviceOwnerEnterpriseWiFiConfiguration"] =
            [WifiPreSharedKey with { Page = "beta intune-deviceconfig-androiddeviceownerenterprisewificonfiguration (inherits androidDeviceOwnerWiFiConfiguration)" }],
        ["#microsoft.graph.aospDeviceOwnerWiFiConfiguration"] =
            [WifiPreSharedKey with { Page = "beta intune-deviceconfig-aospdeviceownerwificonfiguration" }],
        ["#microsoft.graph.aospDeviceOwnerEnterpriseWiFiConfiguration"] =
            [WifiPreSharedKey with { Page = "beta intune-deviceconfig-aospdeviceownerenterprisewificonfiguration (inherits aospDeviceOwnerWiFiConfiguration)" }],
    }.ToFrozenDictionary(StringComparer.Ordinal);

    /// <summary>The documented secret properties of a type (none for most).</summary>
    public static IReadOnlyList<SecretProperty> PropertiesOf(string odataType) => ByType.GetValueOrDefault(odataType) ?? [];

    /// <summary>
    /// Every secret plaintext the policy holds: its type's documented secret properties, then its encrypted OMA values in
    /// <c>omaSettings</c> order. Empty values and Graph's mask are not secrets.
    /// </summary>
    public static IReadOnlyList<string> PlaintextsOf(Policy policy)
    {
        var found = new List<string>();
        foreach (var property in PropertiesOf(policy.ODataType))
        {
            if (policy.Settings.TryGetValue(property.Name, out var value) && AsJson(value) is { ValueKind: JsonValueKind.String } text)
                AddSecret(found, text.GetString());
        }

        if (policy.Settings.TryGetValue("omaSettings", out var settings) && AsJson(settings) is { ValueKind: JsonValueKind.Array } items)
        {
            foreach (var item in items.EnumerateArray())
            {
                if (ReferenceOf(item) is { } reference && policy.OmaPlainTextValues.TryGetValue(reference, out var plainText))
                    AddSecret(found, plainText);
            }
        }

        return found;
    }

    /// <summary>
    /// The <c>omaSettings</c> to store for a written array: each <c>omaSettingString</c> holding a plaintext value is
    /// stored encrypted (a new <c>secretReferenceValueId</c>, <c>isEncrypted</c> true, the value masked) with its
    /// plaintext added to <paramref name="plainTexts"/>; an item already encrypted keeps its reference, and its plaintext
    /// when <paramref name="known"/> has it or the item carries one (the admin API seeding a secret). Other items are kept.
    /// </summary>
    public static JsonElement EncryptOmaSettings(
        JsonElement settings, IReadOnlyDictionary<string, string> known, Dictionary<string, string> plainTexts)
    {
        if (settings.ValueKind != JsonValueKind.Array)
            return settings.Clone();
        var stored = new JsonArray();
        foreach (var item in settings.EnumerateArray())
        {
            var node = JsonNode.Parse(item.GetRawText());
            if (node is JsonObject setting && item.TryGetProperty("@odata.type", out var type) && type.ValueEquals(OmaSettingString)
                && item.TryGetProperty("value", out var value) && value.ValueKind == JsonValueKind.String)
            {
                var reference = ReferenceOf(item);
                var text = value.GetString()!;
                if (reference is null || text != Mask)
                {
                    reference ??= Guid.NewGuid().ToString();
                    plainTexts[reference] = text;
                }
                else if (known.TryGetValue(reference, out var plainText))
                {
                    plainTexts[reference] = plainText;
                }

                setting["isEncrypted"] = true;
                setting["secretReferenceValueId"] = reference;
                setting["value"] = Mask;
            }

            stored.Add(node);
        }

        return JsonSerializer.SerializeToElement(stored);
    }

    private static string? ReferenceOf(JsonElement setting) =>
        setting.ValueKind == JsonValueKind.Object && setting.TryGetProperty("secretReferenceValueId", out var reference)
            && reference.ValueKind == JsonValueKind.String && reference.GetString() is { Length: > 0 } id
            ? id
            : null;

    private static void AddSecret(List<string> found, string? value)
    {
        if (!string.IsNullOrEmpty(value) && value != Mask)
            found.Add(value);
    }

    /// <summary>A setting as JSON, whether it was written (a <see cref="JsonElement"/>) or generated (plain objects).</summary>
    private static JsonElement AsJson(object value) =>
        value is JsonElement element ? element : JsonSerializer.SerializeToElement(value, JsonSerializerOptions.Web);
}
