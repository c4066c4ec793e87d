using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using TenantAtlas.GraphEmulator.Tenants;

namespace TenantAtlas.GraphEmulator.Tests.Graph;

public sealed class RequestBudgetTests(GraphEmulatorFactory emulator) : IClassFixture<GraphEmulatorFactory>
{
    [Fact]
    public async Task RequestsOverTheBudget_Answer429_WithRetryAfterUntilTheWindowFrees()
    {
        var tenant = await emulator.DefineTenantAsync(new TenantDefinition { DeviceConfigurations = 1, RequestBudget = 3, BudgetWindowSeconds = 30 });
        using var http = await emulator.CreateGraphHttpClientAsync(tenant);

        for (var i = 0; i < 3; i++)
            (await http.GetAsync("/v1.0/deviceManagement/deviceConfigurations")).EnsureSuccessStatusCode();
        using var refused = await http.GetAsync("/v1.0/deviceManagement/deviceConfigurations");

        Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
        Assert.InRange(int.Parse(refused.Headers.GetValues("Retry-After").Single(), System.Globalization.CultureInfo.InvariantCulture), 25, 30);
        using var error = JsonDocument.Parse(await refused.Content.ReadAsStringAsync());
        Assert.Equal("TooManyRequests", error.RootElement.GetProperty("error").GetProperty("code").GetString());
    }

    [Fact]
    public async Task BatchSubRequests_CountAgainstTheBudgetEach()
    {
        var tenant = await emulator.DefineTenantAsync(new TenantDefinition { DeviceConfigurations = 1, RequestBudget = 4, BudgetWindowSeconds = 60 });
        using var http = await emulator.CreateGraphHttpClientAsync(tenant);

        using var response = await http.PostAsJsonAsync("/v1.0/$batch", new
        {
            requests = Enumerable.Range(1, 6).Select(i => new { id = $"{i}", method = "GET", url = "/deviceManagement/deviceConfigurations" }),
        });

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var statuses = body.RootElement.GetProperty("responses").EnumerateArray().Select(r => r.GetProperty("status").GetInt32());
        Assert.Equal([200, 200, 200, 200, 429, 429], statuses);
    }

    [Fact]
    public async Task NoBudget_IsTheDefault()
    {
        var tenant = await emulator.DefineTenantAsync(new TenantDefinition { DeviceConfigurations = 1 });
        using var http = await emulator.CreateGraphHttpClientAsync(tenant);

        for (var i = 0; i < 30; i++)
            (await http.GetAsync("/v1.0/deviceManagement/deviceConfigurations")).EnsureSuccessStatusCode();

        Assert.Equal(0, tenant.Summary.RequestBudget);
    }
}
