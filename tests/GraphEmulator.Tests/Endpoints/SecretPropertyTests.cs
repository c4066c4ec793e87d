using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Graph.Models;
using TenantAtlas.GraphEmulator.Tenants;
using TenantAtlas.GraphEmulator.Tests.Writes;

namespace TenantAtlas.GraphEmulator.Tests.Endpoints;

/// <summary>The tenant summary's <c>secrets</c> follow the emulator's documented secret table, however a policy got in.</summary>
public sealed class SecretPropertyTests(GraphEmulatorFactory emulator) : IClassFixture<GraphEmulatorFactory>
{
    private const string Configurations = "/v1.0/deviceManagement/deviceConfigurations";

    [Fact]
    public async Task DocumentedSecrets_PostedThroughGraph_AreListed_AndServedAsStored_WhilePasswordNamedSettingsAreNot()
    {
        var tenant = await emulator.DefineTenantAsync(new TenantDefinition { DeviceConfigurations = 0 });
        using var http = await emulator.CreateGraphHttpClientAsync(tenant);

        using var team = await PolicyCreateTests.PostJsonAsync(http, Configurations, """
            {"@odata.type":"#microsoft.graph.windows10TeamGeneralConfiguration","displayName":"Surface Hub",
             "azureOperationalInsightsWorkspaceId":"ws-1","azureOperationalInsightsWorkspaceKey":"team-workspace-key"}
            """);
        using var edition = await PolicyCreateTests.PostJsonAsync(http, Configurations, """
            {"@odata.type":"#microsoft.graph.editionUpgradeConfiguration","displayName":"Upgrade","licenseType":"productKey","productKey":"AAAAA-BBBBB-CCCCC"}
            """);
        using var wifi = await PolicyCreateTests.PostJsonAsync(http, Configurations, """
            {"@odata.type":"#microsoft.graph.iosEnterpriseWiFiConfiguration","displayName":"Wi-Fi","ssid":"CONTOSO","preSharedKey":"ios-psk"}
            """);
        using var windows = await PolicyCreateTests.PostJsonAsync(http, Configurations, """
            {"@odata.type":"#microsoft.graph.windows10GeneralConfiguration","displayName":"Rules","passwordRequiredType":"alphanumeric",
             "passwordSignInFailureCountBeforeFactoryReset":5,"preSharedKey":"not a property of this type"}
            """);

        Assert.All(new[] { team, edition, wifi, windows }, r => Assert.Equal(HttpStatusCode.Created, r.StatusCode));
        var secrets = (await emulator.GetSummaryAsync(tenant.TenantId)).Secrets;
        Assert.Equal(["team-workspace-key", "AAAAA-BBBBB-CCCCC", "ios-psk"], secrets);
        using var read = JsonDocument.Parse(await http.GetStringAsync(team.Headers.Location));
        Assert.Equal("team-workspace-key", read.RootElement.GetProperty("azureOperationalInsightsWorkspaceKey").GetString());
    }

    [Fact]
    public async Task OmaStringValuesWrittenThroughGraph_AreStoredEncrypted_MaskedOnRead_AndRevealedOnlyByTheFunction()
    {
        var tenant = await emulator.DefineTenantAsync(new TenantDefinition { DeviceConfigurations = 0 });
        using var client = emulator.CreateGraphClient(tenant);

        var created = await client.DeviceManagement.DeviceConfigurations.PostAsync(new Windows10CustomConfiguration
        {
            DisplayName = "Custom",
            OmaSettings =
            [
                new OmaSettingString { DisplayName = "key", OmaUri = "./Vendor/MSFT/VPNv2/x/PreSharedKey", Value = "restored-oma-secret" },
                new OmaSettingInteger { DisplayName = "n", OmaUri = "./Device/Vendor/MSFT/Policy/Config/x", Value = 3 },
            ],
        });
        var read = Assert.IsType<Windows10CustomConfiguration>(await client.DeviceManagement.DeviceConfigurations[created!.Id].GetAsync());

        var encrypted = Assert.IsType<OmaSettingString>(read.OmaSettings![0]);
        Assert.Equal("****", encrypted.Value);
        Assert.Equal(true, encrypted.AdditionalData["isEncrypted"]);
        Assert.Equal(3, Assert.IsType<OmaSettingInteger>(read.OmaSettings[1]).Value);
        var reference = encrypted.AdditionalData["secretReferenceValueId"].ToString()!;
        var revealed = await client.DeviceManagement.DeviceConfigurations[created.Id]
            .GetOmaSettingPlainTextValueWithSecretReferenceValueId(reference).GetAsGetOmaSettingPlainTextValueWithSecretReferenceValueIdGetResponseAsync();
        Assert.Equal("restored-oma-secret", revealed!.Value);
        Assert.Equal(["restored-oma-secret"], (await emulator.GetSummaryAsync(tenant.TenantId)).Secrets);
    }

    [Fact]
    public async Task SecretsFollowEveryChange_AdminPost_GraphPatch_AndDelete()
    {
        var tenant = await emulator.DefineTenantAsync(new TenantDefinition { DeviceConfigurations = 0 });
        using var http = await emulator.CreateGraphHttpClientAsync(tenant);
        using var admin = emulator.CreateClient();

        using var added = await admin.PostAsync($"/emulator/tenants/{tenant.TenantId}/policies/deviceConfigurations", new StringContent("""
            {"@odata.type":"#microsoft.graph.androidDeviceOwnerWiFiConfiguration","displayName":"Android Wi-Fi","ssid":"A","preSharedKey":"admin-psk",
             "omaSettings":[]}
            """, System.Text.Encoding.UTF8, "application/json"));
        var id = (await added.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString();
        var afterAdmin = (await emulator.GetSummaryAsync(tenant.TenantId)).Secrets;
        using var patched = await PolicyUpdateTests.PatchJsonAsync(http, $"{Configurations}/{id}", """{"preSharedKey":"rotated-psk"}""");
        var afterPatch = (await emulator.GetSummaryAsync(tenant.TenantId)).Secrets;
        using var deleted = await http.DeleteAsync($"{Configurations}/{id}");

        Assert.Equal(HttpStatusCode.Created, added.StatusCode);
        Assert.Equal(["admin-psk"], afterAdmin);
        Assert.Equal(HttpStatusCode.OK, patched.StatusCode);
        Assert.Equal(["rotated-psk"], afterPatch);
        Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        Assert.Empty((await emulator.GetSummaryAsync(tenant.TenantId)).Secrets);
    }

    [Fact]
    public async Task PatchingOmaSettings_ReplacesTheirPlaintexts()
    {
        var tenant = await emulator.DefineTenantAsync(new TenantDefinition { DeviceConfigurations = 3, EncryptedOmaSettingsEvery = 3 });
        using var http = await emulator.CreateGraphHttpClientAsync(tenant);
        var custom = tenant.Summary.DeviceConfigurationIds[2];
        var generated = Assert.Single(tenant.Summary.Secrets);

        using var patched = await PolicyUpdateTests.PatchJsonAsync(http, $"{Configurations}/{custom}", """
            {"omaSettings":[{"@odata.type":"#microsoft.graph.omaSettingString","displayName":"new","omaUri":"./Device/y","value":"replacement-secret"}]}
            """);

        Assert.Equal(HttpStatusCode.OK, patched.StatusCode);
        Assert.StartsWith("oma-secret-003-", generated, StringComparison.Ordinal);
        Assert.Equal(["replacement-secret"], (await emulator.GetSummaryAsync(tenant.TenantId)).Secrets);
        Assert.DoesNotContain("replacement-secret", await patched.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }
}
