using TenantAtlas.Contracts;
using TenantAtlas.Runs.V1;

namespace TenantAtlas.Workers.Tests;

/// <summary>Every way one job can end, seen from the run (what RunsService was told) and the stream (acked, pending, dead).</summary>
public sealed class JobBranchTests : WorkerHarnessTests
{
    [Fact]
    public async Task HandlerSucceeds_RunCompletesWithItsCounts_AndTheEntryIsAcknowledged()
    {
        Harness.Script.Behaviour = (run, _) =>
        {
            run.AddTotal(3);
            run.Succeeded(2);
            run.Skipped();
            return Task.CompletedTask;
        };
        await Harness.StartWorkerAsync();

        var published = await Harness.PublishAsync();
        var run = await Harness.WaitForCompletionAsync(published.RunId);

        Assert.Equal(RunOutcome.Succeeded, run.Outcome);
        Assert.Equal((3L, 3L, 2L, 1L), (run.Counts.Total, run.Counts.Processed, run.Counts.Succeeded, run.Counts.Skipped));
        Assert.Equal([published.RunId], Harness.Script.Calls);
        await Eventually.UntilAsync(Harness.PendingAsync, pending => pending == 0, TimeSpan.FromSeconds(5), "the entry is acknowledged");
    }

    [Fact]
    public async Task HandlerThrows_RunFailsWithTheStableCode_OrHandlerFailed()
    {
        Harness.Script.Behaviour = (_, _) => Harness.Script.Calls.Count == 1
            ? throw new RunFailureException("graph.unauthorized", "The tenant refused the app's credentials.")
            : throw new InvalidOperationException("boom");
        await Harness.StartWorkerAsync();

        var coded = await Harness.WaitForCompletionAsync((await Harness.PublishAsync()).RunId);
        var plain = await Harness.WaitForCompletionAsync((await Harness.PublishAsync()).RunId);

        Assert.Equal(RunOutcome.Failed, coded.Outcome);
        Assert.Equal("graph.unauthorized", Assert.Single(coded.Failures).Code);
        Assert.Equal(RunOutcome.Failed, plain.Outcome);
        Assert.Equal(RunJobProcessor.HandlerFailedCode, Assert.Single(plain.Failures).Code);
        Assert.Contains("InvalidOperationException: boom", plain.Failures[0].Message, StringComparison.Ordinal);
        await Eventually.UntilAsync(Harness.PendingAsync, pending => pending == 0, TimeSpan.FromSeconds(5), "both entries are acknowledged");
    }

    // The stuck restore of issue 25: a handler named an outcome its counts contradict (skips are not successes), RunsService
    // refused the completion, and the worker host took the refusal for "completed by someone else" and walked away.
    [Fact]
    public async Task CompletionRefusedWhileTheRunIsActive_CompletesItFailed_NamingTheRefusal_WithTheHandlersCounts()
    {
        Harness.Script.Behaviour = (run, _) =>
        {
            run.AddTotal(3);
            run.Skipped(2);
            run.Failed("restore.blocked", "blocked", "item 3");
            run.FinalOutcome = RunOutcome.PartiallySucceeded;
            return Task.CompletedTask;
        };
        await Harness.StartWorkerAsync();

        var run = await Harness.WaitForCompletionAsync((await Harness.PublishAsync()).RunId);

        Assert.Equal(RunOutcome.Failed, run.Outcome);
        Assert.Equal((3L, 3L, 0L, 1L, 2L), (run.Counts.Total, run.Counts.Processed, run.Counts.Succeeded, run.Counts.Failed, run.Counts.Skipped));
        var refused = Assert.Single(run.Failures, f => f.Code == RunJobProcessor.CompletionRefusedCode);
        Assert.Contains("contradicts the run's counts", refused.Message, StringComparison.Ordinal);
        Assert.Contains(run.Failures, f => f.Code == "restore.blocked");
        await Eventually.UntilAsync(Harness.PendingAsync, pending => pending == 0, TimeSpan.FromSeconds(5), "the entry is acknowledged");
    }

    // EnsureRun refuses types no service handles, and a worker does not start without a handler of each available type
    // of its service; such an entry still arrives from a run queued before that, or from a worker of an older build.
    [Fact]
    public async Task TypeWithoutHandler_RunFailsNoHandler_AndTheEntryIsDeadLettered()
    {
        await Harness.StartWorkerAsync();

        var run = await Harness.WaitForCompletionAsync((await Harness.PublishAsync(RunTypes.OperationsReportGenerate)).RunId);

        Assert.Equal(RunOutcome.Failed, run.Outcome);
        Assert.Equal(RunJobProcessor.NoHandlerCode, Assert.Single(run.Failures).Code);
        var dead = await Eventually.UntilAsync(Harness.DeadLettersAsync, d => d.Length == 1, TimeSpan.FromSeconds(5), "one dead letter");
        Assert.Equal(run.RunId, (string?)dead[0][RunJobs.RunIdField]);
        Assert.Empty(Harness.Script.Calls);
    }

    [Fact]
    public async Task RunAlreadyCompleted_EntryIsDropped_WithoutCallingTheHandler()
    {
        await Harness.StartWorkerAsync();

        await Harness.PublishAsync(status: RunStatus.Completed);
        var after = await Harness.PublishAsync();
        await Harness.WaitForCompletionAsync(after.RunId);

        Assert.Equal([after.RunId], Harness.Script.Calls);
        await Eventually.UntilAsync(Harness.PendingAsync, pending => pending == 0, TimeSpan.FromSeconds(5), "both entries are acknowledged");
        Assert.Empty(await Harness.DeadLettersAsync());
    }

    [Fact]
    public async Task EntryWithoutARunId_OrForAnUnknownRun_IsDeadLettered()
    {
        await Harness.Database.StreamAddAsync(WorkerHarness.Stream, RunJobs.TypeField, RunTypes.InventorySync);
        var unknown = await Harness.PublishAsync();
        Harness.Runs.Forget(unknown.RunId);
        await Harness.StartWorkerAsync();

        var dead = await Eventually.UntilAsync(Harness.DeadLettersAsync, d => d.Length == 2, TimeSpan.FromSeconds(5), "two dead letters");
        Assert.Equal(["run not found", "unreadable entry: no run_id"], dead.Select(d => (string)d[RunJobs.ReasonField]!).Order(StringComparer.Ordinal));
        Assert.Empty(Harness.Script.Calls);
        Assert.Equal(0, await Harness.PendingAsync());
    }

    [Fact]
    public async Task RunsServiceUnavailable_EntryStaysPending_AndIsRetriedUntilTheRunCompletes()
    {
        Harness.Runs.FailNextStarts(1);
        await Harness.StartWorkerAsync();

        var published = await Harness.PublishAsync();
        var run = await Harness.WaitForCompletionAsync(published.RunId);

        Assert.Equal(RunOutcome.Succeeded, run.Outcome);
        // The first start was refused: the entry waited for its claim to expire, and the retry counted from zero.
        var starts = Harness.Runs.Updates.Where(u => u.Status == RunStatus.Running).ToList();
        Assert.Equal(2, starts.Count);
        Assert.Equal(0, starts[1].SetCounts.Total);
        Assert.Equal([published.RunId], Harness.Script.Calls);
    }

    [Fact]
    public async Task HandlerThatNeverReturns_RunFailsWorkerTimeout_AtItsTypesMaximum()
    {
        Harness.Script.Behaviour = (_, _) => Task.Delay(Timeout.Infinite, CancellationToken.None); // ignores its token
        await Harness.StartWorkerAsync(new Dictionary<string, string?> { ["Worker:MaxRunDurations:inventory.sync"] = "00:00:01" });

        var started = DateTime.UtcNow;
        var run = await Harness.WaitForCompletionAsync((await Harness.PublishAsync()).RunId);

        Assert.Equal(RunOutcome.Failed, run.Outcome);
        Assert.Equal(RunJobProcessor.TimeoutCode, Assert.Single(run.Failures).Code);
        Assert.InRange(DateTime.UtcNow - started, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(6));
    }

    [Fact]
    public async Task Progress_IsReportedWhileTheHandlerWorks_AndTheCompletionSetsTheCountsAbsolutely()
    {
        var release = new TaskCompletionSource();
        Harness.Script.Behaviour = async (run, _) =>
        {
            run.AddTotal(2);
            run.Succeeded();
            await release.Task;
            run.Succeeded();
        };
        await Harness.StartWorkerAsync();

        var published = await Harness.PublishAsync();
        await Eventually.UntilAsync(() => Task.FromResult(Harness.Runs[published.RunId].Counts.Succeeded), n => n == 1,
            TimeSpan.FromSeconds(5), "the first item is reported while the run is still running");
        release.SetResult();
        var run = await Harness.WaitForCompletionAsync(published.RunId);

        Assert.Equal((2L, 2L), (run.Counts.Total, run.Counts.Succeeded));
        // The update that completed the run (on a starved machine a later reclaim may try a refused worker.lost completion too).
        Assert.Equal(2, Harness.Runs.Updates.First(u => u.Status == RunStatus.Completed).SetCounts.Succeeded);
    }

    [Fact]
    public async Task StoreAwayDuringTheHandler_IsTriedAgainInProcess_AndTheRunCountsTheLastTryOnly()
    {
        Harness.Script.Behaviour = (run, _) =>
        {
            run.AddTotal(2);
            run.Succeeded();
            if (Harness.Script.Calls.Count == 1)
            {
                throw new TimeoutException("the database did not answer (test)");
            }
            run.Succeeded();
            return Task.CompletedTask;
        };
        await Harness.StartWorkerAsync(new Dictionary<string, string?> { ["Worker:TransientRetryDelay"] = "00:00:00.100" });

        var published = await Harness.PublishAsync();
        var run = await Harness.WaitForCompletionAsync(published.RunId);

        Assert.Equal(RunOutcome.Succeeded, run.Outcome);
        Assert.Empty(run.Failures);
        Assert.Equal((2L, 2L), (run.Counts.Total, run.Counts.Succeeded));
        Assert.Equal([published.RunId, published.RunId], Harness.Script.Calls);
        Assert.Contains(Harness.Runs.Updates, u => u.Status == RunStatus.Unspecified && u.SetCounts is { Total: 0, Succeeded: 0 });
    }

    [Fact]
    public async Task StoreAwayOnEveryTry_ReleasesTheEntry_NeverFailsTheRunAsHandlerFailed()
    {
        Harness.Script.Behaviour = (_, _) => throw new TimeoutException("the database did not answer (test)");
        await Harness.StartWorkerAsync(new Dictionary<string, string?>
        {
            ["Worker:TransientRetries"] = "2", ["Worker:TransientRetryDelay"] = "00:00:00.050", ["Worker:MaxDeliveries"] = "2",
        });

        var run = await Harness.WaitForCompletionAsync((await Harness.PublishAsync()).RunId, TimeSpan.FromSeconds(20));

        // Two deliveries of two tries each, then the third delivery gives up: worker.lost, never worker.handler_failed.
        Assert.Equal(RunOutcome.Failed, run.Outcome);
        Assert.Equal(RunJobProcessor.WorkerLostCode, Assert.Single(run.Failures).Code);
        Assert.Equal(4, Harness.Script.Calls.Count);
    }
}
