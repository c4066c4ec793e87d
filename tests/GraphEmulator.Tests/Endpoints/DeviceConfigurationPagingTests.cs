using Microsoft.Graph;
using Microsoft.Graph.Models;
using TenantAtlas.GraphEmulator.Tenants;

namespace TenantAtlas.GraphEmulator.Tests.Endpoints;

public sealed class DeviceConfigurationPagingTests(GraphEmulatorFactory emulator) : IClassFixture<GraphEmulatorFactory>
{
    [Fact]
    public async Task PageIterator_EnumeratesEveryDeviceConfiguration_AcrossServerPages()
    {
        var tenant = await emulator.DefineTenantAsync(new TenantDefinition { DeviceConfigurations = 250, PageSize = 100 });
        using var client = emulator.CreateGraphClient(tenant);

        var firstPage = await client.DeviceManagement.DeviceConfigurations.GetAsync();
        Assert.NotNull(firstPage?.Value);
        Assert.Equal(100, firstPage.Value.Count);
        Assert.StartsWith("http://localhost/v1.0/deviceManagement/deviceConfigurations?", firstPage.OdataNextLink);

        var ids = new List<string>();
        var iterator = PageIterator<DeviceConfiguration, DeviceConfigurationCollectionResponse>.CreatePageIterator(
            client, firstPage, configuration => { ids.Add(configuration.Id!); return true; });
        await iterator.IterateAsync();

        Assert.Equal(PagingState.Complete, iterator.State);
        Assert.Equal(250, ids.Count);
        Assert.Equal(250, ids.Distinct().Count());
        Assert.Equal(tenant.Summary.DeviceConfigurationIds, ids);
        var requests = await emulator.GetRequestCountsAsync(tenant.TenantId);
        Assert.Equal(3, requests.Count(200));
        Assert.Equal(3, requests.Total);
        // Three pages are one enumeration of the collection.
        Assert.Equal(1, requests.CollectionReads["deviceConfigurations"]);
    }

    [Fact]
    public async Task CollectionReads_CountEachEnumerationOnce_AndNotItemReads()
    {
        var tenant = await emulator.DefineTenantAsync(new TenantDefinition { DeviceConfigurations = 5, CompliancePolicies = 2 });
        using var client = emulator.CreateGraphClient(tenant);

        await client.DeviceManagement.DeviceConfigurations.GetAsync();
        await client.DeviceManagement.DeviceConfigurations.GetAsync();
        await client.DeviceManagement.DeviceConfigurations[tenant.Summary.DeviceConfigurationIds[0]].GetAsync();
        await client.DeviceManagement.DeviceConfigurations[tenant.Summary.DeviceConfigurationIds[0]].Assignments.GetAsync();

        var reads = (await emulator.GetRequestCountsAsync(tenant.TenantId)).CollectionReads;
        Assert.Equal(2, reads["deviceConfigurations"]);
        Assert.Equal(1, reads["assignments"]);
        Assert.False(reads.ContainsKey("deviceCompliancePolicies"));
        Assert.Equal(2, reads.Count);
    }

    [Fact]
    public async Task Top_SetsThePageSize_AndIsKeptInTheNextLinks()
    {
        var tenant = await emulator.DefineTenantAsync(new TenantDefinition { DeviceConfigurations = 250, PageSize = 100 });
        using var client = emulator.CreateGraphClient(tenant);

        var firstPage = await client.DeviceManagement.DeviceConfigurations.GetAsync(request => request.QueryParameters.Top = 40);
        Assert.Equal(40, firstPage!.Value!.Count);
        Assert.Contains("$top=40", firstPage.OdataNextLink, StringComparison.Ordinal);

        var count = 0;
        var iterator = PageIterator<DeviceConfiguration, DeviceConfigurationCollectionResponse>.CreatePageIterator(
            client, firstPage, _ => { count++; return true; });
        await iterator.IterateAsync();

        Assert.Equal(250, count);
        Assert.Equal(7, (await emulator.GetRequestCountsAsync(tenant.TenantId)).Count(200));
    }

    [Fact]
    public async Task LastPage_HasNoNextLink()
    {
        var tenant = await emulator.DefineTenantAsync(new TenantDefinition { DeviceConfigurations = 30, CompliancePolicies = 3 });
        using var client = emulator.CreateGraphClient(tenant);

        var configurations = await client.DeviceManagement.DeviceConfigurations.GetAsync();
        var policies = await client.DeviceManagement.DeviceCompliancePolicies.GetAsync();

        Assert.Equal(30, configurations!.Value!.Count);
        Assert.Null(configurations.OdataNextLink);
        Assert.Equal(tenant.Summary.CompliancePolicyIds, policies!.Value!.Select(p => p.Id));
        Assert.Null(policies.OdataNextLink);
    }
}
