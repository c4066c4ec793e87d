using System.Net;
using System.Net.Http.Json;
using Microsoft.Graph.DirectoryObjects.GetByIds;
using Microsoft.Graph.Models;
using TenantAtlas.GraphEmulator.Tenants;

namespace TenantAtlas.GraphEmulator.Tests.Endpoints;

public sealed class DirectoryTests(GraphEmulatorFactory emulator) : IClassFixture<GraphEmulatorFactory>
{
    private static readonly string[] GroupType = ["group"];

    [Fact]
    public async Task GetByIds_ResolvesAssignmentGroups_AndLeavesUnknownIdsOut()
    {
        var tenant = await emulator.DefineTenantAsync(new TenantDefinition { DeviceConfigurations = 1, AssignmentsPerPolicy = 3 });
        using var client = emulator.CreateGraphClient(tenant);
        var assignments = (await client.DeviceManagement.DeviceConfigurations[tenant.Summary.DeviceConfigurationIds[0]].Assignments.GetAsync())!.Value!;
        var groupIds = assignments.Select(a => ((GroupAssignmentTarget)a.Target!).GroupId!).ToList();

        var resolved = await client.DirectoryObjects.GetByIds.PostAsGetByIdsPostResponseAsync(new GetByIdsPostRequestBody
        {
            Ids = [.. groupIds, Guid.NewGuid().ToString()],
            Types = ["group"],
        });

        var groups = resolved!.Value!.Select(o => Assert.IsType<Group>(o)).ToList();
        Assert.Equal(groupIds, groups.Select(g => g.Id));
        Assert.All(groups, g => Assert.False(string.IsNullOrEmpty(g.DisplayName)));
        Assert.All(groups, g => Assert.NotNull(g.GroupTypes));
    }

    [Fact]
    public async Task Groups_EveryThirdIsDynamic_WithAMembershipRule()
    {
        var tenant = await emulator.DefineTenantAsync(new TenantDefinition { Groups = 6 });
        using var client = emulator.CreateGraphClient(tenant);

        var groups = (await client.Groups.GetAsync())!.Value!;

        Assert.Equal(6, groups.Count);
        Assert.Equal(tenant.Summary.GroupIds, groups.Select(g => g.Id));
        Assert.Equal(["DynamicMembership"], groups[2].GroupTypes);
        Assert.False(string.IsNullOrEmpty(groups[2].MembershipRule));
        Assert.Empty(groups[0].GroupTypes!);
        Assert.Null(groups[0].MembershipRule);
    }

    [Fact]
    public async Task GetByIds_WithMoreThan1000Ids_Is400()
    {
        var tenant = await emulator.DefineTenantAsync(new TenantDefinition());
        using var http = await emulator.CreateGraphHttpClientAsync(tenant);

        using var response = await http.PostAsJsonAsync("/v1.0/directoryObjects/getByIds",
            new { ids = Enumerable.Range(0, 1001).Select(_ => Guid.NewGuid().ToString()), types = GroupType });

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
    }
}
