using System.Net;
using System.Text.Json;
using Microsoft.Graph.Models;
using Microsoft.Graph.Models.ODataErrors;
using TenantAtlas.GraphEmulator.Tenants;

namespace TenantAtlas.GraphEmulator.Tests.Writes;

public sealed class PolicyUpdateTests(GraphEmulatorFactory emulator) : IClassFixture<GraphEmulatorFactory>
{
    private const string FullExpand = "scheduledActionsForRule($expand=scheduledActionConfigurations)";

    [Fact]
    public async Task Patch_ThroughTheSdk_MergesProperties_AndAdvancesLastModifiedAndVersion()
    {
        var tenant = await emulator.DefineTenantAsync(new TenantDefinition { CompliancePolicies = 1 });
        using var client = emulator.CreateGraphClient(tenant);
        var id = tenant.Summary.CompliancePolicyIds[0];
        var before = Assert.IsType<Windows10CompliancePolicy>(await client.DeviceManagement.DeviceCompliancePolicies[id].GetAsync());

        await client.DeviceManagement.DeviceCompliancePolicies[id].PatchAsync(new Windows10CompliancePolicy
        {
            DisplayName = "Restored in place",
            OsMinimumVersion = "10.0.26100",
        });
        var after = Assert.IsType<Windows10CompliancePolicy>(await client.DeviceManagement.DeviceCompliancePolicies[id].GetAsync());

        Assert.Equal("Restored in place", after.DisplayName);
        Assert.Equal("10.0.26100", after.OsMinimumVersion);
        Assert.Equal(before.BitLockerEnabled, after.BitLockerEnabled);
        Assert.Equal(before.CreatedDateTime, after.CreatedDateTime);
        Assert.Equal(before.Version + 1, after.Version);
        Assert.True(after.LastModifiedDateTime > before.LastModifiedDateTime);
    }

    [Fact]
    public async Task Patch_OfAnUnknownId_Is404_AndOfRelationshipsOrSecretReferences_Is400()
    {
        var tenant = await emulator.DefineTenantAsync(new TenantDefinition { DeviceConfigurations = 1, CompliancePolicies = 1 });
        using var http = await emulator.CreateGraphHttpClientAsync(tenant);
        var configuration = $"/v1.0/deviceManagement/deviceConfigurations/{tenant.Summary.DeviceConfigurationIds[0]}";
        var compliance = $"/v1.0/deviceManagement/deviceCompliancePolicies/{tenant.Summary.CompliancePolicyIds[0]}";

        using var unknown = await PatchJsonAsync(http, $"/v1.0/deviceManagement/deviceConfigurations/{Guid.NewGuid()}", """{"displayName":"x"}""");
        using var assignments = await PatchJsonAsync(http, configuration, """{"assignments":[]}""");
        using var typeChange = await PatchJsonAsync(http, configuration, """{"@odata.type":"#microsoft.graph.iosGeneralDeviceConfiguration"}""");
        using var secret = await PatchJsonAsync(http, configuration, """{"omaSettings":[{"omaUri":"./x","secretReferenceValueId":"r","value":"****"}]}""");
        using var actions = await PatchJsonAsync(http, compliance, """{"scheduledActionsForRule":[{"scheduledActionConfigurations":[{"actionType":"block"}]}]}""");

        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        using (var error = JsonDocument.Parse(await unknown.Content.ReadAsStringAsync()))
            Assert.Equal("ResourceNotFound", error.RootElement.GetProperty("error").GetProperty("code").GetString());
        await GraphErrorAssert.BadRequestNamingAsync(assignments, "assignments");
        await GraphErrorAssert.BadRequestNamingAsync(typeChange, "@odata.type");
        await GraphErrorAssert.BadRequestNamingAsync(secret, "secretReferenceValueId");
        await GraphErrorAssert.BadRequestNamingAsync(actions, "scheduledActionsForRule");
        Assert.Equal(0, (await emulator.GetRequestCountsAsync(tenant.TenantId)).Writes);
    }

    [Fact]
    public async Task ScheduleActionsForRules_ReplacesTheActions_OnlyWithExactlyOneBlock()
    {
        var tenant = await emulator.DefineTenantAsync(new TenantDefinition { CompliancePolicies = 1 });
        using var http = await emulator.CreateGraphHttpClientAsync(tenant);
        using var client = emulator.CreateGraphClient(tenant);
        var id = tenant.Summary.CompliancePolicyIds[0];
        var path = $"/v1.0/deviceManagement/deviceCompliancePolicies/{id}/scheduleActionsForRules";

        using var noBlock = await PolicyCreateTests.PostJsonAsync(http, path,
            """{"deviceComplianceScheduledActionForRules":[{"ruleName":"PasswordRequired","scheduledActionConfigurations":[{"actionType":"retire","gracePeriodHours":1}]}]}""");
        using var replaced = await PolicyCreateTests.PostJsonAsync(http, path,
            """{"deviceComplianceScheduledActionForRules":[{"ruleName":"PasswordRequired","scheduledActionConfigurations":[{"actionType":"block","gracePeriodHours":12},{"actionType":"wipe","gracePeriodHours":720}]}]}""");
        using var unknown = await PolicyCreateTests.PostJsonAsync(http,
            $"/v1.0/deviceManagement/deviceCompliancePolicies/{Guid.NewGuid()}/scheduleActionsForRules",
            """{"deviceComplianceScheduledActionForRules":[{"scheduledActionConfigurations":[{"actionType":"block"}]}]}""");

        await GraphErrorAssert.BadRequestNamingAsync(noBlock, "scheduledActionsForRule");
        Assert.Equal(HttpStatusCode.NoContent, replaced.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        var policy = await client.DeviceManagement.DeviceCompliancePolicies[id].GetAsync(r => r.QueryParameters.Expand = [FullExpand]);
        var rule = Assert.Single(policy!.ScheduledActionsForRule!);
        Assert.Equal(
            [(DeviceComplianceActionType.Block, 12), (DeviceComplianceActionType.Wipe, 720)],
            rule.ScheduledActionConfigurations!.Select(a => (a.ActionType!.Value, a.GracePeriodHours!.Value)));
    }

    [Fact]
    public async Task Delete_RemovesThePolicy_AndAnUnknownIdIs404()
    {
        var tenant = await emulator.DefineTenantAsync(new TenantDefinition { DeviceConfigurations = 2 });
        using var client = emulator.CreateGraphClient(tenant);
        var id = tenant.Summary.DeviceConfigurationIds[0];

        await client.DeviceManagement.DeviceConfigurations[id].DeleteAsync();
        var again = await Assert.ThrowsAsync<ODataError>(() => client.DeviceManagement.DeviceConfigurations[id].DeleteAsync());

        Assert.Equal(404, again.ResponseStatusCode);
        Assert.Equal([tenant.Summary.DeviceConfigurationIds[1]], (await emulator.GetSummaryAsync(tenant.TenantId)).DeviceConfigurationIds);
    }

    internal static Task<HttpResponseMessage> PatchJsonAsync(HttpClient http, string path, string json) =>
        http.PatchAsync(path, new StringContent(json, System.Text.Encoding.UTF8, "application/json"));
}
