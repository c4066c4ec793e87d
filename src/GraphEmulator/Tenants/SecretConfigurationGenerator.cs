namespace TenantAtlas.GraphEmulator.Tenants;

/// <summary>
/// Turns every Nth generated device configuration into one that holds a secret, as backups meet them: a
/// <c>windows10CustomConfiguration</c> whose encrypted OMA setting Graph masks (<c>****</c>, plaintext only via
/// <c>getOmaSettingPlainTextValue</c>), or a Wi-Fi profile with its pre-shared key in plain text (a subtype the
/// v1.0 SDK does not model). Id, dates and version stay as generated; the secrets come from their own stream.
/// </summary>
internal static class SecretConfigurationGenerator
{
    public const string CustomConfigurationType = "#microsoft.graph.windows10CustomConfiguration";
    public const string WifiConfigurationType = "#microsoft.graph.windowsWifiConfiguration";
    public const string MaskedValue = "****";

    public static Policy Apply(Policy policy, int index, Random random, TenantDefinition definition)
    {
        // Draw both whether or not they are used, so one policy's kind does not shift the next policy's secrets.
        var secretReferenceValueId = random.NextGuid();
        var suffix = random.NextHex();
        if (ComplianceActionGenerator.IsEveryNth(index, definition.EncryptedOmaSettingsEvery))
            return WithEncryptedOmaSetting(policy, index, secretReferenceValueId, $"oma-secret-{index + 1:D3}-{suffix}");
        if (ComplianceActionGenerator.IsEveryNth(index, definition.WifiEvery))
            return AsWifiProfile(policy, index, $"wifi-psk-{index + 1:D3}-{suffix}");
        return policy;
    }

    private static Policy WithEncryptedOmaSetting(Policy policy, int index, string secretReferenceValueId, string plainText) =>
        policy with
        {
            ODataType = CustomConfigurationType,
            DisplayName = $"Windows - Custom OMA-URI configuration {index + 1:D3}",
            Description = "Generated custom configuration with an encrypted OMA setting.",
            Settings = new Dictionary<string, object>
            {
                ["omaSettings"] = new object[]
                {
                    new Dictionary<string, object?>
                    {
                        ["@odata.type"] = "#microsoft.graph.omaSettingString",
                        ["displayName"] = "VPN pre-shared key",
                        ["description"] = "Encrypted by Intune; Graph returns a mask.",
                        ["omaUri"] = "./Vendor/MSFT/VPNv2/Contoso/NativeProfile/Authentication/PreSharedKey",
                        ["isEncrypted"] = true,
                        ["secretReferenceValueId"] = secretReferenceValueId,
                        ["value"] = MaskedValue,
                    },
                    new Dictionary<string, object?>
                    {
                        ["@odata.type"] = "#microsoft.graph.omaSettingInteger",
                        ["displayName"] = "Allow Cortana",
                        ["description"] = "A plain setting.",
                        ["omaUri"] = "./Device/Vendor/MSFT/Policy/Config/Experience/AllowCortana",
                        ["isEncrypted"] = false,
                        ["secretReferenceValueId"] = null,
                        ["value"] = 0,
                    },
                },
            },
            OmaPlainTextValues = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase) { [secretReferenceValueId] = plainText },
        };

    private static Policy AsWifiProfile(Policy policy, int index, string preSharedKey) =>
        policy with
        {
            ODataType = WifiConfigurationType,
            DisplayName = $"Windows - Wi-Fi profile {index + 1:D3}",
            Description = "Generated WPA2-Personal Wi-Fi profile.",
            Settings = new Dictionary<string, object>
            {
                ["networkName"] = $"CONTOSO-{index + 1:D3}",
                ["ssid"] = $"CONTOSO-{index + 1:D3}",
                ["connectAutomatically"] = true,
                ["connectWhenNetworkNameIsHidden"] = false,
                ["wifiSecurityType"] = "wpa2Personal",
                ["preSharedKey"] = preSharedKey,
                ["proxySetting"] = "none",
            },
        };
}
