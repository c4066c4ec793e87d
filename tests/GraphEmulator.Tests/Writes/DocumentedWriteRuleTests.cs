using System.Net;
using System.Text.Json;
using Microsoft.Graph.Models;
using TenantAtlas.GraphEmulator.Tenants;

namespace TenantAtlas.GraphEmulator.Tests.Writes;

/// <summary>The write rules of the emulator's documented schema (GraphPolicySchema), one per documented rule.</summary>
public sealed class DocumentedWriteRuleTests(GraphEmulatorFactory emulator) : IClassFixture<GraphEmulatorFactory>
{
    private const string Configurations = "/v1.0/deviceManagement/deviceConfigurations";
    private const string Compliance = "/v1.0/deviceManagement/deviceCompliancePolicies";
    private const string BlockRule =
        "\"scheduledActionsForRule\":[{\"ruleName\":\"PasswordRequired\",\"scheduledActionConfigurations\":[{\"actionType\":\"block\",\"gracePeriodHours\":0}]}]";

    [Fact]
    public async Task Create_WithTheKeyAndServiceMaintainedValues_IsAccepted_AndStoresTheServicesOwn()
    {
        var tenant = await emulator.DefineTenantAsync(new TenantDefinition { DeviceConfigurations = 0 });
        using var http = await emulator.CreateGraphHttpClientAsync(tenant);
        const string SentId = "7b7e1f0e-0000-4000-8000-000000000001";
        var before = DateTime.UtcNow.AddSeconds(-1);

        using var response = await PolicyCreateTests.PostJsonAsync(http, Configurations, $$"""
            {"@odata.type":"#microsoft.graph.windows10GeneralConfiguration","displayName":"copied from a read","id":"{{SentId}}",
             "createdDateTime":"2001-01-01T00:00:00Z","lastModifiedDateTime":"2001-01-02T00:00:00Z","version":9,"cameraBlocked":true}
            """);

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        using var created = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var policy = created.RootElement;
        Assert.NotEqual(SentId, policy.GetProperty("id").GetString());
        Assert.True(policy.GetProperty("createdDateTime").GetDateTime() >= before);
        Assert.Equal(policy.GetProperty("createdDateTime").GetDateTime(), policy.GetProperty("lastModifiedDateTime").GetDateTime());
        Assert.Equal(1, policy.GetProperty("version").GetInt32());
        Assert.True(policy.GetProperty("cameraBlocked").GetBoolean());
        using var bySentId = await http.GetAsync($"{Configurations}/{SentId}");
        Assert.Equal(HttpStatusCode.NotFound, bySentId.StatusCode);
    }

    [Fact]
    public async Task Patch_WithServiceMaintainedValues_IsAccepted_AndTheServiceAdvancesItsOwn()
    {
        var tenant = await emulator.DefineTenantAsync(new TenantDefinition { CompliancePolicies = 1 });
        using var client = emulator.CreateGraphClient(tenant);
        using var http = await emulator.CreateGraphHttpClientAsync(tenant);
        var id = tenant.Summary.CompliancePolicyIds[0];
        var before = await client.DeviceManagement.DeviceCompliancePolicies[id].GetAsync();

        using var response = await PolicyUpdateTests.PatchJsonAsync(http, $"{Compliance}/{id}", $$"""
            {"@odata.type":"{{before!.OdataType}}","id":"{{Guid.NewGuid()}}","version":42,"createdDateTime":"2001-01-01T00:00:00Z","description":"patched"}
            """);
        var after = await client.DeviceManagement.DeviceCompliancePolicies[id].GetAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("patched", after!.Description);
        Assert.Equal(before.Version + 1, after.Version);
        Assert.Equal(before.CreatedDateTime, after.CreatedDateTime);
        Assert.Equal(id, after.Id);
    }

    public static TheoryData<string> ComplianceRelationships() =>
        ["assignments", "deviceStatuses", "userStatuses", "deviceStatusOverview", "userStatusOverview", "deviceSettingStateSummaries"];

    [Theory]
    [MemberData(nameof(ComplianceRelationships))]
    public async Task ComplianceCreateAndPatch_WithARelationship_Are400NamingIt(string relationship)
    {
        var tenant = await emulator.DefineTenantAsync(new TenantDefinition { CompliancePolicies = 1 });
        using var http = await emulator.CreateGraphHttpClientAsync(tenant);
        var value = relationship.EndsWith("Overview", StringComparison.Ordinal) ? "{}" : "[]";

        using var create = await PolicyCreateTests.PostJsonAsync(http, Compliance,
            $$"""{"@odata.type":"#microsoft.graph.windows10CompliancePolicy","displayName":"c",{{BlockRule}},"{{relationship}}":{{value}}}""");
        using var patch = await PolicyUpdateTests.PatchJsonAsync(http, $"{Compliance}/{tenant.Summary.CompliancePolicyIds[0]}", $$"""{"{{relationship}}":{{value}}}""");

        await GraphErrorAssert.BadRequestNamingAsync(create, relationship);
        await GraphErrorAssert.BadRequestNamingAsync(patch, relationship);
        Assert.Equal(0, (await emulator.GetRequestCountsAsync(tenant.TenantId)).Writes);
    }

    [Fact]
    public async Task PrivacyAccessControls_IsARelationshipOfWindows10GeneralConfigurationOnly()
    {
        var tenant = await emulator.DefineTenantAsync(new TenantDefinition { DeviceConfigurations = 1 });
        using var http = await emulator.CreateGraphHttpClientAsync(tenant);
        const string Controls = """[{"accessLevel":"forceDeny","dataCategory":"camera","appPackageFamilyName":"x_8wekyb3d8bbwe"}]""";

        using var windowsCreate = await PolicyCreateTests.PostJsonAsync(http, Configurations,
            $$"""{"@odata.type":"#microsoft.graph.windows10GeneralConfiguration","displayName":"w","privacyAccessControls":{{Controls}}}""");
        using var windowsPatch = await PolicyUpdateTests.PatchJsonAsync(http, $"{Configurations}/{tenant.Summary.DeviceConfigurationIds[0]}", $$"""{"privacyAccessControls":{{Controls}}}""");
        using var macCreate = await PolicyCreateTests.PostJsonAsync(http, Configurations,
            """{"@odata.type":"#microsoft.graph.macOSGeneralDeviceConfiguration","displayName":"m","privacyAccessControls":[{"identifier":"com.contoso.app","identifierType":"bundleID"}]}""");

        await GraphErrorAssert.BadRequestNamingAsync(windowsCreate, "privacyAccessControls");
        await GraphErrorAssert.BadRequestNamingAsync(windowsPatch, "privacyAccessControls");
        Assert.Contains("windowsPrivacyAccessControls", await windowsCreate.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        // On macOS (beta macOSGeneralDeviceConfiguration) privacyAccessControls is a plain property: a setting.
        Assert.Equal(HttpStatusCode.Created, macCreate.StatusCode);
        using var mac = JsonDocument.Parse(await macCreate.Content.ReadAsStringAsync());
        Assert.Equal("com.contoso.app", mac.RootElement.GetProperty("privacyAccessControls")[0].GetProperty("identifier").GetString());
    }

    [Fact]
    public async Task Create_OfAnyTypeWithOrdinarySettingsOfAnyName_StoresThemVerbatim()
    {
        var tenant = await emulator.DefineTenantAsync(new TenantDefinition { DeviceConfigurations = 0, CompliancePolicies = 0 });
        using var http = await emulator.CreateGraphHttpClientAsync(tenant);
        // Settings whose names sound like secrets, statuses or navigation, nested objects and nulls are still settings.
        const string Settings = """
            "passwordRequiredType":"alphanumeric","passwordMinimumLength":14,"recoveryPasswordUsage":"allowed",
            "assignmentsVersion":3,"deviceStatusReportingEnabled":true,"userStatusesHidden":null,
            "networkProxyServer":{"@odata.type":"microsoft.graph.windows10NetworkProxyServer","address":"proxy:8080","exceptions":["*.contoso.com"]},
            "bluetoothAllowedServices":["0000110A-0000-1000-8000-00805F9B34FB"]
            """;

        using var configuration = await PolicyCreateTests.PostJsonAsync(http, Configurations,
            $$"""{"@odata.type":"#microsoft.graph.windows10DeviceFirmwareConfigurationInterface","displayName":"beta type",{{Settings}}}""");
        using var compliance = await PolicyCreateTests.PostJsonAsync(http, Compliance,
            $$"""{"@odata.type":"#microsoft.graph.windows10MobileCompliancePolicy","displayName":"v1.0 type",{{BlockRule}},{{Settings}}}""");

        using var sent = JsonDocument.Parse($$"""{{{Settings}}}""");
        foreach (var response in new[] { configuration, compliance })
        {
            Assert.Equal(HttpStatusCode.Created, response.StatusCode);
            using var read = JsonDocument.Parse(await http.GetStringAsync(response.Headers.Location));
            foreach (var property in sent.RootElement.EnumerateObject())
                Assert.Equal(property.Value.GetRawText(), read.RootElement.GetProperty(property.Name).GetRawText());
        }
    }

    [Fact]
    public async Task OmaSetting_ClaimingToBeEncrypted_Is400NamingIsEncrypted_WhilePlaintextWithIsEncryptedFalseIsCreated()
    {
        var tenant = await emulator.DefineTenantAsync(new TenantDefinition { DeviceConfigurations = 0 });
        using var client = emulator.CreateGraphClient(tenant);
        using var http = await emulator.CreateGraphHttpClientAsync(tenant);

        using var claimed = await PolicyCreateTests.PostJsonAsync(http, Configurations, """
            {"@odata.type":"#microsoft.graph.windows10CustomConfiguration","displayName":"OMA",
             "omaSettings":[{"@odata.type":"#microsoft.graph.omaSettingString","displayName":"s","omaUri":"./Device/x","isEncrypted":true,"value":"plain"}]}
            """);
        var created = await client.DeviceManagement.DeviceConfigurations.PostAsync(new Windows10CustomConfiguration
        {
            DisplayName = "OMA",
            OmaSettings = [new OmaSettingString { DisplayName = "s", OmaUri = "./Device/x", Value = "plain", AdditionalData = { ["isEncrypted"] = false } }],
        });

        await GraphErrorAssert.BadRequestNamingAsync(claimed, "isEncrypted");
        Assert.NotNull(created!.Id);
    }
}
