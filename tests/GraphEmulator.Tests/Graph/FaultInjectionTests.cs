using System.Diagnostics;
using Microsoft.Graph.Models.ODataErrors;
using TenantAtlas.GraphEmulator.Tenants;

namespace TenantAtlas.GraphEmulator.Tests.Graph;

public sealed class FaultInjectionTests(GraphEmulatorFactory emulator) : IClassFixture<GraphEmulatorFactory>
{
    [Fact]
    public async Task FailingItem_AnswersTheFailingStatusEveryTime_WhileOtherItemsSucceed()
    {
        var tenant = await emulator.DefineTenantAsync(new TenantDefinition { DeviceConfigurations = 3 });
        using var client = emulator.CreateGraphClient(tenant);
        var ids = tenant.Summary.DeviceConfigurationIds;
        await emulator.SetFaultsAsync(tenant.TenantId, new FaultSettings(FailingItemIds: [ids[1]]));

        var assignmentsError = await Assert.ThrowsAsync<ODataError>(() =>
            client.DeviceManagement.DeviceConfigurations[ids[1]].Assignments.GetAsync());
        var againError = await Assert.ThrowsAsync<ODataError>(() =>
            client.DeviceManagement.DeviceConfigurations[ids[1]].Assignments.GetAsync());
        var getError = await Assert.ThrowsAsync<ODataError>(() => client.DeviceManagement.DeviceConfigurations[ids[1]].GetAsync());
        var healthy = await client.DeviceManagement.DeviceConfigurations[ids[0]].Assignments.GetAsync();
        var list = await client.DeviceManagement.DeviceConfigurations.GetAsync();

        Assert.Equal(500, assignmentsError.ResponseStatusCode);
        Assert.Equal("InternalServerError", assignmentsError.Error?.Code);
        Assert.Equal(500, againError.ResponseStatusCode);
        Assert.Equal(500, getError.ResponseStatusCode);
        Assert.Equal(2, healthy!.Value!.Count);
        Assert.Equal(3, list!.Value!.Count);
        Assert.Equal(3, (await emulator.GetRequestCountsAsync(tenant.TenantId)).Count(500));
    }

    [Fact]
    public async Task FailingStatus_IsConfigurable_AndClearingFaultsRestoresTheItem()
    {
        var tenant = await emulator.DefineTenantAsync(new TenantDefinition { CompliancePolicies = 2 });
        using var client = emulator.CreateGraphClient(tenant);
        var id = tenant.Summary.CompliancePolicyIds[0];
        await emulator.SetFaultsAsync(tenant.TenantId, new FaultSettings(FailingItemIds: [id], FailingStatus: 403));

        var error = await Assert.ThrowsAsync<ODataError>(() =>
            client.DeviceManagement.DeviceCompliancePolicies[id].Assignments.GetAsync());
        await emulator.ClearFaultsAsync(tenant.TenantId);
        var assignments = await client.DeviceManagement.DeviceCompliancePolicies[id].Assignments.GetAsync();

        Assert.Equal(403, error.ResponseStatusCode);
        Assert.Equal("Forbidden", error.Error?.Code);
        Assert.Equal(2, assignments!.Value!.Count);
    }

    [Fact]
    public async Task Latency_DelaysEveryGraphRequestOfTheTenant()
    {
        var tenant = await emulator.DefineTenantAsync(new TenantDefinition { DeviceConfigurations = 2 });
        using var client = emulator.CreateGraphClient(tenant);
        await client.DeviceManagement.DeviceConfigurations.GetAsync(); // token and first-call warm-up
        await emulator.SetFaultsAsync(tenant.TenantId, new FaultSettings(LatencyMs: 400));
        // A lower bound with 10 ms of slack for timer granularity: the injected delay, not a speed target.

        var stopwatch = Stopwatch.StartNew();
        await client.DeviceManagement.DeviceConfigurations.GetAsync();
        var listElapsed = stopwatch.Elapsed;
        stopwatch.Restart();
        await client.DeviceManagement.DeviceConfigurations[tenant.Summary.DeviceConfigurationIds[0]].Assignments.GetAsync();
        var assignmentsElapsed = stopwatch.Elapsed;

        Assert.True(listElapsed >= TimeSpan.FromMilliseconds(390), $"list took {listElapsed}");
        Assert.True(assignmentsElapsed >= TimeSpan.FromMilliseconds(390), $"assignments took {assignmentsElapsed}");
    }
}
