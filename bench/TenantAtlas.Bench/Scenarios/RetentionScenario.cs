using System.Diagnostics;
using System.Globalization;
using Npgsql;
using NpgsqlTypes;
using TenantAtlas.Bench.Measurement;
using TenantAtlas.Bench.Report;
using TenantAtlas.Runs.V1;

namespace TenantAtlas.Bench.Scenarios;

/// <summary>
/// Scenario 9 (issue 15): retention purging 1,000,000 old completed runs while EnsureRun traffic continues. A suite of
/// its own, whose RunsService looks for due runs every second. The old runs (one notification each, every tenth a
/// ONCE identity that leaves a tombstone) are loaded with one INSERT … SELECT from generate_series into the load
/// workspace while its retention is 3,650 days, so nothing is due: EnsureRun is measured then (the baseline). The
/// retention is then set to 30 days; as soon as the first batch is gone, the same EnsureRun load is measured again while
/// the purge works through the rest, and the purge's rate is taken from the change of the setting to the last batch.
/// </summary>
public static class RetentionScenario
{
    private const string Scenario = "9. Retention purge";
    private const int Callers = 4;
    private const int OncePerRuns = 10;

    public static async Task RunAsync(BenchOptions options, BenchReport report)
    {
        Console.WriteLine(Scenario);
        await using var suite = await BenchSuite.StartAsync(new Dictionary<string, string> { ["Retention__Interval"] = "00:00:01" });
        var workspace = suite.LoadWorkspace.ToString();
        await SetRetentionAsync(suite, 3650);

        var count = options.RetentionRuns;
        var loading = Stopwatch.StartNew();
        await LoadOldRunsAsync(suite, count);
        loading.Stop();
        var oldest = await OldestDueRunAsync(suite);

        var baseline = await LoadGenerator.RunAsync(Callers, options.Warmup, options.Measure, EnsureAsync(suite, "retention-base"));

        var purge = Stopwatch.StartNew();
        await SetRetentionAsync(suite, 30);
        await WaitAsync(() => GoneAsync(suite, oldest), TimeSpan.FromMinutes(1), "the purge's first batch");
        var started = purge.Elapsed;
        var during = await LoadGenerator.RunAsync(Callers, options.Warmup, options.Measure, EnsureAsync(suite, "retention-during"));
        var overlapped = await AnyDueAsync(suite);
        await WaitAsync(async () => !await AnyDueAsync(suite), TimeSpan.FromMinutes(60), "the purge's last batch");
        purge.Stop();
        var rate = count / purge.Elapsed.TotalSeconds;
        var tombstones = await ScalarAsync(suite, "SELECT count(*) FROM runs.run_identity_tombstones");

        var name = string.Create(CultureInfo.InvariantCulture, $"{Scenario} of {count:N0} old runs");
        const string baselineName = "same EnsureRun load, nothing due";
        report.Add(new BenchRow(name, $"EnsureRun p99, {Callers} callers, during the purge", new Figure(during.Latency.P99, "ms"),
            baselineName, new Figure(baseline.Latency.P99, "ms"), during.Latency.P99 / baseline.Latency.P99, "—", null));
        report.Add(new BenchRow(name, $"EnsureRun p50, {Callers} callers, during the purge", new Figure(during.Latency.P50, "ms"),
            baselineName, new Figure(baseline.Latency.P50, "ms"), during.Latency.P50 / baseline.Latency.P50, "—", null));
        report.Add(new BenchRow(name, $"EnsureRun runs/s, {Callers} callers, during the purge", new Figure(during.PerSecond, "runs/s"),
            baselineName, new Figure(baseline.PerSecond, "runs/s"), during.PerSecond / baseline.PerSecond, "—", null));
        report.Add(new BenchRow(name, "purge rate (setting changed → last batch, EnsureRun load during part of it)",
            new Figure(rate, "runs/s"), null, null, null, "—", null));
        var overlap = overlapped
            ? "The purge ran through the whole measured EnsureRun phase."
            : "The purge finished before the measured EnsureRun phase ended (too few runs to overlap it all).";
        report.AddFact(string.Create(CultureInfo.InvariantCulture,
            $"Retention: {count:N0} completed runs (200+ days old, one notification each, every {OncePerRuns}th a ONCE identity) loaded in " +
            $"{loading.Elapsed.TotalSeconds:0} s; purged in {purge.Elapsed.TotalSeconds:0.0} s after the retention was set to 30 days " +
            $"(first batch gone after {started.TotalSeconds:0.0} s; batches of 1,000 rows), leaving {tombstones:N0} tombstones. {overlap}"));
        if (tombstones != count / OncePerRuns)
        {
            throw new InvalidOperationException($"The purge left {tombstones} tombstones; expected {count / OncePerRuns}.");
        }
    }

    private static Func<long, Task> EnsureAsync(BenchSuite suite, string prefix) => async sequence =>
    {
        var response = await suite.OwnerRuns.EnsureRunAsync(StartScenarios.Ensure(suite, $"{prefix}-{sequence}", sequence));
        if (!response.Created)
        {
            throw new InvalidOperationException($"EnsureRun reused run {response.Run.RunId} for an identity that should be new.");
        }
    };

    private static Task<UpdateRunRetentionResponse> SetRetentionAsync(BenchSuite suite, int days) => suite.OwnerRuns.UpdateRunRetentionAsync(
        new UpdateRunRetentionRequest { WorkspaceId = suite.LoadWorkspace.ToString(), Days = days }).ResponseAsync;

    /// <summary>Old completed runs across the load workspace's tenants, then VACUUM ANALYZE, as a long-lived table would be.</summary>
    private static async Task LoadOldRunsAsync(BenchSuite suite, int count)
    {
        Console.WriteLine($"  loading {count:N0} old completed runs...");
        await using (var insert = suite.RunsData.CreateCommand($"""
            WITH runs AS (
                INSERT INTO runs.operation_runs (id, workspace_id, tenant_id, type, status, outcome, identity_policy, run_identity_hash,
                    identity_inputs, initiator_subject, initiator_name, context, created_at, updated_at, started_at, completed_at,
                    count_total, count_processed, count_succeeded)
                SELECT gen_random_uuid(), @workspace, (@tenants)[1 + i % cardinality(@tenants)], 'inventory.sync', 'completed', 'succeeded',
                    CASE WHEN i % {OncePerRuns} = 0 THEN 'once' ELSE 'while_active' END,
                    encode(sha256(convert_to('bench-retention-' || i, 'UTF8')), 'hex'),
                    jsonb_build_object('bench', 'retention-old-' || i), @owner, @owner, jsonb_build_object(),
                    now() - interval '200 days' - make_interval(secs => i * 2), now() - interval '200 days' - make_interval(secs => i * 2),
                    now() - interval '200 days' - make_interval(secs => i * 2), now() - interval '200 days' - make_interval(secs => i * 2 - 1),
                    1, 1, 1
                FROM generate_series(1, @count) AS i
                RETURNING id, workspace_id, tenant_id, type, completed_at
            )
            INSERT INTO runs.run_notifications (recipient_subject, run_id, workspace_id, tenant_id, run_type, kind, outcome, title, created_at)
            SELECT @owner, id, workspace_id, tenant_id, type, 'run_completed', 'succeeded', type || ' completed', completed_at FROM runs
            """))
        {
            insert.CommandTimeout = 0;
            insert.Parameters.Add(new NpgsqlParameter<Guid>("workspace", suite.LoadWorkspace));
            insert.Parameters.Add(new NpgsqlParameter("tenants", NpgsqlDbType.Array | NpgsqlDbType.Uuid) { Value = suite.LoadTenants.ToArray() });
            insert.Parameters.Add(new NpgsqlParameter<string>("owner", BenchSuite.Owner));
            insert.Parameters.Add(new NpgsqlParameter<int>("count", count));
            await insert.ExecuteNonQueryAsync();
        }
        await using var vacuum = suite.RunsData.CreateCommand("VACUUM ANALYZE runs.operation_runs, runs.run_notifications");
        vacuum.CommandTimeout = 0;
        await vacuum.ExecuteNonQueryAsync();
    }

    private static async Task<Guid> OldestDueRunAsync(BenchSuite suite)
    {
        await using var command = suite.RunsData.CreateCommand(
            "SELECT id FROM runs.operation_runs WHERE workspace_id = @workspace AND status = 'completed' ORDER BY completed_at LIMIT 1");
        command.Parameters.Add(new NpgsqlParameter<Guid>("workspace", suite.LoadWorkspace));
        return (Guid)(await command.ExecuteScalarAsync())!;
    }

    private static async Task<bool> GoneAsync(BenchSuite suite, Guid runId)
    {
        await using var command = suite.RunsData.CreateCommand("SELECT NOT EXISTS (SELECT 1 FROM runs.operation_runs WHERE id = @id)");
        command.Parameters.Add(new NpgsqlParameter<Guid>("id", runId));
        return (bool)(await command.ExecuteScalarAsync())!;
    }

    private static async Task<bool> AnyDueAsync(BenchSuite suite)
    {
        await using var command = suite.RunsData.CreateCommand("""
            SELECT EXISTS (SELECT 1 FROM runs.operation_runs
                           WHERE workspace_id = @workspace AND status = 'completed' AND completed_at < now() - interval '30 days')
            """);
        command.Parameters.Add(new NpgsqlParameter<Guid>("workspace", suite.LoadWorkspace));
        return (bool)(await command.ExecuteScalarAsync())!;
    }

    private static async Task<long> ScalarAsync(BenchSuite suite, string sql)
    {
        await using var command = suite.RunsData.CreateCommand(sql);
        return (long)(await command.ExecuteScalarAsync())!;
    }

    private static async Task WaitAsync(Func<Task<bool>> condition, TimeSpan timeout, string what)
    {
        var deadline = Stopwatch.StartNew();
        while (!await condition())
        {
            if (deadline.Elapsed > timeout)
            {
                throw new TimeoutException($"Scenario 9: {what} did not happen within {timeout.TotalMinutes:0} minutes.");
            }
            await Task.Delay(100);
        }
    }
}
