using System.Collections.Concurrent;
using Grpc.Net.Client;
using StackExchange.Redis;
using TenantAtlas.Access.V1;
using TenantAtlas.AppHost.Demo;
using TenantAtlas.Runs.V1;
using RunsClient = TenantAtlas.Runs.V1.RunsService.RunsServiceClient;

namespace TenantAtlas.AppHost.Tests;

/// <summary>
/// The scale-out story end to end: the AppHost with <c>--replicas 2</c> runs two RunsService and two
/// InventoryService processes behind DCP's proxies; a storm of sync starts through the gateway gets one run per
/// active identity, each run's job executes exactly once, and nothing is left queued. Then the app is disposed and
/// no process of it survives.
/// </summary>
public sealed class ReplicaTests
{
    private const int Tenants = 20;
    private const int Starts = 500;
    private const int Concurrency = 16;

    /// <summary>Each Graph request of the test tenants takes this long, so a run lasts long enough for starts to pile onto it.</summary>
    private const int GraphLatencyMs = 100;

    [Fact]
    public async Task TwoReplicasEach_500StartsThroughTheGateway_OneRunPerActiveIdentity_EachExecutedOnce_NothingQueued_NoProcessLeft()
    {
        var suite = new SuiteApp(replicas: 2);
        var processes = new AppProcesses([]);
        try
        {
            await suite.InitializeAsync();
            processes = AppProcesses.Find(suite.DataDirectory);
            Assert.Equal(2, processes.Processes.Count(p => p.CommandLine.EndsWith("net10.0/RunsService", StringComparison.Ordinal)));
            Assert.Equal(2, processes.Processes.Count(p => p.CommandLine.EndsWith("net10.0/InventoryService", StringComparison.Ordinal)));

            var tenants = await AddTenantsAsync(suite);
            using var owner = suite.Gateway(suite.OwnerToken);
            var started = new ConcurrentBag<(string TenantId, string RunId)>();
            await Parallel.ForEachAsync(Enumerable.Range(0, Starts), new ParallelOptions { MaxDegreeOfParallelism = Concurrency }, async (i, _) =>
            {
                var tenantId = tenants[i % Tenants].TenantId;
                var run = await SuiteApp.StartSyncAsync(owner, tenantId);
                started.Add((tenantId, run.GetProperty("runId").GetString()!));
            });

            using var channel = suite.RunsChannel(suite.OwnerToken);
            var runsClient = new RunsClient(channel);
            var runs = new List<Run>();
            foreach (var runId in started.Select(s => s.RunId).Distinct())
            {
                runs.Add(await Eventually.UntilAsync(async () => (await runsClient.GetRunAsync(new GetRunRequest { RunId = runId })).Run,
                    run => run.Status == RunStatus.Completed, TimeSpan.FromSeconds(120), $"run {runId} completes"));
            }

            Assert.Equal(Starts, started.Count);
            Assert.All(runs, run => Assert.Equal(RunOutcome.Succeeded, run.Outcome));
            var active = await runsClient.ListRunsAsync(new ListRunsRequest
            {
                WorkspaceId = suite.WorkspaceId, StatusBuckets = { StatusBucket.Queued, StatusBucket.Running }, PageSize = 100,
            });
            Assert.Empty(active.Runs);
            foreach (var (entraTenantId, tenantId) in tenants)
            {
                var ofTenant = runs.Where(r => r.TenantId == tenantId).OrderBy(r => r.CreatedAt.ToDateTimeOffset()).ToList();
                Assert.NotEmpty(ofTenant);
                // One identity (tenant, all families), WHILE_ACTIVE: a run starts only after the previous one ended.
                // (Timestamps are each transaction's start, a few milliseconds apart at most; a duplicate active run
                // would overlap by a whole run, hundreds of milliseconds at this Graph latency.)
                for (var i = 1; i < ofTenant.Count; i++)
                {
                    var gap = ofTenant[i].CreatedAt.ToDateTimeOffset() - ofTenant[i - 1].CompletedAt.ToDateTimeOffset();
                    Assert.True(gap > TimeSpan.FromMilliseconds(-250),
                        $"tenant {tenantId}: run {ofTenant[i].RunId} started {-gap.TotalMilliseconds:0} ms before run {ofTenant[i - 1].RunId} completed");
                }
                // Each run's job executed once: each execution enumerates the tenant's device configurations once.
                var requests = await suite.GraphEmulatorAsync(HttpMethod.Get, $"/emulator/tenants/{entraTenantId}/requests");
                Assert.Equal(ofTenant.Count, requests.GetProperty("collectionReads").GetProperty("deviceConfigurations").GetInt32());
            }
            // Both InventoryService replicas joined the consumer group of the inventory stream.
            await using var redis = await ConnectionMultiplexer.ConnectAsync((await suite.App.GetConnectionStringAsync("redis"))!);
            var consumers = await redis.GetDatabase().StreamConsumerInfoAsync("ops:inventory", "inventory");
            Assert.True(consumers.Length >= 2, $"consumers of ops:inventory: {string.Join(", ", consumers.Select(c => c.Name))}");
            Assert.All(consumers, c => Assert.Equal(0, c.PendingMessageCount));
        }
        finally
        {
            await suite.DisposeAsync();
        }

        var survivors = await processes.WaitAllGoneAsync(TimeSpan.FromSeconds(30));
        Assert.True(survivors.Count == 0, "processes left after the app was disposed:\n" + string.Join("\n", survivors.Select(p => $"{p.Pid} {p.CommandLine}")));
    }

    /// <summary>Emulated tenants with small data sets and slow Graph answers, registered in the demo workspace.</summary>
    private static async Task<List<(string EntraTenantId, string TenantId)>> AddTenantsAsync(SuiteApp suite)
    {
        var tenants = new List<(string, string)>();
        for (var i = 0; i < Tenants; i++)
        {
            tenants.Add(await suite.AddTenantAsync($"Replica test tenant {i}", deviceConfigurations: 3, compliancePolicies: 2, latencyMs: GraphLatencyMs));
        }
        return tenants;
    }
}
