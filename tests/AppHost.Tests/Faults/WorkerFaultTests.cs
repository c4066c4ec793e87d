using System.Diagnostics;
using TenantAtlas.Runs.V1;
using Xunit.Abstractions;

namespace TenantAtlas.AppHost.Tests.Faults;

/// <summary>
/// An InventoryService process killed (SIGKILL) in the middle of a sync: the run is taken over by a live consumer once
/// its claim lapses (Worker:ClaimIdleTimeout), completes succeeded, and its items are counted once.
/// </summary>
public sealed class WorkerFaultTests(FaultSuite faults, ITestOutputHelper output) : FaultScenario(faults, output)
{
    private static int Items => FaultSuite.Full ? 2000 : 300;

    /// <summary>Graph latency per request: with 4 parallel reads, the sync takes ~8 s (short) or ~20 s (full).</summary>
    private static int LatencyMs => FaultSuite.Full ? 40 : 100;

    [Fact]
    public async Task WorkerKilledMidRun_TwoConsumers_TheOtherTakesTheRunOver_AndCountsItsItemsOnce()
    {
        var (entraTenantId, tenantId) = await Suite.AddTenantAsync("Fault: worker killed, two consumers", Items, latencyMs: LatencyMs);
        var (takeover, completion, run) = await KillTheWorkerMidRunAsync(tenantId, restartAtOnce: false);

        Record(Result("worker SIGKILL mid-run, 2 consumers", takeover, completion, run, await SyncExecutionsAsync(entraTenantId)));
    }

    [Fact]
    public async Task WorkerKilledMidRun_OneConsumer_RestartedBySupervisor_TakesTheRunOver_AndCountsItsItemsOnce()
    {
        // Slower Graph than the two-consumer case: stopping the other replica (an orderly stop, ~6 s) happens mid-run.
        var (entraTenantId, tenantId) = await Suite.AddTenantAsync("Fault: worker killed, one consumer", Items, latencyMs: LatencyMs * 3);
        FaultSuite.Instance? other = null;
        try
        {
            // The other replica is stopped once the run has its worker, so the only consumer left is the one killed and
            // restarted (and nothing is routed to a replica mid-stop).
            var (takeover, completion, run) = await KillTheWorkerMidRunAsync(tenantId, restartAtOnce: true, beforeKill: async victim =>
            {
                other = Faults.InstancesOf("inventory").Single(i => i.ResourceId != victim.ResourceId);
                await Faults.StopAsync(other);
            });

            Record(Result("worker SIGKILL mid-run, 1 consumer (restarted at once)", takeover, completion, run, await SyncExecutionsAsync(entraTenantId)));
        }
        finally
        {
            if (other is not null)
            {
                await Faults.StartAsync(Faults.InstancesOf("inventory").Single(i => i.ResourceId == other.ResourceId));
            }
        }
    }

    private async Task<(TimeSpan? Takeover, TimeSpan? Completion, Run? Run)> KillTheWorkerMidRunAsync(
        string tenantId, bool restartAtOnce, Func<FaultSuite.Instance, Task>? beforeKill = null)
    {
        var runId = await StartSyncAsync(tenantId);
        await using var redis = await Faults.RedisAsync();
        var deadLetters = await redis.GetDatabase().StreamLengthAsync(Contracts.RunJobs.DeadLetterStreamOf("inventory"));
        var pid = await FaultSuite.LeaseHolderPidAsync(redis.GetDatabase(), runId, TimeSpan.FromSeconds(30));
        var victim = Faults.InstanceWithPid("inventory", pid);
        if (beforeKill is not null)
        {
            await beforeKill(victim);
        }
        await Task.Delay(TimeSpan.FromSeconds(2));

        FaultSuite.Signal(pid, "KILL");
        var sinceKill = Stopwatch.StartNew();
        var restart = Task.CompletedTask;
        if (restartAtOnce)
        {
            restart = Faults.StartAsync(victim);
        }
        TimeSpan? takeover = null;
        try
        {
            await Eventually.UntilAsync(async () => (string?)await redis.GetDatabase().StringGetAsync(
                    Contracts.RunJobs.LeaseOf(Contracts.RunJobs.StreamOf("inventory"), runId)),
                holder => holder is not null && FaultSuite.PidOfConsumer(holder) != pid, TimeSpan.FromSeconds(120), "another consumer takes the run");
            takeover = sinceKill.Elapsed;
        }
        catch (TimeoutException)
        {
        }
        var run = await CompletedOrNullAsync(runId, TimeSpan.FromSeconds(180));
        var completion = run is null ? (TimeSpan?)null : sinceKill.Elapsed;
        await restart;
        if (!restartAtOnce)
        {
            await Faults.StartAsync(victim);
        }
        // The kill must not leave dead letters (issue 12 once saw 4 after a worker kill: copies given up after the run completed).
        Assert.Equal(deadLetters, await redis.GetDatabase().StreamLengthAsync(Contracts.RunJobs.DeadLetterStreamOf("inventory")));
        return (takeover, completion, run);
    }

    private static FaultResult Result(string scenario, TimeSpan? takeover, TimeSpan? completion, Run? run, int executions) => new(
        scenario,
        $"taken over {Figure(takeover)} and completed {Figure(completion)} after the kill",
        Lost: run is { Outcome: not RunOutcome.Succeeded } ? 1 : 0,
        Duplicated: run is not null && (run.Counts.Succeeded != Items || run.Counts.Total != Items) ? 1 : 0,
        Stuck: run is null ? 1 : 0,
        $"{Items} items; outcome {run?.Outcome}; counts {run?.Counts.Succeeded}/{run?.Counts.Total}; handler executions {executions} (the killed one and the take-over)");

    private static string Figure(TimeSpan? elapsed) => elapsed is { } e ? FaultReport.Seconds(e) : "never";
}
