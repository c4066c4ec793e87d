using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Graph.Models;
using TenantAtlas.GraphEmulator.Tenants;

namespace TenantAtlas.GraphEmulator.Tests.Graph;

/// <summary>Read-after-write lag on lists (fault <c>listLagSeconds</c>), on the emulator's own clock moved by the test.</summary>
public sealed class ListLagTests(FakeClockGraphEmulatorFactory emulator) : IClassFixture<FakeClockGraphEmulatorFactory>
{
    [Fact]
    public async Task APolicyCreatedThroughGraph_IsMissingFromLists_UntilTheLagHasPassed_ButFoundById()
    {
        var tenant = await emulator.DefineTenantAsync(new TenantDefinition { DeviceConfigurations = 2 });
        await emulator.SetFaultsAsync(tenant.TenantId, new FaultSettings(ListLagSeconds: 30));
        using var client = emulator.CreateGraphClient(tenant);

        var created = await client.DeviceManagement.DeviceConfigurations.PostAsync(new Windows10GeneralConfiguration { DisplayName = "Just created" });
        var right = await ListedIdsAsync(client);
        var byId = await client.DeviceManagement.DeviceConfigurations[created!.Id].GetAsync();
        emulator.Clock.Advance(TimeSpan.FromSeconds(29));
        var almost = await ListedIdsAsync(client);
        emulator.Clock.Advance(TimeSpan.FromSeconds(1));
        var after = await ListedIdsAsync(client);

        Assert.Equal(tenant.Summary.DeviceConfigurationIds, right);
        Assert.Equal("Just created", byId!.DisplayName);
        Assert.Equal(tenant.Summary.DeviceConfigurationIds, almost);
        Assert.Equal([.. tenant.Summary.DeviceConfigurationIds, created.Id!], after);
    }

    [Fact]
    public async Task TheLag_AppliesToListsInsideABatch_AndToComplianceCreates_NotToAdminCreatedPolicies()
    {
        var tenant = await emulator.DefineTenantAsync(new TenantDefinition { DeviceConfigurations = 0, CompliancePolicies = 0 });
        await emulator.SetFaultsAsync(tenant.TenantId, new FaultSettings(ListLagSeconds: 60));
        using var http = await emulator.CreateGraphHttpClientAsync(tenant);
        using var admin = emulator.CreateClient();
        using var viaAdmin = await admin.PostAsync($"/emulator/tenants/{tenant.TenantId}/policies/deviceCompliancePolicies",
            new StringContent("""{"@odata.type":"#microsoft.graph.iosCompliancePolicy","displayName":"seeded"}""", System.Text.Encoding.UTF8, "application/json"));
        using var viaGraph = await http.PostAsync("/v1.0/deviceManagement/deviceCompliancePolicies", new StringContent("""
            {"@odata.type":"#microsoft.graph.iosCompliancePolicy","displayName":"restored",
             "scheduledActionsForRule":[{"ruleName":"PasswordRequired","scheduledActionConfigurations":[{"actionType":"block"}]}]}
            """, System.Text.Encoding.UTF8, "application/json"));
        var createdId = (await viaGraph.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString();

        var listedNow = await BatchListAsync(http, createdId!);
        emulator.Clock.Advance(TimeSpan.FromSeconds(60));
        var listedLater = await BatchListAsync(http, createdId!);

        Assert.Equal(HttpStatusCode.Created, viaAdmin.StatusCode);
        Assert.Equal(HttpStatusCode.Created, viaGraph.StatusCode);
        Assert.Equal(["seeded"], listedNow.List);
        Assert.Equal(200, listedNow.ItemStatus);
        Assert.Equal(["seeded", "restored"], listedLater.List);
        Assert.Equal(createdId, listedNow.ItemId);
    }

    private static async Task<List<string>> ListedIdsAsync(Microsoft.Graph.GraphServiceClient client) =>
        [.. (await client.DeviceManagement.DeviceConfigurations.GetAsync())!.Value!.Select(p => p.Id!)];

    /// <summary>A $batch of the compliance list and of one policy by id: the listed names, and the item's status and id.</summary>
    private static async Task<(List<string> List, int ItemStatus, string? ItemId)> BatchListAsync(HttpClient http, string id)
    {
        using var response = await http.PostAsJsonAsync("/v1.0/$batch", new
        {
            requests = new object[]
            {
                new { id = "list", method = "GET", url = "/deviceManagement/deviceCompliancePolicies" },
                new { id = "item", method = "GET", url = $"/deviceManagement/deviceCompliancePolicies/{id}" },
            },
        });
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var byId = body.RootElement.GetProperty("responses").EnumerateArray().ToDictionary(r => r.GetProperty("id").GetString()!);
        var list = byId["list"].GetProperty("body").GetProperty("value").EnumerateArray()
            .Select(p => p.GetProperty("displayName").GetString()!).ToList();
        var item = byId["item"];
        return (list, item.GetProperty("status").GetInt32(), item.GetProperty("body").GetProperty("id").GetString());
    }
}
