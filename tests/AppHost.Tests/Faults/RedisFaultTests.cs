using System.Diagnostics;
using TenantAtlas.Runs.V1;
using Xunit.Abstractions;

namespace TenantAtlas.AppHost.Tests.Faults;

/// <summary>
/// Redis failing under runs that are queued and running: killed and restarted empty (its streams, consumer groups,
/// markers and leases gone), and paused past the dispatch deadline. Every run ends, honestly, and new runs flow.
/// </summary>
public sealed class RedisFaultTests(FaultSuite faults, ITestOutputHelper output) : FaultScenario(faults, output)
{
    /// <summary>More than the 8 runs two InventoryService replicas work on at once, so some wait in the stream.</summary>
    private static int RunCount => FaultSuite.Full ? 24 : 12;

    private const int Items = 40;
    private const int LatencyMs = 300;

    [Fact]
    public async Task RedisKilledAndRestartedEmpty_WhileRunsAreQueuedAndRunning_EveryRunCompletesOnce_AndNewRunsFlow()
    {
        var tenants = await AddTenantsAsync("Fault: Redis restarted empty", RunCount);
        var started = new List<(string EntraTenantId, string RunId)>();
        foreach (var (entraTenantId, tenantId) in tenants)
        {
            started.Add((entraTenantId, await StartSyncAsync(tenantId)));
        }
        await using (var redis = await Faults.RedisAsync())
        {
            // Wait until every job is in its stream (the outbox is empty), so what Redis loses is really lost.
            await Eventually.UntilAsync(() => Faults.RunsDbScalarAsync<long>("SELECT count(*) FROM runs.run_dispatch_outbox"), n => n == 0,
                TimeSpan.FromSeconds(30), "every job is published");
        }

        var redisInstance = Faults.InstancesOf("redis").Single();
        FaultSuite.Signal(redisInstance.Pid!.Value, "KILL");
        var sinceKill = Stopwatch.StartNew();
        await FaultSuite.WaitExitedAsync(redisInstance.Pid.Value, TimeSpan.FromSeconds(10));
        foreach (var entry in new DirectoryInfo(Path.Combine(Suite.DataDirectory, "redis")).EnumerateFileSystemInfos())
        {
            if (entry is DirectoryInfo directory)
            {
                directory.Delete(recursive: true);
            }
            else
            {
                entry.Delete();
            }
        }
        await Faults.StartAsync(redisInstance);
        var redisBack = sinceKill.Elapsed;

        // New work flows as soon as Redis is back.
        var fresh = await Suite.AddTenantAsync("Fault: after Redis restart", deviceConfigurations: 1);
        var sinceBack = Stopwatch.StartNew();
        var freshRun = await CompletedOrNullAsync(await StartSyncAsync(fresh.TenantId), TimeSpan.FromSeconds(60));
        var newRunFlows = sinceBack.Elapsed;

        var runs = new List<Run?>();
        foreach (var (_, runId) in started)
        {
            runs.Add(await CompletedOrNullAsync(runId, TimeSpan.FromSeconds(180)));
        }
        var allDone = sinceKill.Elapsed;
        var executions = new List<int>();
        foreach (var (entraTenantId, _) in started)
        {
            executions.Add(await SyncExecutionsAsync(entraTenantId));
        }

        Record(new FaultResult(
            "Redis SIGKILL, restarted empty",
            $"Redis back {FaultReport.Seconds(redisBack)} after the kill; a new run completed {FaultReport.Seconds(newRunFlows)} after that; " +
            $"all {RunCount} earlier runs completed {FaultReport.Seconds(allDone)} after the kill",
            Lost: runs.Count(r => r is { Outcome: not RunOutcome.Succeeded }) + (freshRun is { Outcome: RunOutcome.Succeeded } ? 0 : 1),
            Duplicated: executions.Count(e => e > 1) + runs.Count(r => r is not null && r.Counts.Succeeded != Items),
            Stuck: runs.Count(r => r is null),
            $"{RunCount} syncs of {Items} items at {LatencyMs} ms per Graph request, queued and running at the kill; executions per run: {string.Join(",", executions)}"));
    }

    [Fact]
    public async Task RedisPausedPastTheDispatchDeadline_RunsStartedMeanwhileEndHonestly_TheRunningOneCompletesOnce_AndNewRunsFlow()
    {
        var stall = FaultSuite.Full ? TimeSpan.FromSeconds(45) : TimeSpan.FromSeconds(35);
        var running = await Suite.AddTenantAsync("Fault: Redis paused, running", 100, latencyMs: 100);
        var runningRunId = await StartSyncAsync(running.TenantId);
        await using (var redis = await Faults.RedisAsync())
        {
            await FaultSuite.LeaseHolderPidAsync(redis.GetDatabase(), runningRunId, TimeSpan.FromSeconds(30));
        }

        var redisPid = Faults.InstancesOf("redis").Single().Pid!.Value;
        FaultSuite.Signal(redisPid, "STOP");
        var duringStall = new List<(string EntraTenantId, string RunId)>();
        try
        {
            var sinceStop = Stopwatch.StartNew();
            for (var i = 0; i < 3; i++)
            {
                var tenant = await Suite.AddTenantAsync($"Fault: Redis paused, started during the pause {i}", 5);
                duringStall.Add((tenant.EntraTenantId, await StartSyncAsync(tenant.TenantId)));
                await Task.Delay(TimeSpan.FromSeconds(5));
            }
            await Task.Delay(stall - sinceStop.Elapsed);
        }
        finally
        {
            FaultSuite.Signal(redisPid, "CONT");
        }
        var sinceResume = Stopwatch.StartNew();

        var fresh = await Suite.AddTenantAsync("Fault: after Redis pause", deviceConfigurations: 1);
        var freshRun = await CompletedOrNullAsync(await StartSyncAsync(fresh.TenantId), TimeSpan.FromSeconds(60));
        var newRunFlows = sinceResume.Elapsed;
        var runningRun = await CompletedOrNullAsync(runningRunId, TimeSpan.FromSeconds(120));
        var startedRuns = new List<Run?>();
        foreach (var (_, runId) in duringStall)
        {
            startedRuns.Add(await CompletedOrNullAsync(runId, TimeSpan.FromSeconds(120)));
        }
        var allDone = sinceResume.Elapsed;
        var executions = new List<int> { await SyncExecutionsAsync(running.EntraTenantId) };
        foreach (var (entraTenantId, _) in duringStall)
        {
            executions.Add(await SyncExecutionsAsync(entraTenantId));
        }
        // Started during the pause: succeeded (published once Redis answered) or failed queue.dispatch_failed (its deadline passed).
        var honest = startedRuns.Count(r => r is { Outcome: RunOutcome.Succeeded } ||
            r is { Outcome: RunOutcome.Failed } && r.Failures.Any(f => f.Code == "queue.dispatch_failed"));

        Record(new FaultResult(
            $"Redis SIGSTOP {stall.TotalSeconds:0} s (dispatch deadline 30 s)",
            $"a new run completed {FaultReport.Seconds(newRunFlows)} after the resume; every run completed {FaultReport.Seconds(allDone)} after it",
            Lost: (runningRun is { Outcome: RunOutcome.Succeeded } ? 0 : 1) + (startedRuns.Count(r => r is not null) - honest) +
                (freshRun is { Outcome: RunOutcome.Succeeded } ? 0 : 1),
            Duplicated: executions.Count(e => e > 1) + (runningRun is not null && runningRun.Counts.Succeeded != 100 ? 1 : 0),
            Stuck: startedRuns.Count(r => r is null) + (runningRun is null ? 1 : 0),
            $"running sync: {runningRun?.Outcome} {runningRun?.Counts.Succeeded}/100; started during the pause: " +
            string.Join(", ", startedRuns.Select(r => r is null ? "stuck" : $"{r.Outcome}{(r.Failures.Count > 0 ? " " + r.Failures[0].Code : "")}")) +
            $"; executions per run: {string.Join(",", executions)}"));
    }

    private async Task<List<(string EntraTenantId, string TenantId)>> AddTenantsAsync(string name, int count)
    {
        var tenants = new List<(string, string)>();
        for (var i = 0; i < count; i++)
        {
            tenants.Add(await Suite.AddTenantAsync($"{name} {i}", Items, latencyMs: LatencyMs));
        }
        return tenants;
    }
}
