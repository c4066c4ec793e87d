using System.Net;
using Microsoft.Graph;
using Microsoft.Graph.Models;
using TenantAtlas.GraphEmulator.Tenants;

namespace TenantAtlas.GraphEmulator.Tests.Graph;

public sealed class PageFaultTests(GraphEmulatorFactory emulator) : IClassFixture<GraphEmulatorFactory>
{
    [Fact]
    public async Task FailPageOnce_FailsThatPageOnce_AndTheSdkRetriesOnlyIt()
    {
        var tenant = await emulator.DefineTenantAsync(new TenantDefinition { DeviceConfigurations = 30, PageSize = 10 });
        using var client = emulator.CreateGraphClient(tenant);
        await emulator.SetFaultsAsync(tenant.TenantId, new FaultSettings(FailPageOnce: new PageFault("deviceConfigurations", 2)));

        var ids = new List<string>();
        var iterator = PageIterator<DeviceConfiguration, DeviceConfigurationCollectionResponse>.CreatePageIterator(
            client, (await client.DeviceManagement.DeviceConfigurations.GetAsync())!, c => { ids.Add(c.Id!); return true; });
        await iterator.IterateAsync();

        Assert.Equal(tenant.Summary.DeviceConfigurationIds, ids);
        var requests = await emulator.GetRequestCountsAsync(tenant.TenantId);
        Assert.Equal(1, requests.PageReadCount("deviceConfigurations", 1));
        Assert.Equal(2, requests.PageReadCount("deviceConfigurations", 2));
        Assert.Equal(1, requests.PageReadCount("deviceConfigurations", 3));
        Assert.Equal(1, requests.Count(503));
        Assert.Equal(1, requests.CollectionReads["deviceConfigurations"]);
    }

    [Fact]
    public async Task FailPageOnce_AnswersItsStatus_ThenTheFaultIsSpent()
    {
        var tenant = await emulator.DefineTenantAsync(new TenantDefinition { DeviceConfigurations = 3, PageSize = 2 });
        using var http = await emulator.CreateGraphHttpClientAsync(tenant);
        await emulator.SetFaultsAsync(tenant.TenantId, new FaultSettings(FailPageOnce: new PageFault("deviceConfigurations", 1, 504)));

        using var failed = await http.GetAsync("/v1.0/deviceManagement/deviceConfigurations");
        using var retried = await http.GetAsync("/v1.0/deviceManagement/deviceConfigurations");

        Assert.Equal(HttpStatusCode.GatewayTimeout, failed.StatusCode);
        Assert.Equal(HttpStatusCode.OK, retried.StatusCode);
        Assert.Null((await emulator.GetSummaryAsync(tenant.TenantId)).Faults.FailPageOnce);
    }
}
