using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using Npgsql;
using TenantAtlas.Bench.Measurement;
using TenantAtlas.Bench.Peers;
using TenantAtlas.Bench.Report;

namespace TenantAtlas.Bench.Scenarios;

/// <summary>
/// Scenarios 5 and 6: EnsureRun → outbox → relay → Redis stream → worker → handler, with the real worker host
/// (its own process, a no-op handler), next to Hangfire on the same PostgreSQL with the same worker count;
/// the peak memory of RunsService and the worker while it runs.
/// </summary>
public static class EndToEndScenario
{
    private const string Scenario = "5. End to end";
    private const string RunType = "inventory.sync"; // the bench worker's stream (ops:inventory)

    public static async Task RunAsync(BenchSuite suite, BenchOptions options, BenchReport report)
    {
        Console.WriteLine(Scenario);
        await suite.AnalyzeRunsAsync();
        var (worker, address) = await suite.StartWorkerAsync(BenchOptions.WorkerCount);
        await using (worker)
        {
            using var workerApi = new HttpClient { BaseAddress = address };
            var memory = new ProcessMemory([suite.RunsService.ProcessId, worker.ProcessId], TimeSpan.FromMilliseconds(50));
            var profile = suite.Profile(("worker", () => [worker.ProcessId]));
            Paced paced;
            Paced unloaded;
            double throughput;
            try
            {
                // Warm-up (JIT tiering, pools, connections), as many as the Hangfire peer's warm-up.
                await PacedAsync(suite, workerApi, count: options.Quick ? 20 : 200, BenchOptions.PacedRate);
                paced = await PacedAsync(suite, workerApi, options.PacedRuns, BenchOptions.PacedRate);
                // The same chain with the machine nearly idle: what one run costs without queueing for a core.
                unloaded = await PacedAsync(suite, workerApi, options.Quick ? 20 : 200, UnloadedRate);
                var before = await profile.TakeAsync();
                throughput = await ThroughputAsync(suite, workerApi, options.ThroughputRuns);
                report.AddFact($"Profile, end to end, {options.ThroughputRuns:N0} runs: {CpuProfile.Describe(before, await profile.TakeAsync(), options.ThroughputRuns, "run")}.");
            }
            finally
            {
                await memory.DisposeAsync();
            }
            await RequireAllSucceededAsync(suite, report);
            var latency = paced.Latency;
            report.AddFact(string.Create(CultureInfo.InvariantCulture,
                $"Dispatch latency at {BenchOptions.PacedRate}/s, split: EnsureRun round trip p50 {paced.EnsureRoundTrip.P50:0.00} ms (p99 {paced.EnsureRoundTrip.P99:0.00}); " +
                $"EnsureRun's answer → handler start p50 {paced.AfterAnswer.P50:0.00} ms (p99 {paced.AfterAnswer.P99:0.00}; negative: the handler started before the caller had its answer)."));

            // The floor the latency targets are set against: one raw insert by one caller, measured now, on this disk.
            var raw = new RawRunStatements(suite.RunsData, suite.LoadWorkspace, suite.LoadTenants);
            var rawInsert = await LoadGenerator.RunAsync(1, options.Warmup, options.Measure, sequence => raw.EnsureAsync($"floor-{sequence}", sequence));

            var hangfireDatabase = await suite.Postgres.CreateDatabaseAsync("hangfire");
            var hangfireLatency = await HangfirePeer.MeasureDispatchLatencyAsync(hangfireDatabase, BenchOptions.WorkerCount,
                BenchOptions.PacedRate, options.PacedRuns, CancellationToken.None);
            var hangfireBefore = await profile.TakeAsync();
            var hangfireThroughput = await HangfirePeer.MeasureThroughputAsync(hangfireDatabase, BenchOptions.WorkerCount,
                Enqueuers, options.ThroughputRuns, CancellationToken.None);
            report.AddFact($"Profile, Hangfire throughput (in the load generator's process), {options.ThroughputRuns:N0} jobs: " +
                $"{CpuProfile.Describe(hangfireBefore, await profile.TakeAsync(), options.ThroughputRuns, "job")}.");

            var ratio = throughput / hangfireThroughput;
            report.Add(new BenchRow(Scenario, $"completed runs/s, no-op handler, {BenchOptions.WorkerCount} workers",
                new Figure(throughput, "runs/s"), "Hangfire 1.8.25 + Hangfire.PostgreSql 1.21.1, processed jobs/s",
                new Figure(hangfireThroughput, "jobs/s"), ratio, "≥ 10×", ratio >= 10));
            var floor = rawInsert.Latency.P50;
            report.Add(new BenchRow(Scenario, $"dispatch latency p50 at {BenchOptions.PacedRate}/s", new Figure(latency.P50, "ms"),
                "raw single-caller INSERT p50", new Figure(floor, "ms"), latency.P50 / floor, "≤ 3×", latency.P50 <= 3 * floor));
            report.Add(new BenchRow(Scenario, $"dispatch latency p99 at {BenchOptions.PacedRate}/s", new Figure(latency.P99, "ms"),
                "raw single-caller INSERT p50", new Figure(floor, "ms"), latency.P99 / floor, "≤ 8×", latency.P99 <= 8 * floor));
            report.Add(new BenchRow(Scenario, $"dispatch latency p50 at {UnloadedRate}/s (contrast: the chain on a nearly idle machine)",
                new Figure(unloaded.Latency.P50, "ms"), "raw single-caller INSERT p50", new Figure(floor, "ms"), unloaded.Latency.P50 / floor, "—", null));
            report.Add(new BenchRow(Scenario, $"dispatch latency p99 at {UnloadedRate}/s (contrast)",
                new Figure(unloaded.Latency.P99, "ms"), "raw single-caller INSERT p50", new Figure(floor, "ms"), unloaded.Latency.P99 / floor, "—", null));
            report.Add(new BenchRow(Scenario, $"dispatch latency p50 at {BenchOptions.PacedRate}/s (contrast)", new Figure(latency.P50, "ms"),
                "Hangfire enqueue → execution p50", new Figure(hangfireLatency.P50, "ms"), latency.P50 / hangfireLatency.P50, "—", null));
            report.Add(new BenchRow(Scenario, $"dispatch latency p99 at {BenchOptions.PacedRate}/s (contrast)", new Figure(latency.P99, "ms"),
                "Hangfire enqueue → execution p99", new Figure(hangfireLatency.P99, "ms"), latency.P99 / hangfireLatency.P99, "—", null));
            ReportFootprint(report, memory.PeakMegabytes(suite.RunsService.ProcessId), memory.PeakMegabytes(worker.ProcessId));
        }
    }

    // A rate at which runs rarely overlap (one every 100 ms): dispatch latency without queueing for a core.
    private const int UnloadedRate = 10;

    // Closed-loop callers pushing the throughput runs in; enough to keep RunsService and the worker busy.
    private const int Enqueuers = 16;

    /// <summary>
    /// Open loop: run i is started at start + i/rate whatever earlier calls did; latency is from just before
    /// EnsureRun to the handler's first line (both CLOCK_MONOTONIC timestamps on this machine).
    /// </summary>
    private static async Task<Paced> PacedAsync(BenchSuite suite, HttpClient workerApi, int count, int ratePerSecond)
    {
        await workerApi.PostAsync("/bench/handler-starts:drain", null);
        var sentAt = new ConcurrentDictionary<Guid, (long Sent, long Answered)>();
        var calls = new List<Task>(count);
        var start = Stopwatch.GetTimestamp();
        for (var i = 0; i < count; i++)
        {
            var due = start + (long)(i * (double)Stopwatch.Frequency / ratePerSecond);
            var wait = Stopwatch.GetElapsedTime(Stopwatch.GetTimestamp(), due);
            if (wait > TimeSpan.Zero)
            {
                await Task.Delay(wait);
            }
            calls.Add(StartOneAsync(suite, $"e2e-{LoadGenerator.NextSequence()}", sentAt));
        }
        await Task.WhenAll(calls);

        var starts = await WaitForHandlerStartsAsync(workerApi, sentAt.Keys.ToHashSet(), TimeSpan.FromSeconds(60));
        return new Paced(
            LatencyStats.From([.. starts.Select(s => Stopwatch.GetElapsedTime(sentAt[s.RunId].Sent, s.Timestamp).TotalMilliseconds)]),
            LatencyStats.From([.. sentAt.Values.Select(t => Stopwatch.GetElapsedTime(t.Sent, t.Answered).TotalMilliseconds)]),
            LatencyStats.From([.. starts.Select(s => (s.Timestamp - sentAt[s.RunId].Answered) * 1000.0 / Stopwatch.Frequency)]));
    }

    /// <summary>Sent → handler start, and its two parts: sent → EnsureRun answered, answered → handler start.</summary>
    private sealed record Paced(LatencyStats Latency, LatencyStats EnsureRoundTrip, LatencyStats AfterAnswer);

    private static async Task StartOneAsync(BenchSuite suite, string identity, ConcurrentDictionary<Guid, (long, long)> sentAt)
    {
        var sent = Stopwatch.GetTimestamp();
        var response = await suite.OwnerRuns.EnsureRunAsync(StartScenarios.Ensure(suite, identity, LoadGenerator.NextSequence(), RunType));
        sentAt[Guid.Parse(response.Run.RunId)] = (sent, Stopwatch.GetTimestamp());
    }

    private static async Task<List<HandlerStart>> WaitForHandlerStartsAsync(HttpClient workerApi, HashSet<Guid> expected, TimeSpan timeout)
    {
        var seen = new List<HandlerStart>();
        var deadline = Stopwatch.GetTimestamp() + (long)(timeout.TotalSeconds * Stopwatch.Frequency);
        while (seen.Count(s => expected.Contains(s.RunId)) < expected.Count)
        {
            if (Stopwatch.GetTimestamp() > deadline)
            {
                throw new TimeoutException($"Only {seen.Count} of {expected.Count} runs reached the worker's handler within {timeout.TotalSeconds:0} s.");
            }
            await Task.Delay(100);
            var drained = await workerApi.PostAsync("/bench/handler-starts:drain", null);
            drained.EnsureSuccessStatusCode();
            seen.AddRange(await drained.Content.ReadFromJsonAsync<List<HandlerStart>>() ?? []);
        }
        return [.. seen.Where(s => expected.Contains(s.RunId)).GroupBy(s => s.RunId).Select(g => g.MinBy(s => s.Timestamp)!)];
    }

    /// <summary>
    /// Completed runs per second: from the first EnsureRun until the last of them is completed. Progress is
    /// followed in the worker's memory (handler starts) and only the last step in the database, so watching does
    /// not load the PostgreSQL being measured (the Hangfire peer is watched the same way).
    /// </summary>
    private static async Task<double> ThroughputAsync(BenchSuite suite, HttpClient workerApi, int count)
    {
        await workerApi.PostAsync("/bench/handler-starts:drain", null);
        var phaseStart = DateTime.UtcNow.AddSeconds(-1);
        var remaining = count;
        var start = Stopwatch.GetTimestamp();
        var enqueuers = Enumerable.Range(0, Enqueuers).Select(_ => Task.Run(async () =>
        {
            while (Interlocked.Decrement(ref remaining) >= 0)
            {
                var sequence = LoadGenerator.NextSequence();
                await suite.OwnerRuns.EnsureRunAsync(StartScenarios.Ensure(suite, $"e2e-{sequence}", sequence, RunType));
            }
        })).ToList();

        var started = 0;
        while (started < count || enqueuers.Any(e => !e.IsCompleted))
        {
            RequireWithin(start, count);
            await Task.Delay(100);
            var drained = await workerApi.PostAsync("/bench/handler-starts:drain", null);
            started += (await drained.Content.ReadFromJsonAsync<List<HandlerStart>>() ?? []).Count;
        }
        await Task.WhenAll(enqueuers);
        while (await CountCompletedSinceAsync(suite, phaseStart) < count)
        {
            RequireWithin(start, count);
            await Task.Delay(10);
        }
        return count / Stopwatch.GetElapsedTime(start).TotalSeconds;
    }

    private static void RequireWithin(long start, int count)
    {
        if (Stopwatch.GetElapsedTime(start) > TimeSpan.FromMinutes(5))
        {
            throw new TimeoutException($"{count} runs were not all completed within 5 minutes.");
        }
    }

    private static async Task<long> CountCompletedSinceAsync(BenchSuite suite, DateTime since)
    {
        await using var command = suite.RunsData.CreateCommand("""
            SELECT count(*) FROM runs.operation_runs
            WHERE workspace_id = @workspace AND created_at >= @since AND type = @type AND status = 'completed'
            """);
        command.Parameters.Add(new NpgsqlParameter<Guid>("workspace", suite.LoadWorkspace));
        command.Parameters.Add(new NpgsqlParameter<DateTime>("since", since));
        command.Parameters.Add(new NpgsqlParameter<string>("type", RunType));
        return (long)(await command.ExecuteScalarAsync())!;
    }

    /// <summary>
    /// Every run the scenario started (identities "e2e-…"; scenarios 1–3 started runs of the same type in the same
    /// workspace) completed as succeeded: nothing lost, nothing stuck, nothing failed. The phases wait for handler starts
    /// (and a count of completions), so the last completions may still be on their way: they get up to 30 s.
    /// </summary>
    private static async Task RequireAllSucceededAsync(BenchSuite suite, BenchReport report)
    {
        var deadline = Stopwatch.GetTimestamp() + (30 * Stopwatch.Frequency);
        List<(string Status, string Outcome, string? Failure, long Count)> groups;
        while (true)
        {
            groups = await OutcomesAsync(suite);
            if (groups.All(g => g.Status == "completed") || Stopwatch.GetTimestamp() > deadline)
            {
                break;
            }
            await Task.Delay(250);
        }
        var total = groups.Sum(g => g.Count);
        var succeeded = groups.Where(g => g is { Status: "completed", Outcome: "succeeded" }).Sum(g => g.Count);
        report.AddFact($"End to end: {succeeded:N0} of {total:N0} runs started through RunsService completed as succeeded by the worker.");
        if (succeeded != total)
        {
            var others = string.Join("; ", groups.Where(g => g is not { Status: "completed", Outcome: "succeeded" })
                .Select(g => $"{g.Count} {g.Status}/{g.Outcome}{(g.Failure is null ? "" : $" ({g.Failure})")}"));
            throw new InvalidOperationException($"{total - succeeded} end-to-end runs did not complete as succeeded: {others}.");
        }
    }

    /// <summary>The scenario's runs by status, outcome and first failure code.</summary>
    private static async Task<List<(string Status, string Outcome, string? Failure, long Count)>> OutcomesAsync(BenchSuite suite)
    {
        await using var command = suite.RunsData.CreateCommand("""
            SELECT status, outcome, failures -> 0 ->> 'code', count(*)
            FROM runs.operation_runs WHERE workspace_id = @workspace AND type = @type AND identity_inputs ->> 'bench' LIKE 'e2e-%'
            GROUP BY 1, 2, 3
            """);
        command.Parameters.Add(new NpgsqlParameter<Guid>("workspace", suite.LoadWorkspace));
        command.Parameters.Add(new NpgsqlParameter<string>("type", RunType));
        var groups = new List<(string, string, string?, long)>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            groups.Add((reader.GetString(0), reader.GetString(1), reader.IsDBNull(2) ? null : reader.GetString(2), reader.GetInt64(3)));
        }
        return groups;
    }

    private static void ReportFootprint(BenchReport report, double runsServiceMb, double workerMb)
    {
        const string scenario = "6. Footprint (peak RSS during 5)";
        report.Add(new BenchRow(scenario, "RunsService", new Figure(runsServiceMb, "MB"), null, null, null, "≤ 250 MB", runsServiceMb <= 250));
        report.Add(new BenchRow(scenario, "worker (one process)", new Figure(workerMb, "MB"), null, null, null, "≤ 200 MB", workerMb <= 200));
    }

    private sealed record HandlerStart(Guid RunId, long Timestamp);
}
