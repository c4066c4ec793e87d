using System.Net;
using TenantAtlas.GraphEmulator.Tenants;

namespace TenantAtlas.GraphEmulator.Tests.Writes;

public sealed class WriteRequestIdTests(GraphEmulatorFactory emulator) : IClassFixture<GraphEmulatorFactory>
{
    [Fact]
    public async Task EveryWrite_IsLoggedWithTheRequestIdsItWasAnswered()
    {
        var tenant = await emulator.DefineTenantAsync(new TenantDefinition { DeviceConfigurations = 1 });
        using var http = await emulator.CreateGraphHttpClientAsync(tenant);
        var id = tenant.Summary.DeviceConfigurationIds[0];
        var clientRequestId = Guid.NewGuid().ToString();

        using var patch = new HttpRequestMessage(HttpMethod.Patch, $"/v1.0/deviceManagement/deviceConfigurations/{id}")
        {
            Content = new StringContent("""{"description":"restored"}""", System.Text.Encoding.UTF8, "application/json"),
        };
        patch.Headers.Add("client-request-id", clientRequestId);
        using var patched = await http.SendAsync(patch);
        using var assigned = await PolicyCreateTests.PostJsonAsync(http,
            $"/v1.0/deviceManagement/deviceConfigurations/{id}/assign", """{"assignments":[]}""");
        using var refused = await PolicyCreateTests.PostJsonAsync(http, "/v1.0/deviceManagement/deviceConfigurations", """{"displayName":"no type"}""");

        Assert.Equal(HttpStatusCode.OK, patched.StatusCode);
        Assert.Equal(clientRequestId, patched.Headers.GetValues("client-request-id").Single());
        var counts = await emulator.GetRequestCountsAsync(tenant.TenantId);
        Assert.Equal(
            [("PATCH", "update", 200, true), ("POST", "assign", 200, true), ("POST", "create", 400, false)],
            counts.WriteRequests.Select(w => (w.Method, w.Operation, w.Status, w.Stored)));
        Assert.Equal(patched.Headers.GetValues("request-id").Single(), counts.WriteRequests[0].RequestId);
        Assert.Equal(clientRequestId, counts.WriteRequests[0].ClientRequestId);
        Assert.Equal(assigned.Headers.GetValues("request-id").Single(), counts.WriteRequests[1].RequestId);
        Assert.Equal(refused.Headers.GetValues("request-id").Single(), counts.WriteRequests[2].RequestId);
        Assert.Equal(2, counts.Writes);
        Assert.Equal(2, counts.WritesByPolicyId[id]);
        Assert.Equal(1, counts.WritesByCollection["deviceConfigurations"]["PATCH"]);
    }

    [Fact]
    public async Task ResettingTheRequestLog_ClearsTheWrites()
    {
        var tenant = await emulator.DefineTenantAsync(new TenantDefinition { DeviceConfigurations = 1 });
        using var http = await emulator.CreateGraphHttpClientAsync(tenant);
        using var admin = emulator.CreateClient();
        (await http.DeleteAsync($"/v1.0/deviceManagement/deviceConfigurations/{tenant.Summary.DeviceConfigurationIds[0]}")).EnsureSuccessStatusCode();

        (await admin.DeleteAsync($"/emulator/tenants/{tenant.TenantId}/requests")).EnsureSuccessStatusCode();
        var counts = await emulator.GetRequestCountsAsync(tenant.TenantId);

        Assert.Equal(0, counts.Writes);
        Assert.Empty(counts.WriteRequests);
    }
}
