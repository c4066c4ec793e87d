using System.Net;
using System.Net.Http.Json;
using Microsoft.AspNetCore.Hosting;
using TenantAtlas.GraphEmulator.Tenants;

namespace TenantAtlas.GraphEmulator.Tests.Endpoints;

public sealed class EmulatorAdminTests(GraphEmulatorFactory emulator) : IClassFixture<GraphEmulatorFactory>
{
    [Fact]
    public async Task Health_ReturnsHealthy()
    {
        using var http = emulator.CreateClient();

        using var response = await http.GetAsync("/health");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("Healthy", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task SameSeed_GeneratesTheSameIds_AnotherSeedDifferentOnes()
    {
        var first = await emulator.DefineTenantAsync(new TenantDefinition { DeviceConfigurations = 20, CompliancePolicies = 5, Seed = 42 });
        var second = await emulator.DefineTenantAsync(new TenantDefinition { DeviceConfigurations = 20, CompliancePolicies = 5, Seed = 42 });
        var other = await emulator.DefineTenantAsync(new TenantDefinition { DeviceConfigurations = 20, CompliancePolicies = 5, Seed = 43 });

        Assert.Equal(first.Summary.DeviceConfigurationIds, second.Summary.DeviceConfigurationIds);
        Assert.Equal(first.Summary.CompliancePolicyIds, second.Summary.CompliancePolicyIds);
        Assert.Empty(first.Summary.DeviceConfigurationIds.Intersect(other.Summary.DeviceConfigurationIds));
        Assert.All(first.Summary.DeviceConfigurationIds, id => Assert.True(Guid.TryParse(id, out _)));
    }

    [Fact]
    public async Task InvalidDefinition_IsRejectedWithValidationProblem()
    {
        using var http = emulator.CreateClient();

        using var response = await http.PutAsJsonAsync(
            $"/emulator/tenants/{Guid.NewGuid()}", new { clientId = "app", clientSecret = "", pageSize = 5000 });

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var body = await response.Content.ReadAsStringAsync();
        Assert.Contains("clientSecret", body, StringComparison.Ordinal);
        Assert.Contains("pageSize", body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task UnknownTenant_Returns404()
    {
        using var http = emulator.CreateClient();

        using var response = await http.GetAsync($"/emulator/tenants/{Guid.NewGuid()}/requests");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }

    [Fact]
    public async Task ConfiguredTenants_AreSeededAtStartup()
    {
        const string TenantId = "6f1b0b7e-57a4-4c43-9d3e-0f1d3c3f2a10";
        using var seeded = emulator.WithWebHostBuilder(host => host
            .UseSetting("Emulator:Tenants:0:TenantId", TenantId)
            .UseSetting("Emulator:Tenants:0:ClientId", "demo-app")
            .UseSetting("Emulator:Tenants:0:ClientSecret", "demo-secret")
            .UseSetting("Emulator:Tenants:0:DeviceConfigurations", "7")
            .UseSetting("Emulator:Tenants:0:CompliancePolicies", "3"));
        using var http = seeded.CreateClient();

        var summary = await http.GetFromJsonAsync<TenantSummary>($"/emulator/tenants/{TenantId}");

        Assert.NotNull(summary);
        Assert.Equal("demo-app", summary.ClientId);
        Assert.Equal(7, summary.DeviceConfigurationIds.Count);
        Assert.Equal(3, summary.CompliancePolicyIds.Count);
    }
}
