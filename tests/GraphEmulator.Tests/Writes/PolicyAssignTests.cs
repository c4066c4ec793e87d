using System.Net;
using System.Text.Json;
using Microsoft.Graph.DeviceManagement.DeviceConfigurations.Item.Assign;
using Microsoft.Graph.Models;
using TenantAtlas.GraphEmulator.Tenants;

namespace TenantAtlas.GraphEmulator.Tests.Writes;

public sealed class PolicyAssignTests(GraphEmulatorFactory emulator) : IClassFixture<GraphEmulatorFactory>
{
    [Fact]
    public async Task Assign_ThroughTheSdk_ReplacesTheWholeSet()
    {
        var tenant = await emulator.DefineTenantAsync(new TenantDefinition { DeviceConfigurations = 1, AssignmentsPerPolicy = 3, Groups = 6 });
        using var client = emulator.CreateGraphClient(tenant);
        var id = tenant.Summary.DeviceConfigurationIds[0];
        var groups = tenant.Summary.GroupIds;

        var answered = await client.DeviceManagement.DeviceConfigurations[id].Assign.PostAsAssignPostResponseAsync(new AssignPostRequestBody
        {
            Assignments =
            [
                new DeviceConfigurationAssignment { Target = new GroupAssignmentTarget { GroupId = groups[5] } },
                new DeviceConfigurationAssignment { Target = new ExclusionGroupAssignmentTarget { GroupId = groups[4] } },
            ],
        });
        var read = (await client.DeviceManagement.DeviceConfigurations[id].Assignments.GetAsync())!.Value!;

        Assert.Equal(2, answered!.Value!.Count);
        Assert.Equal(2, read.Count);
        Assert.Equal(groups[5], Assert.IsType<GroupAssignmentTarget>(read[0].Target).GroupId);
        Assert.Equal(groups[4], Assert.IsType<ExclusionGroupAssignmentTarget>(read[1].Target).GroupId);
        Assert.Equal(answered.Value.Select(a => a.Id), read.Select(a => a.Id));
    }

    [Fact]
    public async Task Assign_WithAnEmptyList_RemovesEveryAssignment_AndPagedReadsShowTheNewSet()
    {
        var tenant = await emulator.DefineTenantAsync(new TenantDefinition { CompliancePolicies = 1, AssignmentsPerPolicy = 30, Groups = 40 });
        using var http = await emulator.CreateGraphHttpClientAsync(tenant);
        using var client = emulator.CreateGraphClient(tenant);
        var id = tenant.Summary.CompliancePolicyIds[0];
        var path = $"/v1.0/deviceManagement/deviceCompliancePolicies/{id}/assign";
        var pageBefore = await client.DeviceManagement.DeviceCompliancePolicies[id].Assignments.GetAsync();

        var targets = tenant.Summary.GroupIds.Take(27).Select(g => $$$"""{"target":{"@odata.type":"#microsoft.graph.groupAssignmentTarget","groupId":"{{{g}}}"}}""");
        using var replaced = await PolicyCreateTests.PostJsonAsync(http, path, $$"""{"assignments":[{{string.Join(',', targets)}}]}""");
        var pageAfter = await client.DeviceManagement.DeviceCompliancePolicies[id].Assignments.GetAsync();
        using var emptied = await PolicyCreateTests.PostJsonAsync(http, path, """{"assignments":[]}""");
        var afterEmpty = await client.DeviceManagement.DeviceCompliancePolicies[id].Assignments.GetAsync();

        Assert.NotNull(pageBefore!.OdataNextLink);
        Assert.Equal(HttpStatusCode.OK, replaced.StatusCode);
        using (var body = JsonDocument.Parse(await replaced.Content.ReadAsStringAsync()))
            Assert.Equal(27, body.RootElement.GetProperty("value").GetArrayLength());
        Assert.Equal(25, pageAfter!.Value!.Count);
        Assert.NotNull(pageAfter.OdataNextLink);
        Assert.Equal(HttpStatusCode.OK, emptied.StatusCode);
        Assert.Empty(afterEmpty!.Value!);
        Assert.Null(afterEmpty.OdataNextLink);
    }

    [Fact]
    public async Task Assign_KeepsFilterFields_AndDropsARepeatedTarget()
    {
        var tenant = await emulator.DefineTenantAsync(new TenantDefinition { DeviceConfigurations = 1 });
        using var http = await emulator.CreateGraphHttpClientAsync(tenant);
        var id = tenant.Summary.DeviceConfigurationIds[0];
        var group = tenant.Summary.GroupIds[0];
        var filter = Guid.NewGuid();

        using var response = await PolicyCreateTests.PostJsonAsync(http, $"/v1.0/deviceManagement/deviceConfigurations/{id}/assign", $$$"""
            {"assignments":[
              {"target":{"@odata.type":"#microsoft.graph.groupAssignmentTarget","groupId":"{{{group}}}",
                "deviceAndAppManagementAssignmentFilterId":"{{{filter}}}","deviceAndAppManagementAssignmentFilterType":"include"}},
              {"target":{"@odata.type":"#microsoft.graph.groupAssignmentTarget","groupId":"{{{group}}}"}},
              {"target":{"@odata.type":"#microsoft.graph.allLicensedUsersAssignmentTarget"}}]}
            """);
        using var read = JsonDocument.Parse(await http.GetStringAsync($"/v1.0/deviceManagement/deviceConfigurations/{id}/assignments"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var assignments = read.RootElement.GetProperty("value").EnumerateArray().ToList();
        Assert.Equal(2, assignments.Count);
        Assert.Equal(filter.ToString(), assignments[0].GetProperty("target").GetProperty("deviceAndAppManagementAssignmentFilterId").GetString());
        Assert.Equal("#microsoft.graph.allLicensedUsersAssignmentTarget", assignments[1].GetProperty("target").GetProperty("@odata.type").GetString());
    }

    [Theory]
    [InlineData("""{}""", "assignments")]
    [InlineData("""{"assignments":[{"target":{"@odata.type":"#microsoft.graph.groupAssignmentTarget"}}]}""", "target.groupId")]
    [InlineData("""{"assignments":[{"target":{"@odata.type":"#microsoft.graph.somethingElse"}}]}""", "target.@odata.type")]
    [InlineData("""{"assignments":[{"id":"x"}]}""", "target")]
    public async Task Assign_WithAnInvalidBody_Is400_AndLeavesTheAssignments(string body, string property)
    {
        var tenant = await emulator.DefineTenantAsync(new TenantDefinition { DeviceConfigurations = 1, AssignmentsPerPolicy = 2 });
        using var http = await emulator.CreateGraphHttpClientAsync(tenant);
        var id = tenant.Summary.DeviceConfigurationIds[0];

        using var response = await PolicyCreateTests.PostJsonAsync(http, $"/v1.0/deviceManagement/deviceConfigurations/{id}/assign", body);
        using var read = JsonDocument.Parse(await http.GetStringAsync($"/v1.0/deviceManagement/deviceConfigurations/{id}/assignments"));

        await GraphErrorAssert.BadRequestNamingAsync(response, property);
        Assert.Equal(2, read.RootElement.GetProperty("value").GetArrayLength());
    }

    [Fact]
    public async Task Assign_ToAnUnknownPolicy_Is404()
    {
        var tenant = await emulator.DefineTenantAsync(new TenantDefinition { DeviceConfigurations = 1 });
        using var http = await emulator.CreateGraphHttpClientAsync(tenant);

        using var response = await PolicyCreateTests.PostJsonAsync(http,
            $"/v1.0/deviceManagement/deviceConfigurations/{Guid.NewGuid()}/assign", """{"assignments":[]}""");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }
}
