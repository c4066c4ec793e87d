using Microsoft.Graph;
using Microsoft.Graph.Models;
using TenantAtlas.GraphEmulator.Tenants;

namespace TenantAtlas.GraphEmulator.Tests.Endpoints;

public sealed class AssignmentPagingTests(GraphEmulatorFactory emulator) : IClassFixture<GraphEmulatorFactory>
{
    [Fact]
    public async Task MoreThan25Assignments_ArePagedAt25_WithSkipTokenNextLinks()
    {
        var tenant = await emulator.DefineTenantAsync(new TenantDefinition { DeviceConfigurations = 1, AssignmentsPerPolicy = 60 });
        using var client = emulator.CreateGraphClient(tenant);
        var assignmentsOf = client.DeviceManagement.DeviceConfigurations[tenant.Summary.DeviceConfigurationIds[0]].Assignments;

        var firstPage = await assignmentsOf.GetAsync();
        Assert.Equal(25, firstPage!.Value!.Count);
        Assert.Contains("$skiptoken=", firstPage.OdataNextLink, StringComparison.Ordinal);

        var ids = new List<string>();
        var iterator = PageIterator<DeviceConfigurationAssignment, DeviceConfigurationAssignmentCollectionResponse>.CreatePageIterator(
            client, firstPage, assignment => { ids.Add(assignment.Id!); return true; });
        await iterator.IterateAsync();

        Assert.Equal(60, ids.Distinct().Count());
        var requests = await emulator.GetRequestCountsAsync(tenant.TenantId);
        Assert.Equal(1, requests.CollectionReads["assignments"]);
        Assert.Equal(3, requests.PageReads["assignments"].Count);
    }
}
