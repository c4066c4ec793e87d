using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Graph.Models;
using Microsoft.Graph.Models.ODataErrors;
using TenantAtlas.GraphEmulator.Tenants;

namespace TenantAtlas.GraphEmulator.Tests.Endpoints;

public sealed class PolicyAdminTests(GraphEmulatorFactory emulator) : IClassFixture<GraphEmulatorFactory>
{
    [Fact]
    public async Task AddedPolicy_IsServedWithItsNewId_AfterTheGeneratedOnes()
    {
        var tenant = await emulator.DefineTenantAsync(new TenantDefinition { DeviceConfigurations = 2 });
        using var admin = emulator.CreateClient();
        using var client = emulator.CreateGraphClient(tenant);

        using var response = await admin.PostAsJsonAsync($"/emulator/tenants/{tenant.TenantId}/policies/deviceConfigurations", new Dictionary<string, object>
        {
            ["@odata.type"] = "#microsoft.graph.windows10GeneralConfiguration",
            ["displayName"] = "Added between captures",
            ["passwordRequired"] = true,
            ["assignments"] = new[]
            {
                new Dictionary<string, object> { ["target"] = new Dictionary<string, string> { ["@odata.type"] = "#microsoft.graph.groupAssignmentTarget", ["groupId"] = tenant.Summary.GroupIds[0] } },
            },
        });
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        using var created = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var id = created.RootElement.GetProperty("id").GetString()!;

        var listed = (await client.DeviceManagement.DeviceConfigurations.GetAsync())!.Value!;
        Assert.Equal([.. tenant.Summary.DeviceConfigurationIds, id], listed.Select(c => c.Id));
        var added = Assert.IsType<Windows10GeneralConfiguration>(listed[2]);
        Assert.Equal("Added between captures", added.DisplayName);
        Assert.True(added.PasswordRequired);
        Assert.Equal(1, added.Version);
        Assert.Equal(3, (await emulator.GetSummaryAsync(tenant.TenantId)).DeviceConfigurations);
        var assignment = Assert.Single((await client.DeviceManagement.DeviceConfigurations[id].Assignments.GetAsync())!.Value!);
        Assert.Equal(tenant.Summary.GroupIds[0], Assert.IsType<GroupAssignmentTarget>(assignment.Target).GroupId);
    }

    [Fact]
    public async Task PatchedPolicy_MergesProperties_AndBumpsLastModifiedAndVersion()
    {
        var tenant = await emulator.DefineTenantAsync(new TenantDefinition { CompliancePolicies = 2 });
        using var admin = emulator.CreateClient();
        using var client = emulator.CreateGraphClient(tenant);
        var id = tenant.Summary.CompliancePolicyIds[0];
        var before = Assert.IsType<Windows10CompliancePolicy>(await client.DeviceManagement.DeviceCompliancePolicies[id].GetAsync());

        using var response = await admin.PatchAsJsonAsync($"/emulator/tenants/{tenant.TenantId}/policies/deviceCompliancePolicies/{id}",
            new { displayName = "Drifted", osMinimumVersion = "10.0.22631" });
        response.EnsureSuccessStatusCode();
        var after = Assert.IsType<Windows10CompliancePolicy>(await client.DeviceManagement.DeviceCompliancePolicies[id].GetAsync());

        Assert.Equal("Drifted", after.DisplayName);
        Assert.Equal("10.0.22631", after.OsMinimumVersion);
        Assert.Equal(before.BitLockerEnabled, after.BitLockerEnabled);
        Assert.Equal(before.Version + 1, after.Version);
        Assert.True(after.LastModifiedDateTime > before.LastModifiedDateTime);
    }

    [Fact]
    public async Task DeletedPolicy_IsGone_UntilTheTenantIsRedefined()
    {
        var definition = new TenantDefinition { DeviceConfigurations = 3 };
        var tenant = await emulator.DefineTenantAsync(definition);
        using var admin = emulator.CreateClient();
        using var client = emulator.CreateGraphClient(tenant);
        var id = tenant.Summary.DeviceConfigurationIds[1];

        using var deleted = await admin.DeleteAsync($"/emulator/tenants/{tenant.TenantId}/policies/deviceConfigurations/{id}");
        var error = await Assert.ThrowsAsync<ODataError>(() => client.DeviceManagement.DeviceConfigurations[id].GetAsync());
        await emulator.DefineTenantAsync(definition, tenant.TenantId);

        Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        Assert.Equal(404, error.ResponseStatusCode);
        Assert.Equal(3, (await emulator.GetSummaryAsync(tenant.TenantId)).DeviceConfigurationIds.Count);
    }

    [Fact]
    public async Task InvalidChanges_AreRejectedWithTheField()
    {
        var tenant = await emulator.DefineTenantAsync(new TenantDefinition { DeviceConfigurations = 1 });
        using var admin = emulator.CreateClient();
        var policies = $"/emulator/tenants/{tenant.TenantId}/policies";

        using var noType = await admin.PostAsJsonAsync($"{policies}/deviceConfigurations", new { displayName = "x" });
        using var wrongCollection = await admin.PostAsJsonAsync($"{policies}/groups", new { displayName = "x" });
        using var typeChange = await admin.PatchAsJsonAsync($"{policies}/deviceConfigurations/{tenant.Summary.DeviceConfigurationIds[0]}",
            new Dictionary<string, object> { ["@odata.type"] = "#microsoft.graph.iosGeneralDeviceConfiguration", ["version"] = 9 });

        Assert.Equal(HttpStatusCode.BadRequest, noType.StatusCode);
        Assert.Contains("@odata.type", await noType.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.BadRequest, wrongCollection.StatusCode);
        Assert.Contains("collection", await wrongCollection.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        var typeChangeBody = await typeChange.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.BadRequest, typeChange.StatusCode);
        Assert.Contains("@odata.type", typeChangeBody, StringComparison.Ordinal);
        Assert.Contains("\"version\"", typeChangeBody, StringComparison.Ordinal);
    }
}
