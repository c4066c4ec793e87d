using System.Globalization;
using System.Net;
using System.Text.Json;
using TenantAtlas.GraphEmulator.Tenants;

namespace TenantAtlas.GraphEmulator.Tests.Writes;

public sealed class WriteBudgetTests(GraphEmulatorFactory emulator) : IClassFixture<GraphEmulatorFactory>
{
    private const string Create = """{"@odata.type":"#microsoft.graph.windows10GeneralConfiguration","displayName":"w"}""";
    private const string Configurations = "/v1.0/deviceManagement/deviceConfigurations";

    [Fact]
    public async Task WritesOverTheBudget_Answer429_WithRetryAfter_AndWriteNothing()
    {
        var tenant = await emulator.DefineTenantAsync(new TenantDefinition { DeviceConfigurations = 1, WriteBudget = 3, WriteBudgetWindowSeconds = 30 });
        using var http = await emulator.CreateGraphHttpClientAsync(tenant);
        var id = tenant.Summary.DeviceConfigurationIds[0];

        for (var i = 0; i < 3; i++)
            Assert.Equal(HttpStatusCode.Created, (await PolicyCreateTests.PostJsonAsync(http, Configurations, Create)).StatusCode);
        using var refusedCreate = await PolicyCreateTests.PostJsonAsync(http, Configurations, Create);
        using var refusedPatch = await http.PatchAsync($"{Configurations}/{id}",
            new StringContent("""{"displayName":"changed"}""", System.Text.Encoding.UTF8, "application/json"));
        using var refusedDelete = await http.DeleteAsync($"{Configurations}/{id}");
        using var read = await http.GetAsync($"{Configurations}/{id}");

        foreach (var refused in new[] { refusedCreate, refusedPatch, refusedDelete })
        {
            Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
            Assert.InRange(int.Parse(refused.Headers.GetValues("Retry-After").Single(), CultureInfo.InvariantCulture), 25, 30);
            using var error = JsonDocument.Parse(await refused.Content.ReadAsStringAsync());
            Assert.Equal("TooManyRequests", error.RootElement.GetProperty("error").GetProperty("code").GetString());
        }

        Assert.Equal(HttpStatusCode.OK, read.StatusCode);
        using (var policy = JsonDocument.Parse(await read.Content.ReadAsStringAsync()))
            Assert.NotEqual("changed", policy.RootElement.GetProperty("displayName").GetString());
        Assert.Equal(4, (await emulator.GetSummaryAsync(tenant.TenantId)).DeviceConfigurations);
        var counts = await emulator.GetRequestCountsAsync(tenant.TenantId);
        Assert.Equal(3, counts.Writes);
        Assert.Equal(6, counts.WriteRequests.Count);
        Assert.Equal([201, 201, 201, 429, 429, 429], counts.WriteRequests.Select(w => w.Status));
        Assert.Equal(3, counts.WritesByCollection["deviceConfigurations"]["POST"]);
    }

    [Fact]
    public async Task Reads_DoNotCountAgainstTheWriteBudget_AndTheDefaultIsIntunes100In20Seconds()
    {
        var tenant = await emulator.DefineTenantAsync(new TenantDefinition { DeviceConfigurations = 1, WriteBudget = 1 });
        using var http = await emulator.CreateGraphHttpClientAsync(tenant);

        for (var i = 0; i < 5; i++)
            (await http.GetAsync(Configurations)).EnsureSuccessStatusCode();
        using var getByIds = await PolicyCreateTests.PostJsonAsync(http, "/v1.0/directoryObjects/getByIds", $$"""{"ids":["{{tenant.Summary.GroupIds[0]}}"]}""");
        using var write = await PolicyCreateTests.PostJsonAsync(http, Configurations, Create);
        var defaults = new TenantDefinition();

        Assert.Equal(HttpStatusCode.OK, getByIds.StatusCode);
        Assert.Equal(HttpStatusCode.Created, write.StatusCode);
        Assert.Equal((100, 20), (defaults.WriteBudget, defaults.WriteBudgetWindowSeconds));
    }

    [Fact]
    public async Task WriteSubRequestsOfABatch_CountEach()
    {
        var tenant = await emulator.DefineTenantAsync(new TenantDefinition { DeviceConfigurations = 0, WriteBudget = 2, WriteBudgetWindowSeconds = 60 });
        using var http = await emulator.CreateGraphHttpClientAsync(tenant);
        var requests = Enumerable.Range(1, 3).Select(i =>
            $$"""{"id":"{{i}}","method":"POST","url":"/deviceManagement/deviceConfigurations","headers":{"Content-Type":"application/json"},"body":{{Create}}}""");

        using var response = await PolicyCreateTests.PostJsonAsync(http, "/v1.0/$batch", $$"""{"requests":[{{string.Join(',', requests)}}]}""");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal([201, 201, 429], body.RootElement.GetProperty("responses").EnumerateArray().Select(r => r.GetProperty("status").GetInt32()));
        Assert.Equal(2, (await emulator.GetSummaryAsync(tenant.TenantId)).DeviceConfigurations);
    }
}
