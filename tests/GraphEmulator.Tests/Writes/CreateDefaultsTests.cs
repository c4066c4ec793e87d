using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Graph.Models;
using TenantAtlas.GraphEmulator.Tenants;

namespace TenantAtlas.GraphEmulator.Tests.Writes;

/// <summary>The tenant's <c>createDefaults</c>: a Graph create stores properties its body did not send, as Graph's does.</summary>
public sealed class CreateDefaultsTests(GraphEmulatorFactory emulator) : IClassFixture<GraphEmulatorFactory>
{
    private static Dictionary<string, JsonElement> Defaults(string json) =>
        JsonSerializer.Deserialize<Dictionary<string, JsonElement>>(json)!;

    [Fact]
    public async Task ACreatedPolicy_CarriesTheDefaultsItsBodyLacked_AndKeepsWhatItSent()
    {
        var tenant = await emulator.DefineTenantAsync(new TenantDefinition
        {
            DeviceConfigurations = 0,
            CompliancePolicies = 0,
            CreateDefaults = Defaults("""{"passwordMinimumLength":8,"description":"Set by the service","roleScopeTagIds":["0"]}"""),
        });
        using var client = emulator.CreateGraphClient(tenant);
        using var http = await emulator.CreateGraphHttpClientAsync(tenant);

        var configuration = await client.DeviceManagement.DeviceConfigurations.PostAsync(new Windows10GeneralConfiguration
        {
            DisplayName = "Sent without a description",
            PasswordMinimumLength = 12,
        });
        using var compliance = await PolicyCreateTests.PostJsonAsync(http, "/v1.0/deviceManagement/deviceCompliancePolicies", """
            {"@odata.type":"#microsoft.graph.macOSCompliancePolicy","displayName":"c","description":"sent",
             "scheduledActionsForRule":[{"ruleName":"PasswordRequired","scheduledActionConfigurations":[{"actionType":"block"}]}]}
            """);
        var read = Assert.IsType<Windows10GeneralConfiguration>(await client.DeviceManagement.DeviceConfigurations[configuration!.Id].GetAsync());

        Assert.Equal(12, read.PasswordMinimumLength);
        Assert.Equal("Set by the service", read.Description);
        using (var raw = JsonDocument.Parse(await http.GetStringAsync($"/v1.0/deviceManagement/deviceConfigurations/{configuration.Id}")))
            Assert.Equal("[\"0\"]", raw.RootElement.GetProperty("roleScopeTagIds").GetRawText());
        Assert.Equal("Set by the service", configuration.Description); // the create's own answer already has them
        using var stored = JsonDocument.Parse(await http.GetStringAsync(compliance.Headers.Location));
        Assert.Equal("sent", stored.RootElement.GetProperty("description").GetString());
        Assert.Equal(8, stored.RootElement.GetProperty("passwordMinimumLength").GetInt32());
    }

    [Fact]
    public async Task WithoutDefaults_ACreatedPolicyIsTheBodySent_AndAdminCreatesNeverGetThem()
    {
        var plain = await emulator.DefineTenantAsync(new TenantDefinition { DeviceConfigurations = 0 });
        var withDefaults = await emulator.DefineTenantAsync(new TenantDefinition
        {
            DeviceConfigurations = 0,
            CreateDefaults = Defaults("""{"cameraBlocked":true}"""),
        });
        using var plainClient = emulator.CreateGraphClient(plain);
        using var admin = emulator.CreateClient();

        var created = await plainClient.DeviceManagement.DeviceConfigurations.PostAsync(new Windows10GeneralConfiguration { DisplayName = "plain" });
        using var seeded = await admin.PostAsync($"/emulator/tenants/{withDefaults.TenantId}/policies/deviceConfigurations",
            new StringContent("""{"@odata.type":"#microsoft.graph.windows10GeneralConfiguration","displayName":"seeded"}""",
                System.Text.Encoding.UTF8, "application/json"));

        Assert.Null(Assert.IsType<Windows10GeneralConfiguration>(created).CameraBlocked);
        var seededPolicy = await seeded.Content.ReadFromJsonAsync<JsonElement>();
        Assert.False(seededPolicy.TryGetProperty("cameraBlocked", out _));
    }

    [Theory]
    [InlineData("id")]
    [InlineData("version")]
    [InlineData("assignments")]
    [InlineData("scheduledActionsForRule")]
    [InlineData("@odata.type")]
    public async Task ADefaultForAServiceValueOrARelationship_IsRefused(string property)
    {
        using var admin = emulator.CreateClient();
        var definition = new TenantDefinition
        {
            ClientId = Guid.NewGuid().ToString(),
            ClientSecret = "s",
            CreateDefaults = new Dictionary<string, JsonElement> { [property] = JsonSerializer.SerializeToElement("x") },
        };

        using var response = await admin.PutAsJsonAsync($"/emulator/tenants/{Guid.NewGuid()}", definition);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains($"createDefaults.{property}", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }
}
