using System.Text.Json.Nodes;

namespace TenantAtlas.TenantGraph;

/// <summary>
/// Where Intune policies hold secrets, as Graph documents them: per policy type, the properties whose value is a key or
/// password, plus the value of every encrypted OMA setting, plus Graph's masks. Knowledge, not a name fragment: ordinary
/// settings such as <c>passwordRequiredType</c>, <c>passwordMinimumLength</c> or <c>firewallPreSharedKeyEncodingMethod</c>
/// (an enum) are settings, and redacting them would make a policy unrestorable while hiding nothing (INTUNE.md "Traps").
/// A type that is not listed holds no secret property.
/// </summary>
public static class SecretProperties
{
    /// <summary>Root properties that hold a secret, by <c>@odata.type</c>.</summary>
    private static readonly Dictionary<string, string[]> ByType = new(StringComparer.Ordinal)
    {
        // "azureOperationalInsightsWorkspaceKey: The Azure Operational Insights Workspace key" (a Log Analytics shared key):
        // learn.microsoft.com/graph/api/resources/intune-deviceconfig-windows10teamgeneralconfiguration (v1.0).
        ["#microsoft.graph.windows10TeamGeneralConfiguration"] = ["azureOperationalInsightsWorkspaceKey"],
        // "productKey: Edition Upgrade Product Key" (a Windows licence key):
        // learn.microsoft.com/graph/api/resources/intune-deviceconfig-editionupgradeconfiguration (v1.0).
        ["#microsoft.graph.editionUpgradeConfiguration"] = ["productKey"],
        // Wi-Fi profiles are beta types that v1.0 lists with their properties in AdditionalData (INTUNE.md §0.2):
        // "preSharedKey: This is the pre-shared key for WPA Personal Wi-Fi network", on each beta Wi-Fi resource page
        // (intune-deviceconfig-windowswificonfiguration, -ioswificonfiguration, -macoswificonfiguration,
        // -androiddeviceownerwificonfiguration, -aospdeviceownerwificonfiguration).
        ["#microsoft.graph.windowsWifiConfiguration"] = ["preSharedKey"],
        ["#microsoft.graph.iosWiFiConfiguration"] = ["preSharedKey"],
        ["#microsoft.graph.macOSWiFiConfiguration"] = ["preSharedKey"],
        ["#microsoft.graph.androidDeviceOwnerWiFiConfiguration"] = ["preSharedKey"],
        ["#microsoft.graph.aospDeviceOwnerWiFiConfiguration"] = ["preSharedKey"],
    };

    /// <summary>
    /// What Graph answers in place of a secret it will not show: <c>****</c> for an encrypted OMA string, <c>PGEvPg==</c>
    /// (base64 of <c>&lt;a/&gt;</c>) for an encrypted OMA XML value (INTUNE.md §0.6; KelvinTegelaar/CIPP#5410).
    /// </summary>
    public static readonly IReadOnlyList<string> Masks = ["****", "PGEvPg=="];

    public const string OmaSettings = "omaSettings";

    /// <summary>The secret root properties of a policy type (none for a type that holds none).</summary>
    public static IReadOnlyList<string> Of(string? odataType) => odataType is not null && ByType.TryGetValue(odataType, out var names) ? names : [];

    /// <summary>
    /// An OMA setting whose value Intune keeps encrypted: <c>isEncrypted</c> true or a <c>secretReferenceValueId</c> (the
    /// handle getOmaSettingPlainTextValue takes; learn.microsoft.com/graph/api/intune-deviceconfig-deviceconfiguration-getomasettingplaintextvalue:
    /// "This API involves potential secret values").
    /// </summary>
    public static bool IsEncryptedOmaSetting(JsonObject setting) =>
        (setting["isEncrypted"] is JsonValue encrypted && encrypted.TryGetValue<bool>(out var isEncrypted) && isEncrypted)
        || (setting["secretReferenceValueId"] is JsonValue reference && reference.TryGetValue<string>(out var id) && id.Length > 0);

    public static bool IsMask(string value) => Masks.Contains(value, StringComparer.Ordinal);
}
