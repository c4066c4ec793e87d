using Npgsql;
using StackExchange.Redis;
using TenantAtlas.Bench.Measurement;
using TenantAtlas.Bench.Report;
using TenantAtlas.Contracts;
using TenantAtlas.Runs.V1;

namespace TenantAtlas.Bench.Scenarios;

/// <summary>
/// Scenarios 1–3: starting runs and walking them through their lifecycle over gRPC, each next to the raw
/// Npgsql statements on the same schema at the same concurrency. Runs are of type inventory.sync (the one type
/// RunsService accepts today) and no worker runs meanwhile, so the measured cost is RunsService's (the relay still
/// publishes each job). Their jobs are set aside afterwards, so that scenario 5's worker sees only its own.
/// </summary>
public static class StartScenarios
{
    private const string RunType = RunTypes.InventorySync;

    public static async Task RunAsync(BenchSuite suite, BenchOptions options, BenchReport report)
    {
        var raw = new RawRunStatements(suite.RunsData, suite.LoadWorkspace, suite.LoadTenants);
        if (options.Runs(1))
        {
            await NewIdentityAsync(suite, options, report, raw);
        }
        if (options.Runs(2))
        {
            await suite.AnalyzeRunsAsync();
            await HotIdentityAsync(suite, options, report, raw);
        }
        if (options.Runs(3))
        {
            await suite.AnalyzeRunsAsync();
            await LifecycleAsync(suite, options, report, raw);
        }
        await SetAsideJobsAsync(suite);
    }

    /// <summary>
    /// Waits until the relay has published the job of every run started here (the outbox is empty), then deletes
    /// their stream: the worker of scenario 5 would otherwise take these thousands of jobs before its own (its
    /// consumer group starts at the beginning of the stream, and creates the stream again). The runs of scenarios
    /// 1 and 2 stay queued; the benchmark's database is thrown away, and scenario 5 counts only its own runs.
    /// </summary>
    private static async Task SetAsideJobsAsync(BenchSuite suite)
    {
        var deadline = DateTime.UtcNow.AddMinutes(2);
        await using var pending = suite.RunsData.CreateCommand("SELECT count(*) FROM runs.run_dispatch_outbox");
        while ((long)(await pending.ExecuteScalarAsync())! > 0)
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException("The relay did not publish the jobs of scenarios 1-3 within 2 minutes.");
            }
            await Task.Delay(100);
        }
        await using var redis = await ConnectionMultiplexer.ConnectAsync(suite.Redis.ConnectionString);
        await redis.GetDatabase().KeyDeleteAsync(RunTypes.Find(RunType)!.Stream);
    }

    private static async Task NewIdentityAsync(BenchSuite suite, BenchOptions options, BenchReport report, RawRunStatements raw)
    {
        const string scenario = "1. Start, new identity";
        Console.WriteLine(scenario);
        foreach (var callers in (int[])[1, 4, 16])
        {
            var rawResult = await LoadGenerator.RunAsync(callers, options.Warmup, options.Measure,
                sequence => raw.EnsureAsync($"new-{sequence}", sequence), profile: suite.Profile(), unit: "run");
            var server = new ServerTimes();
            var ours = await LoadGenerator.RunAsync(callers, options.Warmup, options.Measure,
                async sequence => RequireCreated(await server.CallAsync(suite.OwnerRuns.EnsureRunAsync(Ensure(suite, $"new-{sequence}", sequence)))),
                server.Clear, suite.Profile(), "run");
            report.AddFact($"Profile, new identity, {callers} caller(s), EnsureRun: {ours.Profile}. Raw INSERT: {rawResult.Profile}.");

            var judged = callers == 16;
            var ratio = ours.PerSecond / rawResult.PerSecond;
            report.Add(new BenchRow(scenario, $"{callers} caller(s): runs/s", new Figure(ours.PerSecond, "runs/s"),
                "raw INSERT … ON CONFLICT … RETURNING", new Figure(rawResult.PerSecond, "runs/s"), ratio,
                judged ? "≥ 0.6×" : "—", judged ? ratio >= 0.6 : null));
            report.Add(new BenchRow(scenario, $"{callers} caller(s): p50", new Figure(ours.Latency.P50, "ms"),
                "raw", new Figure(rawResult.Latency.P50, "ms"), ours.Latency.P50 / rawResult.Latency.P50, "—", null));
            report.Add(new BenchRow(scenario, $"{callers} caller(s): server-side p50 (in the EnsureRun handler)",
                new Figure(server.Stats.P50, "ms"), "raw round trip p50", new Figure(rawResult.Latency.P50, "ms"),
                server.Stats.P50 / rawResult.Latency.P50, "—", null));
            report.Add(new BenchRow(scenario, $"{callers} caller(s): p99", new Figure(ours.Latency.P99, "ms"),
                "raw", new Figure(rawResult.Latency.P99, "ms"), ours.Latency.P99 / rawResult.Latency.P99,
                judged ? "≤ 10 ms" : "—", judged ? ours.Latency.P99 <= 10 : null));
        }
    }

    private static async Task HotIdentityAsync(BenchSuite suite, BenchOptions options, BenchReport report, RawRunStatements raw)
    {
        const string scenario = "2. Start, hot identity";
        const int callers = 16;
        Console.WriteLine(scenario);
        var hot = $"hot-{Guid.NewGuid():N}";
        var rawResult = await LoadGenerator.RunAsync(callers, options.Warmup, options.Measure, _ => raw.EnsureAsync(hot + "-raw", 0));
        var ours = await LoadGenerator.RunAsync(callers, options.Warmup, options.Measure,
            _ => suite.OwnerRuns.EnsureRunAsync(Ensure(suite, hot, 0)).ResponseAsync);

        var ratio = ours.PerSecond / rawResult.PerSecond;
        report.Add(new BenchRow(scenario, $"{callers} callers, one identity: calls/s", new Figure(ours.PerSecond, "calls/s"),
            "raw conflict path (INSERT … DO NOTHING, then SELECT)", new Figure(rawResult.PerSecond, "calls/s"), ratio, "≥ 0.5×", ratio >= 0.5));
        report.Add(new BenchRow(scenario, $"{callers} callers, one identity: p99", new Figure(ours.Latency.P99, "ms"),
            "raw", new Figure(rawResult.Latency.P99, "ms"), ours.Latency.P99 / rawResult.Latency.P99, "—", null));

        await QueryPlans.ExplainAsync(suite.RunsData, report, "Hot identity",
            ("raw conflict path's SELECT of the holder", RawRunStatements.FindSql, p => raw.BindFind(p, hot + "-raw", 0)));
        var runs = await CountRunsWithIdentityAsync(suite.RunsData, hot);
        report.AddFact($"Hot identity: {ours.Operations:N0} EnsureRun calls (plus warm-up) by {callers} callers left exactly {runs} run" +
            (runs == 1 ? "." : "s — expected exactly one."));
        if (runs != 1)
        {
            throw new InvalidOperationException($"The hot-identity storm left {runs} runs; EnsureRun must leave exactly one.");
        }
    }

    private static async Task LifecycleAsync(BenchSuite suite, BenchOptions options, BenchReport report, RawRunStatements raw)
    {
        const string scenario = "3. Lifecycle";
        const int callers = 16;
        Console.WriteLine(scenario);
        var rawResult = await LoadGenerator.RunAsync(callers, options.Warmup, options.Measure,
            sequence => raw.LifecycleAsync($"life-{sequence}", sequence), profile: suite.Profile(), unit: "run");
        var ours = await LoadGenerator.RunAsync(callers, options.Warmup, options.Measure, async sequence =>
        {
            var run = RequireCreated(await suite.OwnerRuns.EnsureRunAsync(Ensure(suite, $"life-{sequence}", sequence)));
            await suite.ServiceRuns.UpdateRunAsync(new UpdateRunRequest { RunId = run.RunId, Status = RunStatus.Running });
            await suite.ServiceRuns.UpdateRunAsync(new UpdateRunRequest
            {
                RunId = run.RunId,
                Status = RunStatus.Completed,
                SetCounts = new RunCountsPatch { Total = 1, Processed = 1, Succeeded = 1 },
            });
        }, profile: suite.Profile(), unit: "run");
        report.AddFact($"Profile, lifecycle, {callers} callers: {ours.Profile}. Raw statements: {rawResult.Profile}.");

        var ratio = ours.PerSecond / rawResult.PerSecond;
        report.Add(new BenchRow(scenario, $"{callers} callers: runs/s (ensure → running → completed)", new Figure(ours.PerSecond, "runs/s"),
            "raw INSERT + 2 guarded UPDATEs", new Figure(rawResult.PerSecond, "runs/s"), ratio, "≥ 0.6×", ratio >= 0.6));
        report.Add(new BenchRow(scenario, $"{callers} callers: p99 per run", new Figure(ours.Latency.P99, "ms"),
            "raw", new Figure(rawResult.Latency.P99, "ms"), ours.Latency.P99 / rawResult.Latency.P99, "—", null));
    }

    internal static EnsureRunRequest Ensure(BenchSuite suite, string identity, long sequence, string type = RunType) => new()
    {
        WorkspaceId = suite.LoadWorkspace.ToString(),
        TenantId = suite.LoadTenants[(int)(sequence % suite.LoadTenants.Count)].ToString(),
        Type = type,
        IdentityInputs = { ["bench"] = identity },
    };

    private static Run RequireCreated(EnsureRunResponse response) => response.Created
        ? response.Run
        : throw new InvalidOperationException($"EnsureRun reused run {response.Run.RunId} for an identity that should be new.");

    private static async Task<long> CountRunsWithIdentityAsync(NpgsqlDataSource data, string identity)
    {
        await using var command = data.CreateCommand("SELECT count(*) FROM runs.operation_runs WHERE identity_inputs = jsonb_build_object('bench', @identity)");
        command.Parameters.Add(new NpgsqlParameter<string>("identity", identity));
        return (long)(await command.ExecuteScalarAsync())!;
    }
}
