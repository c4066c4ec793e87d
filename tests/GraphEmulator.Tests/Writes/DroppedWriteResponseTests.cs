using System.Net;
using Microsoft.Graph.Models;
using Microsoft.Kiota.Abstractions;
using TenantAtlas.GraphEmulator.Tenants;

namespace TenantAtlas.GraphEmulator.Tests.Writes;

public sealed class DroppedWriteResponseTests(GraphEmulatorFactory emulator) : IClassFixture<GraphEmulatorFactory>
{
    [Fact]
    public async Task DroppedCreate_IsStored_ButTheSdkCallFails_WithoutAnHttpAnswer()
    {
        var tenant = await emulator.DefineTenantAsync(new TenantDefinition { DeviceConfigurations = 1 });
        await emulator.SetFaultsAsync(tenant.TenantId, new FaultSettings(
            DropResponseAfterWrite: new WriteResponseFault(1, Method: "POST", Collection: "deviceConfigurations")));
        using var client = emulator.CreateGraphClient(tenant);

        var failure = await Assert.ThrowsAnyAsync<Exception>(() => client.DeviceManagement.DeviceConfigurations.PostAsync(
            new Windows10GeneralConfiguration { DisplayName = "Uncertain create" }));
        var listed = (await client.DeviceManagement.DeviceConfigurations.GetAsync())!.Value!;
        var second = await client.DeviceManagement.DeviceConfigurations.PostAsync(new Windows10GeneralConfiguration { DisplayName = "Answered" });

        // A transport failure, not a Graph error: the client got no status at all.
        Assert.False(failure is ApiException, $"Expected a transport failure, got {failure}");
        var landed = Assert.Single(listed, p => p.DisplayName == "Uncertain create");
        Assert.Equal(2, listed.Count);
        Assert.NotNull(second!.Id);
        var counts = await emulator.GetRequestCountsAsync(tenant.TenantId);
        Assert.Equal(2, counts.Writes);
        var dropped = counts.WriteRequests[0];
        Assert.True(dropped.Stored);
        Assert.True(dropped.ResponseDropped);
        Assert.Equal(landed.Id, dropped.PolicyId);
        Assert.Equal(201, dropped.Status);
        Assert.False(counts.WriteRequests[1].ResponseDropped);
        Assert.Equal(0, (await emulator.GetSummaryAsync(tenant.TenantId)).Faults.DropResponseAfterWrite!.Count);
    }

    [Fact]
    public async Task DroppedFault_MatchesByDisplayName_AndRawClientsSeeAnException()
    {
        var tenant = await emulator.DefineTenantAsync(new TenantDefinition { DeviceConfigurations = 2 });
        using var http = await emulator.CreateGraphHttpClientAsync(tenant);
        var ids = tenant.Summary.DeviceConfigurationIds;
        await emulator.SetFaultsAsync(tenant.TenantId, new FaultSettings(
            DropResponseAfterWrite: new WriteResponseFault(5, DisplayName: "Renamed twice")));

        using var other = await http.PatchAsync($"/v1.0/deviceManagement/deviceConfigurations/{ids[0]}",
            new StringContent("""{"displayName":"Not matching"}""", System.Text.Encoding.UTF8, "application/json"));
        var failure = await Assert.ThrowsAnyAsync<Exception>(() => http.PatchAsync($"/v1.0/deviceManagement/deviceConfigurations/{ids[1]}",
            new StringContent("""{"displayName":"Renamed twice"}""", System.Text.Encoding.UTF8, "application/json")));
        var stored = await http.GetStringAsync($"/v1.0/deviceManagement/deviceConfigurations/{ids[1]}");

        Assert.Equal(HttpStatusCode.OK, other.StatusCode);
        Assert.IsNotType<TaskCanceledException>(failure);
        Assert.Contains("Renamed twice", stored, StringComparison.Ordinal);
        var counts = await emulator.GetRequestCountsAsync(tenant.TenantId);
        Assert.Equal(1, counts.WritesByPolicyId[ids[1]]);
        Assert.True(counts.WriteRequests.Single(w => w.PolicyId == ids[1]).ResponseDropped);
    }
}
