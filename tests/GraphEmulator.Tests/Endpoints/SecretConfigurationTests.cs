using System.Text.Json;
using Microsoft.Graph.Models;
using TenantAtlas.GraphEmulator.Tenants;

namespace TenantAtlas.GraphEmulator.Tests.Endpoints;

public sealed class SecretConfigurationTests(GraphEmulatorFactory emulator) : IClassFixture<GraphEmulatorFactory>
{
    [Fact]
    public async Task EncryptedOmaSettings_AreMaskedInTheList_AndRevealedOnlyByTheFunction_WhichTheLogCounts()
    {
        var tenant = await emulator.DefineTenantAsync(new TenantDefinition { DeviceConfigurations = 6, EncryptedOmaSettingsEvery = 3 });
        using var client = emulator.CreateGraphClient(tenant);

        var configurations = (await client.DeviceManagement.DeviceConfigurations.GetAsync())!.Value!;
        var custom = Assert.IsType<Windows10CustomConfiguration>(configurations[2]);
        Assert.IsType<Windows10CustomConfiguration>(configurations[5]);
        Assert.Equal(2, tenant.Summary.Secrets.Count);
        var encrypted = Assert.IsType<OmaSettingString>(custom.OmaSettings![0]);
        Assert.Equal("****", encrypted.Value);
        Assert.Equal(true, encrypted.AdditionalData["isEncrypted"]);
        var reference = encrypted.AdditionalData["secretReferenceValueId"].ToString()!; // the SDK reads it as a Guid
        Assert.IsType<OmaSettingInteger>(custom.OmaSettings[1]);
        Assert.Equal(0, (await emulator.GetRequestCountsAsync(tenant.TenantId)).PlainTextSecretReads);

        var revealed = await client.DeviceManagement.DeviceConfigurations[custom.Id]
            .GetOmaSettingPlainTextValueWithSecretReferenceValueId(reference).GetAsGetOmaSettingPlainTextValueWithSecretReferenceValueIdGetResponseAsync();

        Assert.Equal(tenant.Summary.Secrets[0], revealed!.Value);
        Assert.StartsWith("oma-secret-003-", revealed.Value, StringComparison.Ordinal);
        Assert.Equal(1, (await emulator.GetRequestCountsAsync(tenant.TenantId)).PlainTextSecretReads);
    }

    [Fact]
    public async Task WifiProfiles_CarryTheirPreSharedKeyInPlainText_AsAnUnmodelledSubtype()
    {
        var tenant = await emulator.DefineTenantAsync(new TenantDefinition { DeviceConfigurations = 4, WifiEvery = 2 });
        using var http = await emulator.CreateGraphHttpClientAsync(tenant);

        using var list = JsonDocument.Parse(await http.GetStringAsync("/v1.0/deviceManagement/deviceConfigurations"));
        var wifi = list.RootElement.GetProperty("value")[1];

        Assert.Equal("@odata.type", wifi.EnumerateObject().First().Name);
        Assert.Equal("#microsoft.graph.windowsWifiConfiguration", wifi.GetProperty("@odata.type").GetString());
        Assert.Equal(tenant.Summary.Secrets[0], wifi.GetProperty("preSharedKey").GetString());
        Assert.Equal(2, tenant.Summary.Secrets.Count);
        Assert.All(tenant.Summary.Secrets, secret => Assert.StartsWith("wifi-psk-", secret, StringComparison.Ordinal));
    }

    [Fact]
    public async Task OptingIntoSecrets_KeepsEveryPolicyId_AndTheOtherPoliciesAsTheyWere()
    {
        var plain = await emulator.DefineTenantAsync(new TenantDefinition { DeviceConfigurations = 12, CompliancePolicies = 4, Seed = 5 });
        var withSecrets = await emulator.DefineTenantAsync(new TenantDefinition
        {
            DeviceConfigurations = 12, CompliancePolicies = 4, Seed = 5, EncryptedOmaSettingsEvery = 4, WifiEvery = 3,
            ComplianceWithoutBlockActionEvery = 2, Groups = 40,
        });

        Assert.Equal(plain.Summary.DeviceConfigurationIds, withSecrets.Summary.DeviceConfigurationIds);
        Assert.Equal(plain.Summary.CompliancePolicyIds, withSecrets.Summary.CompliancePolicyIds);
        Assert.Empty(plain.Summary.Secrets);
        Assert.Equal(plain.Summary.GroupIds, withSecrets.Summary.GroupIds.Take(16));
        using var plainClient = emulator.CreateGraphClient(plain);
        using var secretClient = emulator.CreateGraphClient(withSecrets);
        var before = (await plainClient.DeviceManagement.DeviceConfigurations.GetAsync())!.Value!;
        var after = (await secretClient.DeviceManagement.DeviceConfigurations.GetAsync())!.Value!;
        Assert.Equal(before[0].DisplayName, after[0].DisplayName);
        Assert.Equal(before[10].DisplayName, after[10].DisplayName);
        Assert.NotEqual(before[2].DisplayName, after[2].DisplayName);
    }
}
