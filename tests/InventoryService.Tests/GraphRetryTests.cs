using TenantAtlas.Inventory.V1;
using TenantAtlas.Runs.V1;
using static TenantAtlas.Testing.Suite.DomainSuiteFixture;

namespace TenantAtlas.InventoryService.Tests;

/// <summary>What Graph:MaxRetries means, counted at the emulator.</summary>
public sealed class GraphRetryTests(HostPerTestFixture suite) : IClassFixture<HostPerTestFixture>
{
    [Fact]
    public async Task ThrottledLongerThanMaxRetries_MakesOnePlusMaxRetriesAttempts_ThenTheRunFails()
    {
        // Graph:MaxRetries counts retries after the first attempt (the suite: 6, with 1 s back-off doubling: 63 s). Here
        // with 2 retries: 1 + 2 attempts of the first list request, 1 s + 2 s apart, then the run fails honestly.
        var (_, tenantId, entraTenantId, _) = await suite.CreateTenantAsync("retries-owner", deviceConfigurations: 2, compliancePolicies: 0);
        var host = suite.StartInventoryHost(settings: new Dictionary<string, string> { ["Graph:MaxRetries"] = "2" });
        try
        {
            await suite.SetGraphFaultsAsync(entraTenantId, new { throttle = new { count = 8, retryAfterSeconds = (int?)null } });
            var started = await suite.InventoryApi(UserToken("retries-owner"), host).StartInventorySyncAsync(new StartInventorySyncRequest { TenantId = tenantId });
            var run = await suite.WaitForCompletionAsync(started.Run.RunId, TimeSpan.FromSeconds(30));

            Assert.Equal(RunOutcome.Failed, run.Outcome);
            Assert.Equal(3, (await suite.GraphRequestsByStatusAsync(entraTenantId))["429"]);
        }
        finally
        {
            await suite.StopInventoryHostAsync(host);
        }
    }

    [Fact]
    public void RetriesWhoseBackOffOutlastsTheRequestTimeout_AreRefusedAtStart()
    {
        // 3 s × (2^8 − 1) = 765 s of back-off cannot fit in the 5 minute request timeout: the last retries would never happen.
        var e = Assert.ThrowsAny<Exception>(() => suite.StartInventoryHost(settings: new Dictionary<string, string>
        {
            ["Graph:MaxRetries"] = "8", ["Graph:RetryDelaySeconds"] = "3",
        }));

        Assert.Contains("Graph:RequestTimeout", e.ToString(), StringComparison.Ordinal);
    }
}
