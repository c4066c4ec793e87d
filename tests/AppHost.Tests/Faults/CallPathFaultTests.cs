using Google.Protobuf.WellKnownTypes;
using TenantAtlas.Runs.V1;
using Xunit.Abstractions;

namespace TenantAtlas.AppHost.Tests.Faults;

/// <summary>
/// The call path failing under a stream of EnsureRun calls: PostgreSQL restarted (fast and immediate shutdown) and a
/// RunsService replica killed. Callers see only UNAVAILABLE, which they retry; every acknowledged run exists, a retried
/// identity has one run, every run is done afterwards, and the services recover without a restart of their own.
/// </summary>
public sealed class CallPathFaultTests(FaultSuite faults, ITestOutputHelper output) : FaultScenario(faults, output)
{
    private static int Callers => FaultSuite.Full ? 8 : 4;

    private static TimeSpan LoadAround => FaultSuite.Full ? TimeSpan.FromSeconds(10) : TimeSpan.FromSeconds(3);

    [Theory]
    [InlineData("INT", "fast")]
    [InlineData("QUIT", "immediate")]
    public async Task PostgresRestarted_UnderEnsureRunLoad_CallersSeeOnlyUnavailable_NothingLostOrDoubledOrStuck(string signal, string mode)
    {
        var load = await StartLoadAsync($"PostgreSQL {mode} restart", $"pg-{mode}");
        using var stop = new CancellationTokenSource();
        var calls = load.RunAsync(Callers, stop.Token);
        await Task.Delay(LoadAround);

        var postgres = Faults.InstancesOf("postgres").Single();
        var killedAt = load.Now;
        FaultSuite.Signal(postgres.Pid!.Value, signal);
        await FaultSuite.WaitExitedAsync(postgres.Pid.Value, TimeSpan.FromSeconds(60));
        await Faults.StartAsync(postgres);
        var backAt = load.Now;
        await Task.Delay(LoadAround);
        await stop.CancelAsync();
        await calls;

        await RecordAsync(load, $"PostgreSQL {mode} shutdown (SIG{signal}) and start under EnsureRun load",
            $"PostgreSQL back {FaultReport.Seconds(backAt - killedAt)} after the signal; first acknowledged run " +
            $"{Figure(load.FirstSuccessAfter(backAt) - backAt)} after that; longest a caller retried {FaultReport.Seconds(load.LongestRetry)}");
    }

    [Fact]
    public async Task RunsServiceReplicaKilled_UnderEnsureRunLoad_CallersRetriesSucceedOnTheOther_NothingLostOrDoubledOrStuck()
    {
        var load = await StartLoadAsync("RunsService replica killed", "runs-kill");
        using var stop = new CancellationTokenSource();
        var calls = load.RunAsync(Callers, stop.Token);
        await Task.Delay(LoadAround);

        var victim = Faults.InstancesOf("runs")[0];
        FaultSuite.Signal(FaultSuite.ServiceProcessOf(victim), "KILL");
        await Task.Delay(LoadAround * 2);
        await stop.CancelAsync();
        await calls;
        await Faults.StartAsync(victim);

        await RecordAsync(load, "RunsService replica SIGKILL (1 of 2) under EnsureRun load",
            $"longest a caller retried {FaultReport.Seconds(load.LongestRetry)}");
    }

    [Fact]
    public async Task PostgresDiskFull_UnderEnsureRunLoad_WritesFailUnavailable_NothingHalfWritten_RecoversOnceSpaceIsFreed()
    {
        var load = await StartLoadAsync("PostgreSQL disk full", "disk-full");
        using var stop = new CancellationTokenSource();
        var calls = load.RunAsync(Callers, stop.Token);
        await Task.Delay(LoadAround);

        // Fill PostgreSQL's filesystem to the last byte.
        var filler = Path.Combine(Faults.PostgresDataDirectory, "fault-filler");
        var chunk = new byte[1 << 20];
        await using (var file = new FileStream(filler, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16))
        {
            try
            {
                while (true)
                {
                    await file.WriteAsync(chunk);
                    await file.FlushAsync();
                }
            }
            catch (IOException)
            {
                // No space left on device.
            }
        }
        var fullAt = load.Now;
        var okBefore = load.Answers.GetValueOrDefault(Grpc.Core.StatusCode.OK);
        await Task.Delay(LoadAround * 2);
        var okWhileFull = load.Answers.GetValueOrDefault(Grpc.Core.StatusCode.OK) - okBefore;

        File.Delete(filler);
        var freedAt = load.Now;
        // A PostgreSQL that could not write its WAL stops (PANIC): start it again, as its supervisor would.
        var postgres = Faults.InstancesOf("postgres").Single();
        if (postgres.State != "Running")
        {
            await Faults.StartAsync(postgres);
        }
        await Task.Delay(LoadAround);
        await stop.CancelAsync();
        await calls;

        var halfWritten = await Faults.RunsDbScalarAsync<long>("""
            SELECT count(*) FROM runs.operation_runs r WHERE r.identity_inputs->>'fault' LIKE @label
              AND NOT EXISTS (SELECT 1 FROM runs.run_notifications n WHERE n.run_id = r.id AND n.kind = 'run_queued')
            """, ("label", load.Label + "-%"));
        await RecordAsync(load, "PostgreSQL disk full under EnsureRun load, then space freed",
            $"first acknowledged run {Figure(load.FirstSuccessAfter(freedAt) - freedAt)} after space was freed " +
            $"(the postmaster {(postgres.State == "Running" ? "kept running" : "stopped and was started again")}); " +
            $"{okWhileFull} runs acknowledged while full, {(freedAt - fullAt).TotalSeconds:0} s",
            halfWritten: (int)halfWritten);
    }

    private async Task<EnsureRunLoad> StartLoadAsync(string name, string label)
    {
        var tenant = await Suite.AddTenantAsync($"Fault: {name}", deviceConfigurations: 1);
        // The context a sync's worker needs, as InventoryService builds it for this tenant.
        var first = await CompletedOrNullAsync(await StartSyncAsync(tenant.TenantId), TimeSpan.FromSeconds(60));
        Assert.NotNull(first);
        return new EnsureRunLoad(() => Suite.RunsChannel(Suite.OwnerToken), Suite.WorkspaceId, tenant.TenantId, first.Context ?? new Struct(), $"{label}-{Guid.NewGuid():N}"[..24]);
    }

    private async Task RecordAsync(EnsureRunLoad load, string scenario, string recovery, int halfWritten = 0)
    {
        var acknowledged = load.Acknowledged.Values.Select(Guid.Parse).ToArray();
        var found = await Faults.RunsDbScalarAsync<long>("SELECT count(*) FROM runs.operation_runs WHERE id = ANY(@ids)", ("ids", acknowledged));
        // Duplicated: two runs of one identity active at once (what WHILE_ACTIVE forbids). A caller whose answer was
        // lost and whose retry came after the run had ended gets a new run, as WHILE_ACTIVE promises: counted apart.
        var doubled = await Faults.RunsDbScalarAsync<long>("""
            SELECT count(*) FROM runs.operation_runs a JOIN runs.operation_runs b
              ON b.identity_inputs->>'fault' = a.identity_inputs->>'fault' AND (a.created_at, a.id) < (b.created_at, b.id)
            WHERE a.identity_inputs->>'fault' LIKE @label AND b.created_at < coalesce(a.completed_at, 'infinity')
            """, ("label", load.Label + "-%"));
        var rerun = await Faults.RunsDbScalarAsync<long>(
            "SELECT count(*) - count(DISTINCT identity_inputs->>'fault') FROM runs.operation_runs WHERE identity_inputs->>'fault' LIKE @label",
            ("label", load.Label + "-%"));
        const string ActiveSql = "SELECT count(*) FROM runs.operation_runs WHERE identity_inputs->>'fault' LIKE @label AND status IN ('queued', 'running')";
        long active;
        try
        {
            active = await Eventually.UntilAsync(() => Faults.RunsDbScalarAsync<long>(ActiveSql, ("label", load.Label + "-%")),
                n => n == 0, TimeSpan.FromSeconds(180), "every run of the load is done");
        }
        catch (TimeoutException)
        {
            active = await Faults.RunsDbScalarAsync<long>(ActiveSql, ("label", load.Label + "-%"));
        }
        var failed = await Faults.RunsDbScalarAsync<long>(
            "SELECT count(*) FROM runs.operation_runs WHERE identity_inputs->>'fault' LIKE @label AND outcome <> 'succeeded'", ("label", load.Label + "-%"));

        Record(new FaultResult(scenario, recovery,
            Lost: (int)(acknowledged.Length - found) + load.Unanswered.Count + halfWritten,
            Duplicated: (int)doubled,
            Stuck: (int)active,
            $"{acknowledged.Length} runs acknowledged by {Callers} callers; answers: {load.AnswerSummary}; runs not succeeded: {failed}" +
            (rerun > 0 ? $"; {rerun} identities run again after their run had ended (answer lost, retried later)" : string.Empty)));
        Assert.True(load.Unexpected == 0, $"answers other than OK/UNAVAILABLE: {load.AnswerSummary}");
    }

    private static string Figure(TimeSpan? elapsed) => elapsed is { } e ? FaultReport.Seconds(e) : "never";
}
