using System.Net;
using System.Text.Json;
using Microsoft.Graph.Models;
using TenantAtlas.GraphEmulator.Tenants;

namespace TenantAtlas.GraphEmulator.Tests.Writes;

public sealed class PolicyCreateTests(GraphEmulatorFactory emulator) : IClassFixture<GraphEmulatorFactory>
{
    private const string Configurations = "/v1.0/deviceManagement/deviceConfigurations";
    private const string Compliance = "/v1.0/deviceManagement/deviceCompliancePolicies";
    private const string FullExpand = "scheduledActionsForRule($expand=scheduledActionConfigurations)";

    [Fact]
    public async Task ConfigurationCreate_ThroughTheSdk_Is201_WithServerOwnedProperties_AndIsListed()
    {
        var tenant = await emulator.DefineTenantAsync(new TenantDefinition { DeviceConfigurations = 1 });
        using var client = emulator.CreateGraphClient(tenant);
        var before = DateTimeOffset.UtcNow.AddSeconds(-1);

        var created = await client.DeviceManagement.DeviceConfigurations.PostAsync(new Windows10GeneralConfiguration
        {
            DisplayName = "Restored baseline",
            PasswordRequired = true,
            PasswordMinimumLength = 12,
        });

        var stored = Assert.IsType<Windows10GeneralConfiguration>(created);
        Assert.True(Guid.TryParse(stored.Id, out _));
        Assert.Equal(1, stored.Version);
        Assert.True(stored.CreatedDateTime >= before);
        Assert.Equal(stored.CreatedDateTime, stored.LastModifiedDateTime);
        Assert.Equal(12, stored.PasswordMinimumLength);
        var listed = (await client.DeviceManagement.DeviceConfigurations.GetAsync())!.Value!;
        Assert.Equal([tenant.Summary.DeviceConfigurationIds[0], stored.Id], listed.Select(p => p.Id));
        Assert.Empty((await client.DeviceManagement.DeviceConfigurations[stored.Id].Assignments.GetAsync())!.Value!);
    }

    [Fact]
    public async Task ComplianceCreate_ThroughTheSdk_KeepsTheBlockAction()
    {
        var tenant = await emulator.DefineTenantAsync(new TenantDefinition { CompliancePolicies = 0 });
        using var client = emulator.CreateGraphClient(tenant);

        var created = await client.DeviceManagement.DeviceCompliancePolicies.PostAsync(new Windows10CompliancePolicy
        {
            DisplayName = "Restored compliance",
            BitLockerEnabled = true,
            ScheduledActionsForRule =
            [
                new DeviceComplianceScheduledActionForRule
                {
                    RuleName = "PasswordRequired",
                    ScheduledActionConfigurations =
                    [
                        new DeviceComplianceActionItem { ActionType = DeviceComplianceActionType.Block, GracePeriodHours = 0, NotificationMessageCCList = [] },
                        new DeviceComplianceActionItem { ActionType = DeviceComplianceActionType.Retire, GracePeriodHours = 48, NotificationMessageCCList = [] },
                    ],
                },
            ],
        });

        var read = await client.DeviceManagement.DeviceCompliancePolicies[created!.Id].GetAsync(r => r.QueryParameters.Expand = [FullExpand]);
        var policy = Assert.IsType<Windows10CompliancePolicy>(read);
        Assert.True(policy.BitLockerEnabled);
        var rule = Assert.Single(policy.ScheduledActionsForRule!);
        Assert.Equal("PasswordRequired", rule.RuleName);
        Assert.Equal([DeviceComplianceActionType.Block, DeviceComplianceActionType.Retire], rule.ScheduledActionConfigurations!.Select(a => a.ActionType));
        Assert.Equal(48, rule.ScheduledActionConfigurations![1].GracePeriodHours);
        Assert.All(rule.ScheduledActionConfigurations, a => Assert.False(string.IsNullOrEmpty(a.Id)));
    }

    /// <summary>The "Relationships" of v1.0 deviceConfiguration (and beta's groupAssignments): refused in a body.</summary>
    public static TheoryData<string, string> Relationships() => new()
    {
        { "assignments", "[]" },
        { "deviceStatuses", "[]" },
        { "userStatuses", "[]" },
        { "deviceStatusOverview", "{}" },
        { "userStatusOverview", "{}" },
        { "deviceSettingStateSummaries", "[]" },
        { "groupAssignments", "[]" },
    };

    [Theory]
    [MemberData(nameof(Relationships))]
    public async Task Create_WithARelationship_Is400NamingIt_AndStoresNothing(string property, string value)
    {
        var tenant = await emulator.DefineTenantAsync(new TenantDefinition { DeviceConfigurations = 1 });
        using var http = await emulator.CreateGraphHttpClientAsync(tenant);

        using var response = await PostJsonAsync(http, Configurations,
            $$"""{"@odata.type":"#microsoft.graph.windows10GeneralConfiguration","displayName":"x","{{property}}":{{value}}}""");

        await GraphErrorAssert.BadRequestNamingAsync(response, property);
        Assert.Equal(1, (await emulator.GetSummaryAsync(tenant.TenantId)).DeviceConfigurations);
        Assert.Equal(0, (await emulator.GetRequestCountsAsync(tenant.TenantId)).Writes);
    }

    [Fact]
    public async Task Create_WithAnOmaSettingCarryingASecretReference_Is400()
    {
        var tenant = await emulator.DefineTenantAsync(new TenantDefinition { DeviceConfigurations = 0 });
        using var http = await emulator.CreateGraphHttpClientAsync(tenant);

        using var withReference = await PostJsonAsync(http, Configurations, """
            {"@odata.type":"#microsoft.graph.windows10CustomConfiguration","displayName":"OMA",
             "omaSettings":[{"@odata.type":"#microsoft.graph.omaSettingString","displayName":"s","omaUri":"./Device/x",
               "isEncrypted":true,"secretReferenceValueId":"ref-1","value":"****"}]}
            """);
        using var plaintext = await PostJsonAsync(http, Configurations, """
            {"@odata.type":"#microsoft.graph.windows10CustomConfiguration","displayName":"OMA",
             "omaSettings":[{"@odata.type":"#microsoft.graph.omaSettingString","displayName":"s","omaUri":"./Device/x",
               "isEncrypted":false,"value":"plain"}]}
            """);

        await GraphErrorAssert.BadRequestNamingAsync(withReference, "secretReferenceValueId");
        Assert.Equal(HttpStatusCode.Created, plaintext.StatusCode);
    }

    [Theory]
    [InlineData(Configurations, """{"displayName":"no type"}""")]
    [InlineData(Configurations, """{"@odata.type":"#microsoft.graph.deviceConfiguration","displayName":"abstract"}""")]
    [InlineData(Configurations, """{"@odata.type":"#microsoft.graph.windows10CompliancePolicy","displayName":"wrong family"}""")]
    [InlineData(Configurations, """{"@odata.type":"windows10GeneralConfiguration","displayName":"no namespace"}""")]
    [InlineData(Compliance, """{"@odata.type":"#microsoft.graph.windows10GeneralConfiguration","displayName":"wrong family","scheduledActionsForRule":[{"scheduledActionConfigurations":[{"actionType":"block"}]}]}""")]
    public async Task Create_WithoutAConcreteTypeOfTheCollection_Is400NamingTheType(string collection, string body)
    {
        var tenant = await emulator.DefineTenantAsync(new TenantDefinition { DeviceConfigurations = 0, CompliancePolicies = 0 });
        using var http = await emulator.CreateGraphHttpClientAsync(tenant);

        using var response = await PostJsonAsync(http, collection, body);

        await GraphErrorAssert.BadRequestNamingAsync(response, "@odata.type");
        var summary = await emulator.GetSummaryAsync(tenant.TenantId);
        Assert.Equal(0, summary.DeviceConfigurations + summary.CompliancePolicies);
    }

    [Theory]
    [InlineData("")]
    [InlineData(""","scheduledActionsForRule":[]""")]
    [InlineData(""","scheduledActionsForRule":[{"ruleName":"PasswordRequired","scheduledActionConfigurations":[{"actionType":"notification","gracePeriodHours":24}]}]""")]
    [InlineData(""","scheduledActionsForRule":[{"ruleName":"PasswordRequired","scheduledActionConfigurations":[{"actionType":"block"},{"actionType":"block","gracePeriodHours":5}]}]""")]
    public async Task ComplianceCreate_WithoutExactlyOneBlockAction_Is400(string rules)
    {
        var tenant = await emulator.DefineTenantAsync(new TenantDefinition { CompliancePolicies = 0 });
        using var http = await emulator.CreateGraphHttpClientAsync(tenant);

        using var response = await PostJsonAsync(http, Compliance,
            $$"""{"@odata.type":"#microsoft.graph.windows10CompliancePolicy","displayName":"c"{{rules}}}""");

        await GraphErrorAssert.BadRequestNamingAsync(response, "scheduledActionsForRule");
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.StartsWith("Compliance policy must have one and only one block scheduled action",
            json.RootElement.GetProperty("error").GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.Equal(0, (await emulator.GetSummaryAsync(tenant.TenantId)).CompliancePolicies);
    }

    [Fact]
    public async Task Create_WithoutDisplayName_OrWithInvalidJson_Is400()
    {
        var tenant = await emulator.DefineTenantAsync(new TenantDefinition { DeviceConfigurations = 0 });
        using var http = await emulator.CreateGraphHttpClientAsync(tenant);

        using var noName = await PostJsonAsync(http, Configurations, """{"@odata.type":"#microsoft.graph.windows10GeneralConfiguration"}""");
        using var notJson = await PostJsonAsync(http, Configurations, "{not json");

        await GraphErrorAssert.BadRequestNamingAsync(noName, "displayName");
        Assert.Equal(HttpStatusCode.BadRequest, notJson.StatusCode);
    }

    internal static Task<HttpResponseMessage> PostJsonAsync(HttpClient http, string path, string json) =>
        http.PostAsync(path, new StringContent(json, System.Text.Encoding.UTF8, "application/json"));
}
