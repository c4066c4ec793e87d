using Microsoft.Extensions.DependencyInjection;
using Microsoft.Graph.Models;
using TenantAtlas.GraphEmulator.Tenants;

namespace TenantAtlas.GraphEmulator.Tests.Endpoints;

public sealed class AssignmentTests(GraphEmulatorFactory emulator) : IClassFixture<GraphEmulatorFactory>
{
    [Fact]
    public async Task DeviceConfigurationAssignments_CarryGroupTargets_AndAllDevicesForEveryFourthPolicy()
    {
        var tenant = await emulator.DefineTenantAsync(new TenantDefinition { DeviceConfigurations = 4, AssignmentsPerPolicy = 3 });
        using var client = emulator.CreateGraphClient(tenant);
        var ids = tenant.Summary.DeviceConfigurationIds;

        var first = (await client.DeviceManagement.DeviceConfigurations[ids[0]].Assignments.GetAsync())!.Value!;
        var fourth = (await client.DeviceManagement.DeviceConfigurations[ids[3]].Assignments.GetAsync())!.Value!;

        Assert.Equal(3, first.Count);
        var groupIds = first.Select(a => Assert.IsType<GroupAssignmentTarget>(a.Target).GroupId).ToList();
        Assert.All(groupIds, id => Assert.True(Guid.TryParse(id, out _)));
        Assert.Equal(3, groupIds.Distinct().Count());
        Assert.Equal(ExpectedGroupIds(tenant, PolicyKind.DeviceConfiguration, ids[0]), groupIds);

        Assert.Equal(3, fourth.Count);
        Assert.IsType<AllDevicesAssignmentTarget>(fourth[0].Target);
        Assert.All(fourth.Skip(1), a => Assert.IsType<GroupAssignmentTarget>(a.Target));
        Assert.All(fourth, a => Assert.StartsWith(ids[3] + "_", a.Id, StringComparison.Ordinal));
    }

    [Fact]
    public async Task CompliancePolicyAssignments_AreServedPerPolicy()
    {
        var tenant = await emulator.DefineTenantAsync(new TenantDefinition { CompliancePolicies = 2, AssignmentsPerPolicy = 2 });
        using var client = emulator.CreateGraphClient(tenant);
        var id = tenant.Summary.CompliancePolicyIds[1];

        var assignments = (await client.DeviceManagement.DeviceCompliancePolicies[id].Assignments.GetAsync())!.Value!;

        Assert.Equal(ExpectedGroupIds(tenant, PolicyKind.CompliancePolicy, id),
            assignments.Select(a => Assert.IsType<GroupAssignmentTarget>(a.Target).GroupId));
    }

    private List<string?> ExpectedGroupIds(TestTenant tenant, PolicyKind kind, string policyId)
    {
        Assert.True(emulator.Services.GetRequiredService<TenantStore>().TryGet(tenant.TenantId, out var emulated));
        return [.. emulated.DataSet.Find(kind, policyId)!.Assignments.Select(a => a.Target.GroupId)];
    }
}
