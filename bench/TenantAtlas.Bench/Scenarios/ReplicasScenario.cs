using System.Globalization;
using TenantAtlas.Bench.Measurement;
using TenantAtlas.Bench.Report;
using RunsClient = TenantAtlas.Runs.V1.RunsService.RunsServiceClient;

namespace TenantAtlas.Bench.Scenarios;

/// <summary>
/// Scenario 10 (issue 16): does RunsService scale out? A suite of its own with a second RunsService replica on the same
/// PostgreSQL and Redis (same settings, ports of its own). EnsureRun with new identities (the request of scenario 1),
/// 16 callers in a closed loop: first all against the first replica (the baseline), then the same 16 callers split
/// evenly over the two replicas, each caller bound to one replica's channel. Both replicas run all the time, so the
/// idle second replica's background work (relay, purge) is in the baseline too.
/// </summary>
public static class ReplicasScenario
{
    private const string Scenario = "10. Two RunsService replicas";
    private const int Callers = 16;
    private const double Target = 1.6;

    public static async Task RunAsync(BenchOptions options, BenchReport report)
    {
        Console.WriteLine(Scenario);
        await using var suite = await BenchSuite.StartAsync();
        await suite.StartSecondRunsServiceAsync();
        var token = suite.UserToken(BenchSuite.Owner);
        RunsClient[] replicas =
        [
            new(suite.Channel(token)),
            new(suite.Channel(token, suite.SecondRunsGrpcPort)),
        ];

        // Both processes are fresh: warm both up (JIT tiering, pools) with the load of the second phase before anything is
        // measured, or the cold second replica would be measured against a warm first one.
        await LoadGenerator.RunAsync(Callers, options.Warmup, options.Measure,
            (caller, sequence) => EnsureAsync(suite, replicas[caller % replicas.Length], "replicas-warm", sequence));
        await suite.AnalyzeRunsAsync();
        var one = await LoadGenerator.RunAsync(Callers, options.Warmup, options.Measure,
            (_, sequence) => EnsureAsync(suite, replicas[0], "replicas-one", sequence), profile: suite.Profile(), unit: "run");
        await suite.AnalyzeRunsAsync();
        var two = await LoadGenerator.RunAsync(Callers, options.Warmup, options.Measure,
            (caller, sequence) => EnsureAsync(suite, replicas[caller % replicas.Length], "replicas-two", sequence),
            profile: suite.Profile(), unit: "run");

        var ratio = two.PerSecond / one.PerSecond;
        const string baselineName = "one replica, the same 16 callers";
        report.Add(new BenchRow(Scenario, $"{Callers} callers, EnsureRun new identity: runs/s, two replicas (8 + 8 callers)",
            new Figure(two.PerSecond, "runs/s"), baselineName, new Figure(one.PerSecond, "runs/s"), ratio,
            string.Create(CultureInfo.InvariantCulture, $"≥ {Target}×"), ratio >= Target));
        report.Add(new BenchRow(Scenario, $"{Callers} callers: p99, two replicas", new Figure(two.Latency.P99, "ms"),
            baselineName, new Figure(one.Latency.P99, "ms"), two.Latency.P99 / one.Latency.P99, "—", null));
        report.Add(new BenchRow(Scenario, $"{Callers} callers: p50, two replicas", new Figure(two.Latency.P50, "ms"),
            baselineName, new Figure(one.Latency.P50, "ms"), two.Latency.P50 / one.Latency.P50, "—", null));
        report.AddFact($"Profile, {Callers} callers against one replica (the second idle): {one.Profile}. " +
            $"Against two replicas (8 + 8 callers): {two.Profile}.");
        report.AddFact(string.Create(CultureInfo.InvariantCulture,
            $"This machine has {Environment.ProcessorCount} cores, and both RunsService replicas, PostgreSQL, Redis and the load " +
            $"generator share them: a second replica brings no CPU of its own. So the ratio shows whether anything other than CPU " +
            $"(a replica's own pool, locks, per-process serialisation) limits one replica: well above 1× it did; near 1× with the " +
            $"machine busy, the shared cores are the limit."));
    }

    private static async Task EnsureAsync(BenchSuite suite, RunsClient replica, string prefix, long sequence)
    {
        var response = await replica.EnsureRunAsync(StartScenarios.Ensure(suite, $"{prefix}-{sequence}", sequence));
        if (!response.Created)
        {
            throw new InvalidOperationException($"EnsureRun reused run {response.Run.RunId} for an identity that should be new.");
        }
    }
}
