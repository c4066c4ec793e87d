using System.Diagnostics;
using StackExchange.Redis;
using TenantAtlas.Contracts;
using TenantAtlas.Runs.V1;
using Xunit.Abstractions;

namespace TenantAtlas.AppHost.Tests.Faults;

/// <summary>
/// Faults of the work itself: Graph throttling, failing, slow or refusing a tenant, a poison entry in the stream, and
/// a handler that never returns. Each run ends with the outcome and stable code its fault deserves, none hangs.
/// </summary>
public sealed class GraphAndJobFaultTests(FaultSuite faults, ITestOutputHelper output) : FaultScenario(faults, output)
{
    private const int Items = 20;

    /// <summary>A Graph fault of one tenant and what its sync must end as.</summary>
    private sealed record GraphFault(string Name, object? Faults, RunOutcome Expected, string? Code, int FailingItems = 0, string? Secret = null);

    [Fact]
    public async Task GraphStorms_EachSyncEndsWithTheOutcomeItsFaultDeserves()
    {
        GraphFault[] storms =
        [
            new("429 storm with Retry-After (3 × 1 s)", new { throttle = new { count = 3, retryAfterSeconds = 1 } }, RunOutcome.Succeeded, null),
            new("429 storm without Retry-After (2 throttles, SDK back-off)", new { throttle = new { count = 2 } }, RunOutcome.Succeeded, null),
            new("HTTP 500 on 2 items", null, RunOutcome.PartiallySucceeded, "graph.item_unreadable", FailingItems: 2),
            new("slow responses (1.5 s each)", new { latencyMs = 1500 }, RunOutcome.Succeeded, null),
            new("token refused", null, RunOutcome.Failed, "graph.unauthorized", Secret: "not-the-suites-secret"),
        ];
        var started = new List<(GraphFault Fault, string RunId, Stopwatch Clock)>();
        foreach (var storm in storms)
        {
            var (entraTenantId, tenantId) = await Suite.AddTenantAsync($"Fault: Graph {storm.Name}", Items, clientSecret: storm.Secret);
            var faults = storm.Faults;
            if (storm.FailingItems > 0)
            {
                var tenant = await Suite.GraphEmulatorAsync(HttpMethod.Get, $"/emulator/tenants/{entraTenantId}");
                var ids = tenant.GetProperty("deviceConfigurationIds").EnumerateArray().Take(storm.FailingItems).Select(i => i.GetString()).ToArray();
                faults = new { failingItemIds = ids, failingStatus = 500 };
            }
            if (faults is not null)
            {
                await Suite.GraphEmulatorAsync(HttpMethod.Put, $"/emulator/tenants/{entraTenantId}/faults", faults);
            }
            started.Add((storm, await StartSyncAsync(tenantId), Stopwatch.StartNew()));
        }

        foreach (var (fault, runId, clock) in started)
        {
            var run = await CompletedOrNullAsync(runId, TimeSpan.FromSeconds(150));
            var duration = clock.Elapsed;
            var asExpected = run is not null && run.Outcome == fault.Expected && (fault.Code is null || run.Failures.Any(f => f.Code == fault.Code))
                && (fault.FailingItems == 0 || run.Counts.Failed == fault.FailingItems);
            Record(new FaultResult($"Graph: {fault.Name}", $"run completed {FaultReport.Seconds(duration)} after its start",
                Lost: run is not null && !asExpected ? 1 : 0, Duplicated: 0, Stuck: run is null ? 1 : 0,
                $"expected {fault.Expected}{(fault.Code is null ? "" : " " + fault.Code)}; got {run?.Outcome} " +
                $"{string.Join(",", run?.Failures.Select(f => f.Code).Distinct() ?? [])}; counts {run?.Counts.Succeeded}/{run?.Counts.Total}"));
        }
    }

    [Fact]
    public async Task PoisonEntries_AreDeadLettered_AndTheWorkerGoesOn()
    {
        await using var redis = await Faults.RedisAsync();
        var database = redis.GetDatabase();
        var stream = RunJobs.StreamOf("inventory");
        var dead = RunJobs.DeadLetterStreamOf("inventory");
        var before = await database.StreamLengthAsync(dead);
        var clock = Stopwatch.StartNew();
        // Unreadable (no run id), and one naming a run that does not exist.
        var unreadable = await database.StreamAddAsync(stream, [new NameValueEntry("garbage", "\u0000\u00ff not a job")]);
        var unknownRun = await database.StreamAddAsync(stream, [new NameValueEntry(RunJobs.RunIdField, Guid.NewGuid().ToString()),
            new NameValueEntry(RunJobs.TypeField, RunTypes.InventorySync)]);
        var deadLettered = await Eventually.UntilAsync(async () => await database.StreamLengthAsync(dead), n => n >= before + 2,
            TimeSpan.FromSeconds(60), "both poison entries are dead-lettered");
        var deadLetterTime = clock.Elapsed;

        var fresh = await Suite.AddTenantAsync("Fault: after poison entries", deviceConfigurations: 1);
        var run = await CompletedOrNullAsync(await StartSyncAsync(fresh.TenantId), TimeSpan.FromSeconds(60));
        var pending = (await database.StreamPendingMessagesAsync(stream, "inventory", 100, RedisValue.Null))
            .Count(p => p.MessageId == unreadable || p.MessageId == unknownRun);

        Record(new FaultResult("poison entries (unreadable; unknown run)",
            $"dead-lettered {FaultReport.Seconds(deadLetterTime)} after they were added; the next run completed",
            Lost: run is { Outcome: RunOutcome.Succeeded } ? 0 : 1, Duplicated: 0, Stuck: pending + (run is null ? 1 : 0),
            $"{deadLettered - before} dead letters; poison entries still pending: {pending}"));
    }

    [Fact]
    public async Task HandlerThatNeverReturns_IsCutOffAtTheMaximumRunDuration_RunFailsWorkerTimeout()
    {
        // Every Graph request of this tenant takes a minute (the emulator's longest), past the maximum run duration.
        var (_, tenantId) = await Suite.AddTenantAsync("Fault: hung handler", 1, latencyMs: 60_000);
        var clock = Stopwatch.StartNew();
        var run = await CompletedOrNullAsync(await StartSyncAsync(tenantId), FaultSuite.MaxSyncDuration + TimeSpan.FromSeconds(60));
        var ended = clock.Elapsed;

        Record(new FaultResult($"hung handler (Graph answers after 60 s; maximum run duration {FaultSuite.MaxSyncDuration.TotalSeconds:0} s)",
            $"run failed {FaultReport.Seconds(ended)} after its start",
            Lost: run is not null && !(run.Outcome == RunOutcome.Failed && run.Failures.Any(f => f.Code == "worker.timeout")) ? 1 : 0,
            Duplicated: 0, Stuck: run is null ? 1 : 0,
            $"got {run?.Outcome} {string.Join(",", run?.Failures.Select(f => f.Code) ?? [])}"));
    }
}
