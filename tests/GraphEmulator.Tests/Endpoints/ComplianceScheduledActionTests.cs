using System.Net;
using System.Text.Json;
using Microsoft.Graph.Models;
using Microsoft.Graph.Models.ODataErrors;
using TenantAtlas.GraphEmulator.Tenants;

namespace TenantAtlas.GraphEmulator.Tests.Endpoints;

public sealed class ComplianceScheduledActionTests(GraphEmulatorFactory emulator) : IClassFixture<GraphEmulatorFactory>
{
    private const string FullExpand = "scheduledActionsForRule($expand=scheduledActionConfigurations)";

    [Fact]
    public async Task NestedExpand_ReturnsTheBlockAndNotificationActions_ThroughTheSdk()
    {
        var tenant = await emulator.DefineTenantAsync(new TenantDefinition { CompliancePolicies = 3 });
        using var client = emulator.CreateGraphClient(tenant);

        var policies = (await client.DeviceManagement.DeviceCompliancePolicies.GetAsync(r => r.QueryParameters.Expand = [FullExpand]))!.Value!;
        var item = await client.DeviceManagement.DeviceCompliancePolicies[policies[1].Id].GetAsync(r => r.QueryParameters.Expand = [FullExpand]);

        Assert.All(policies, policy =>
        {
            var rule = Assert.Single(policy.ScheduledActionsForRule!);
            Assert.Null(rule.RuleName);
            var actions = rule.ScheduledActionConfigurations!;
            Assert.Equal(2, actions.Count);
            Assert.Equal(DeviceComplianceActionType.Block, actions[0].ActionType);
            Assert.Equal(0, actions[0].GracePeriodHours);
            Assert.Equal("00000000-0000-0000-0000-000000000000", actions[0].NotificationTemplateId);
            Assert.Equal(DeviceComplianceActionType.Notification, actions[1].ActionType);
            Assert.Equal(24, actions[1].GracePeriodHours);
            Assert.Contains(actions[1].NotificationTemplateId, tenant.Summary.NotificationMessageTemplateIds);
            Assert.Contains(Assert.Single(actions[1].NotificationMessageCCList!), tenant.Summary.GroupIds);
        });
        Assert.Equal(policies[1].ScheduledActionsForRule![0].Id, item!.ScheduledActionsForRule![0].Id);
    }

    [Fact]
    public async Task NextLinks_KeepTheExpand_SoEveryPageCarriesTheActions_AsInGraph()
    {
        var tenant = await emulator.DefineTenantAsync(new TenantDefinition { CompliancePolicies = 7, PageSize = 3 });
        using var http = await emulator.CreateGraphHttpClientAsync(tenant);

        var pages = 0;
        var policies = 0;
        string? next = $"/v1.0/deviceManagement/deviceCompliancePolicies?$expand={Uri.EscapeDataString(FullExpand)}";
        while (next is not null)
        {
            using var page = JsonDocument.Parse(await http.GetStringAsync(next));
            pages++;
            foreach (var policy in page.RootElement.GetProperty("value").EnumerateArray())
            {
                policies++;
                var actions = policy.GetProperty("scheduledActionsForRule")[0].GetProperty("scheduledActionConfigurations");
                Assert.Equal("block", actions[0].GetProperty("actionType").GetString());
            }
            next = page.RootElement.TryGetProperty("@odata.nextLink", out var link) ? link.GetString() : null;
        }

        Assert.Equal(3, pages);
        Assert.Equal(7, policies);
    }

    [Fact]
    public async Task ScheduledActions_AreAbsentWithoutExpand_AndWithoutConfigurationsWithoutTheNestedExpand()
    {
        var tenant = await emulator.DefineTenantAsync(new TenantDefinition { CompliancePolicies = 1 });
        using var http = await emulator.CreateGraphHttpClientAsync(tenant);
        var id = tenant.Summary.CompliancePolicyIds[0];

        using var plain = JsonDocument.Parse(await http.GetStringAsync($"/v1.0/deviceManagement/deviceCompliancePolicies/{id}"));
        using var ruleOnly = JsonDocument.Parse(await http.GetStringAsync(
            $"/v1.0/deviceManagement/deviceCompliancePolicies/{id}?$expand=scheduledActionsForRule"));
        using var full = JsonDocument.Parse(await http.GetStringAsync(
            $"/v1.0/deviceManagement/deviceCompliancePolicies?$expand={Uri.EscapeDataString(FullExpand)}"));

        Assert.False(plain.RootElement.TryGetProperty("scheduledActionsForRule", out _));
        var rule = Assert.Single(ruleOnly.RootElement.GetProperty("scheduledActionsForRule").EnumerateArray());
        Assert.Equal(JsonValueKind.Null, rule.GetProperty("ruleName").ValueKind);
        Assert.False(rule.TryGetProperty("scheduledActionConfigurations", out _));
        var actions = full.RootElement.GetProperty("value")[0].GetProperty("scheduledActionsForRule")[0].GetProperty("scheduledActionConfigurations");
        Assert.Equal(JsonValueKind.Array, actions[0].GetProperty("notificationMessageCCList").ValueKind);
        Assert.Equal("block", actions[0].GetProperty("actionType").GetString());
    }

    [Fact]
    public async Task NavigationGetOfScheduledActions_Answers400_NoMethodMatchRouteTemplate()
    {
        var tenant = await emulator.DefineTenantAsync(new TenantDefinition { CompliancePolicies = 1 });
        using var client = emulator.CreateGraphClient(tenant);

        var error = await Assert.ThrowsAsync<ODataError>(() =>
            client.DeviceManagement.DeviceCompliancePolicies[tenant.Summary.CompliancePolicyIds[0]].ScheduledActionsForRule.GetAsync());

        Assert.Equal(400, error.ResponseStatusCode);
        Assert.Equal("No method match route template", error.Error?.Code);
    }

    [Fact]
    public async Task ComplianceWithoutBlockActionEvery_LeavesEveryNthPolicyWithoutTheBlockAction()
    {
        var tenant = await emulator.DefineTenantAsync(new TenantDefinition { CompliancePolicies = 4, ComplianceWithoutBlockActionEvery = 2 });
        using var client = emulator.CreateGraphClient(tenant);

        var policies = (await client.DeviceManagement.DeviceCompliancePolicies.GetAsync(r => r.QueryParameters.Expand = [FullExpand]))!.Value!;

        var hasBlock = policies.Select(p => p.ScheduledActionsForRule![0].ScheduledActionConfigurations!
            .Any(a => a.ActionType == DeviceComplianceActionType.Block)).ToList();
        Assert.Equal([true, false, true, false], hasBlock);
    }

    [Fact]
    public async Task ExpandAssignments_ReturnsEveryAssignmentInline_AndUnknownExpandIs400()
    {
        var tenant = await emulator.DefineTenantAsync(new TenantDefinition { DeviceConfigurations = 2, AssignmentsPerPolicy = 30 });
        using var client = emulator.CreateGraphClient(tenant);
        using var http = await emulator.CreateGraphHttpClientAsync(tenant);

        var configuration = await client.DeviceManagement.DeviceConfigurations[tenant.Summary.DeviceConfigurationIds[1]]
            .GetAsync(r => r.QueryParameters.Expand = ["assignments"]);
        using var unknown = await http.GetAsync("/v1.0/deviceManagement/deviceConfigurations?$expand=scheduledActionsForRule");

        Assert.Equal(30, configuration!.Assignments!.Count);
        Assert.Equal(HttpStatusCode.BadRequest, unknown.StatusCode);
    }

    [Fact]
    public async Task NotificationMessageTemplates_ArePaged_AndReadableById()
    {
        var tenant = await emulator.DefineTenantAsync(new TenantDefinition { NotificationMessageTemplates = 5, PageSize = 2 });
        using var client = emulator.CreateGraphClient(tenant);

        var firstPage = await client.DeviceManagement.NotificationMessageTemplates.GetAsync();
        var template = await client.DeviceManagement.NotificationMessageTemplates[tenant.Summary.NotificationMessageTemplateIds[4]].GetAsync();

        Assert.Equal(2, firstPage!.Value!.Count);
        Assert.NotNull(firstPage.OdataNextLink);
        Assert.Equal(tenant.Summary.NotificationMessageTemplateIds[4], template!.Id);
        Assert.False(string.IsNullOrEmpty(template.DisplayName));
        Assert.False(string.IsNullOrEmpty(template.DefaultLocale));
        Assert.NotNull(template.BrandingOptions);
        Assert.NotNull(template.LastModifiedDateTime);
    }
}
