using TenantAtlas.Contracts;
using TenantAtlas.Runs.V1;

namespace TenantAtlas.Workers.Tests;

/// <summary>Every way one job can end, seen from the run (what RunsService was told) and the stream (acked, pending, dead).</summary>
public sealed class JobBranchTests : IAsyncLifetime
{
    private WorkerHarness harness = null!;

    public async Task InitializeAsync() => harness = await WorkerHarness.StartAsync();

    public async Task DisposeAsync() => await harness.DisposeAsync();

    [Fact]
    public async Task HandlerSucceeds_RunCompletesWithItsCounts_AndTheEntryIsAcknowledged()
    {
        harness.Script.Behaviour = (run, _) =>
        {
            run.AddTotal(3);
            run.Succeeded(2);
            run.Skipped();
            return Task.CompletedTask;
        };
        await harness.StartWorkerAsync();

        var published = await harness.PublishAsync();
        var run = await harness.WaitForCompletionAsync(published.RunId);

        Assert.Equal(RunOutcome.Succeeded, run.Outcome);
        Assert.Equal((3L, 3L, 2L, 1L), (run.Counts.Total, run.Counts.Processed, run.Counts.Succeeded, run.Counts.Skipped));
        Assert.Equal([published.RunId], harness.Script.Calls);
        await Eventually.UntilAsync(harness.PendingAsync, pending => pending == 0, TimeSpan.FromSeconds(5), "the entry is acknowledged");
    }

    [Fact]
    public async Task HandlerThrows_RunFailsWithTheStableCode_OrHandlerFailed()
    {
        harness.Script.Behaviour = (_, _) => harness.Script.Calls.Count == 1
            ? throw new RunFailureException("graph.unauthorized", "The tenant refused the app's credentials.")
            : throw new InvalidOperationException("boom");
        await harness.StartWorkerAsync();

        var coded = await harness.WaitForCompletionAsync((await harness.PublishAsync()).RunId);
        var plain = await harness.WaitForCompletionAsync((await harness.PublishAsync()).RunId);

        Assert.Equal(RunOutcome.Failed, coded.Outcome);
        Assert.Equal("graph.unauthorized", Assert.Single(coded.Failures).Code);
        Assert.Equal(RunOutcome.Failed, plain.Outcome);
        Assert.Equal(RunJobProcessor.HandlerFailedCode, Assert.Single(plain.Failures).Code);
        Assert.Contains("InvalidOperationException: boom", plain.Failures[0].Message, StringComparison.Ordinal);
        await Eventually.UntilAsync(harness.PendingAsync, pending => pending == 0, TimeSpan.FromSeconds(5), "both entries are acknowledged");
    }

    [Fact]
    public async Task TypeWithoutHandler_RunFailsNoHandler_AndTheEntryIsDeadLettered()
    {
        await harness.StartWorkerAsync();

        var run = await harness.WaitForCompletionAsync((await harness.PublishAsync(RunTypes.DirectoryGroupsSync)).RunId);

        Assert.Equal(RunOutcome.Failed, run.Outcome);
        Assert.Equal(RunJobProcessor.NoHandlerCode, Assert.Single(run.Failures).Code);
        var dead = await Eventually.UntilAsync(harness.DeadLettersAsync, d => d.Length == 1, TimeSpan.FromSeconds(5), "one dead letter");
        Assert.Equal(run.RunId, (string?)dead[0][RunJobs.RunIdField]);
        Assert.Empty(harness.Script.Calls);
    }

    [Fact]
    public async Task RunAlreadyCompleted_EntryIsDropped_WithoutCallingTheHandler()
    {
        await harness.StartWorkerAsync();

        await harness.PublishAsync(status: RunStatus.Completed);
        var after = await harness.PublishAsync();
        await harness.WaitForCompletionAsync(after.RunId);

        Assert.Equal([after.RunId], harness.Script.Calls);
        await Eventually.UntilAsync(harness.PendingAsync, pending => pending == 0, TimeSpan.FromSeconds(5), "both entries are acknowledged");
        Assert.Empty(await harness.DeadLettersAsync());
    }

    [Fact]
    public async Task EntryWithoutARunId_OrForAnUnknownRun_IsDeadLettered()
    {
        await harness.Database.StreamAddAsync(WorkerHarness.Stream, RunJobs.TypeField, RunTypes.InventorySync);
        var unknown = await harness.PublishAsync();
        harness.Runs.Forget(unknown.RunId);
        await harness.StartWorkerAsync();

        var dead = await Eventually.UntilAsync(harness.DeadLettersAsync, d => d.Length == 2, TimeSpan.FromSeconds(5), "two dead letters");
        Assert.Equal(["run not found", "unreadable entry: no run_id"], dead.Select(d => (string)d[RunJobs.ReasonField]!).Order(StringComparer.Ordinal));
        Assert.Empty(harness.Script.Calls);
        Assert.Equal(0, await harness.PendingAsync());
    }

    [Fact]
    public async Task RunsServiceUnavailable_EntryStaysPending_AndIsRetriedUntilTheRunCompletes()
    {
        harness.Runs.FailNextStarts(1);
        await harness.StartWorkerAsync();

        var published = await harness.PublishAsync();
        var run = await harness.WaitForCompletionAsync(published.RunId);

        Assert.Equal(RunOutcome.Succeeded, run.Outcome);
        // The first start was refused: the entry waited for its claim to expire, and the retry counted from zero.
        var starts = harness.Runs.Updates.Where(u => u.Status == RunStatus.Running).ToList();
        Assert.Equal(2, starts.Count);
        Assert.Equal(0, starts[1].SetCounts.Total);
        Assert.Equal([published.RunId], harness.Script.Calls);
    }

    [Fact]
    public async Task HandlerThatNeverReturns_RunFailsWorkerTimeout_AtItsTypesMaximum()
    {
        harness.Script.Behaviour = (_, _) => Task.Delay(Timeout.Infinite, CancellationToken.None); // ignores its token
        await harness.StartWorkerAsync(new Dictionary<string, string?> { ["Worker:MaxRunDurations:inventory.sync"] = "00:00:01" });

        var started = DateTime.UtcNow;
        var run = await harness.WaitForCompletionAsync((await harness.PublishAsync()).RunId);

        Assert.Equal(RunOutcome.Failed, run.Outcome);
        Assert.Equal(RunJobProcessor.TimeoutCode, Assert.Single(run.Failures).Code);
        Assert.InRange(DateTime.UtcNow - started, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(6));
    }

    [Fact]
    public async Task Progress_IsReportedWhileTheHandlerWorks_AndTheCompletionSetsTheCountsAbsolutely()
    {
        var release = new TaskCompletionSource();
        harness.Script.Behaviour = async (run, _) =>
        {
            run.AddTotal(2);
            run.Succeeded();
            await release.Task;
            run.Succeeded();
        };
        await harness.StartWorkerAsync();

        var published = await harness.PublishAsync();
        await Eventually.UntilAsync(() => Task.FromResult(harness.Runs[published.RunId].Counts.Succeeded), n => n == 1,
            TimeSpan.FromSeconds(5), "the first item is reported while the run is still running");
        release.SetResult();
        var run = await harness.WaitForCompletionAsync(published.RunId);

        Assert.Equal((2L, 2L), (run.Counts.Total, run.Counts.Succeeded));
        Assert.Equal(2, harness.Runs.Updates.Last(u => u.Status == RunStatus.Completed).SetCounts.Succeeded);
    }
}
