using StackExchange.Redis;
using TenantAtlas.Contracts;
using TenantAtlas.Inventory.V1;
using TenantAtlas.Runs.V1;
using static TenantAtlas.Testing.Suite.DomainSuiteFixture;

namespace TenantAtlas.InventoryService.Tests;

/// <summary>
/// Workers that die, end to end with the real RunsService and a Graph sync: their entries are reclaimed (XAUTOCLAIM) or,
/// after too many deliveries, given up. The worker host's own recovery tests are in tests/Workers.Tests.
/// </summary>
public sealed class WorkerRecoveryTests(HostPerTestFixture suite) : IClassFixture<HostPerTestFixture>
{
    private static readonly string Stream = RunJobs.StreamOf("inventory");

    /// <summary>Waits until the run's entry is pending with at least <paramref name="deliveries"/> deliveries.</summary>
    private async Task<StreamPendingMessageInfo> WaitForDeliveryAsync(string runId, long deliveries)
    {
        await using var redis = await ConnectionMultiplexer.ConnectAsync(suite.Redis.ConnectionString);
        var database = redis.GetDatabase();
        return await Eventually.UntilAsync(async () =>
        {
            // The relay may not have published the entry yet.
            var entry = (await database.StreamRangeAsync(Stream)).FirstOrDefault(e => e[RunJobs.RunIdField] == runId);
            var pending = entry.Values is { Length: > 0 } ? await database.StreamPendingMessagesAsync(Stream, "inventory", 100, RedisValue.Null) : [];
            return pending.FirstOrDefault(p => !entry.Id.IsNull && p.MessageId == entry.Id);
        }, mine => !mine.MessageId.IsNull && mine.DeliveryCount >= deliveries, TimeSpan.FromSeconds(20),
            $"the entry of run {runId} reaches {deliveries} deliveries");
    }

    [Fact]
    public async Task WorkerStoppedMidRun_WithoutAcknowledging_IsRecoveredByAnotherConsumer_AndTheRunCompletes()
    {
        var (_, tenantId, entraTenantId, _) = await suite.CreateTenantAsync("recover-owner", deviceConfigurations: 16, compliancePolicies: 4);
        // 1.5 s per Graph request (20 items, 4 at a time): the run is still mid-way when the first worker stops, also on a
        // loaded CI machine (at 250 ms it once completed first, and there was no entry left to recover).
        await suite.SetGraphFaultsAsync(entraTenantId, new { latencyMs = 1500 });
        var first = suite.StartInventoryHost();
        var started = await suite.InventoryApi(UserToken("recover-owner"), first).StartInventorySyncAsync(new StartInventorySyncRequest { TenantId = tenantId });
        await suite.WaitForRunAsync(started.Run.RunId, r => r.Status == RunStatus.Running && r.Counts.Total > 0);
        var firstDelivery = await WaitForDeliveryAsync(started.Run.RunId, 1);

        var second = suite.StartInventoryHost();
        await suite.StopInventoryHostAsync(first);
        var reclaimed = await WaitForDeliveryAsync(started.Run.RunId, 2);
        var run = await suite.WaitForCompletionAsync(started.Run.RunId, TimeSpan.FromSeconds(40));
        await suite.StopInventoryHostAsync(second);

        Assert.Equal(RunStatus.Completed, run.Status);
        Assert.Equal(RunOutcome.Succeeded, run.Outcome);
        // The second attempt counted from zero: no double counting of what the first one had reported.
        Assert.Equal(20, run.Counts.Total);
        Assert.Equal(20, run.Counts.Succeeded);
        // Another consumer took the entry over: the first one was stopped holding it.
        Assert.NotEqual(firstDelivery.ConsumerName, reclaimed.ConsumerName);
        await using var redis = await ConnectionMultiplexer.ConnectAsync(suite.Redis.ConnectionString);
        Assert.Equal(0, (await redis.GetDatabase().StreamPendingAsync(Stream, "inventory")).PendingMessageCount);
        await suite.AssertNoActiveRunsAsync();
    }

    [Fact]
    public async Task EntryThatKeepsKillingItsWorker_EndsFailedWorkerLost_AndIsDeadLettered()
    {
        var (_, tenantId, entraTenantId, _) = await suite.CreateTenantAsync("poison-owner", deviceConfigurations: 4, compliancePolicies: 0);
        // Every Graph call hangs for a long time: each worker that takes the run dies (is stopped) before finishing.
        await suite.SetGraphFaultsAsync(entraTenantId, new { latencyMs = 30_000 });
        var host = suite.StartInventoryHost();
        var started = await suite.InventoryApi(UserToken("poison-owner"), host).StartInventorySyncAsync(new StartInventorySyncRequest { TenantId = tenantId });

        // MaxDeliveries is 2 in the suite: delivery 1 and 2 die, delivery 3 gives up.
        for (var delivery = 1; delivery <= 2; delivery++)
        {
            await WaitForDeliveryAsync(started.Run.RunId, delivery);
            await suite.WaitForRunAsync(started.Run.RunId, r => r.Status == RunStatus.Running);
            await suite.StopInventoryHostAsync(host);
            host = suite.StartInventoryHost();
        }
        var run = await suite.WaitForCompletionAsync(started.Run.RunId, TimeSpan.FromSeconds(30));
        await suite.StopInventoryHostAsync(host);
        await suite.SetGraphFaultsAsync(entraTenantId, new { latencyMs = 0 });

        Assert.Equal(RunOutcome.Failed, run.Outcome);
        Assert.Equal("worker.lost", Assert.Single(run.Failures).Code);
        await using var redis = await ConnectionMultiplexer.ConnectAsync(suite.Redis.ConnectionString);
        var database = redis.GetDatabase();
        var dead = await database.StreamRangeAsync(RunJobs.DeadLetterStreamOf("inventory"));
        Assert.Contains(dead, e => e[RunJobs.RunIdField] == started.Run.RunId);
        Assert.Equal(0, (await database.StreamPendingAsync(Stream, "inventory")).PendingMessageCount);
        await suite.AssertNoActiveRunsAsync();
    }

    // Issue 15: a dead letter whose run is still active (its entry was given up while the run stayed running: an older
    // worker build, or a give-up whose completion could not be written) is listed and requeued by a platform
    // administrator, and a worker takes the new delivery to success.
    [Fact]
    public async Task DeadLetterOfAnActiveRun_IsListedAndRequeued_AndAWorkerCompletesItSucceeded()
    {
        var (_, tenantId, entraTenantId, _) = await suite.CreateTenantAsync("requeue-owner", deviceConfigurations: 4, compliancePolicies: 1);
        await suite.SetGraphFaultsAsync(entraTenantId, new { latencyMs = 1500 });
        var first = suite.StartInventoryHost();
        var started = await suite.InventoryApi(UserToken("requeue-owner"), first).StartInventorySyncAsync(new StartInventorySyncRequest { TenantId = tenantId });
        await suite.WaitForRunAsync(started.Run.RunId, r => r.Status == RunStatus.Running);
        await WaitForDeliveryAsync(started.Run.RunId, 1);
        await suite.StopInventoryHostAsync(first);
        // Given up as the worker host does it: the entry's fields and why, in the dead-letter stream; the original acknowledged.
        await using (var redis = await ConnectionMultiplexer.ConnectAsync(suite.Redis.ConnectionString))
        {
            var database = redis.GetDatabase();
            var entry = (await database.StreamRangeAsync(Stream)).Single(e => e[RunJobs.RunIdField] == started.Run.RunId);
            await database.StreamAddAsync(RunJobs.DeadLetterStreamOf("inventory"),
                [.. entry.Values, new NameValueEntry(RunJobs.ReasonField, "no handler for inventory.sync"), new NameValueEntry(RunJobs.OriginalIdField, entry.Id),
                 new NameValueEntry(RunJobs.DeliveryCountField, 1)]);
            await database.StreamAcknowledgeAsync(Stream, "inventory", entry.Id);
            await database.StreamDeleteAsync(Stream, [entry.Id]);
        }
        var admin = new DeadLetterService.DeadLetterServiceClient(Channel(suite.RunsHost.Server, UserToken(PlatformAdmin)));

        // (Other tests of the class leave dead letters of their own.)
        var listed = Assert.Single((await admin.ListDeadLettersAsync(new ListDeadLettersRequest { Service = "inventory" })).DeadLetters,
            d => d.RunId == started.Run.RunId);
        await suite.SetGraphFaultsAsync(entraTenantId, new { latencyMs = 0 });
        var requeued = await admin.RequeueDeadLetterAsync(new RequeueDeadLetterRequest { Service = "inventory", EntryId = listed.EntryId });
        var second = suite.StartInventoryHost();
        var run = await suite.WaitForCompletionAsync(started.Run.RunId, TimeSpan.FromSeconds(40));
        await suite.StopInventoryHostAsync(second);

        Assert.Equal((started.Run.RunId, RunStatus.Running), (listed.RunId, listed.Run.Status));
        Assert.Equal(started.Run.RunId, requeued.Run.RunId);
        Assert.Equal(RunOutcome.Succeeded, run.Outcome);
        Assert.Equal(5, run.Counts.Succeeded);
        Assert.DoesNotContain((await admin.ListDeadLettersAsync(new ListDeadLettersRequest { Service = "inventory" })).DeadLetters,
            d => d.RunId == started.Run.RunId);
        await suite.AssertNoActiveRunsAsync();
    }

    [Fact]
    public async Task RedeliveredEntry_ForACompletedRun_IsAcknowledgedAndDropped()
    {
        var (_, tenantId, _, _) = await suite.CreateTenantAsync("redeliver-owner", deviceConfigurations: 2, compliancePolicies: 0);
        var host = suite.StartInventoryHost();
        var started = await suite.InventoryApi(UserToken("redeliver-owner"), host).StartInventorySyncAsync(new StartInventorySyncRequest { TenantId = tenantId });
        var run = await suite.WaitForCompletionAsync(started.Run.RunId);
        await using var redis = await ConnectionMultiplexer.ConnectAsync(suite.Redis.ConnectionString);
        var database = redis.GetDatabase();
        var original = (await database.StreamRangeAsync(Stream)).Single(e => e[RunJobs.RunIdField] == run.RunId);

        // At-least-once: the same job arrives again (e.g. published twice after a relay crash).
        var duplicate = await database.StreamAddAsync(Stream, original.Values);
        await Eventually.UntilAsync(
            async () => (await database.StreamPendingAsync(Stream, "inventory")).PendingMessageCount == 0 && await WasDeliveredAsync(database, duplicate),
            consumed => consumed, TimeSpan.FromSeconds(10), "the duplicate entry is delivered and acknowledged");
        await suite.StopInventoryHostAsync(host);

        var after = await suite.WaitForCompletionAsync(run.RunId);
        Assert.Equal(run.CompletedAt, after.CompletedAt);
        Assert.Equal(run.Counts, after.Counts);
        await suite.AssertNoActiveRunsAsync();
    }

    private static async Task<bool> WasDeliveredAsync(IDatabase database, RedisValue entryId)
    {
        var group = (await database.StreamGroupInfoAsync(Stream)).Single(g => g.Name == "inventory");
        return string.CompareOrdinal(group.LastDeliveredId, entryId.ToString()) >= 0;
    }
}
