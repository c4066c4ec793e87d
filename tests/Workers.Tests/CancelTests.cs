using Microsoft.Extensions.DependencyInjection;
using StackExchange.Redis;
using TenantAtlas.Contracts;
using TenantAtlas.Runs.V1;

namespace TenantAtlas.Workers.Tests;

/// <summary>
/// CancelRun as the worker host sees it: RunsService's message on <c>ops:{service}:cancel</c> (or a heartbeat that finds
/// cancel_requested) stops the handler between items, and the run completes cancelled with the counts so far.
/// </summary>
public sealed class CancelTests : WorkerHarnessTests
{
    /// <summary>A handler of many items that checks its token between items, as the suite's handlers do.</summary>
    private static async Task ItemsUntilCancelled(RunWorkContext run, CancellationToken ct)
    {
        run.AddTotal(10_000);
        for (var i = 0; i < 10_000; i++)
        {
            ct.ThrowIfCancellationRequested();
            await Task.Delay(10, CancellationToken.None);
            run.Succeeded();
        }
    }

    private async Task<Run> StartedRunAsync()
    {
        var published = await Harness.PublishAsync();
        await Eventually.UntilAsync(() => Task.FromResult(Harness.Runs[published.RunId].Clone()),
            r => r.Counts.Succeeded >= 5, TimeSpan.FromSeconds(10), "the handler is working through its items");
        return published;
    }

    [Fact]
    public async Task CancelMessage_StopsTheHandlerBetweenItems_RunCompletesCancelledWithItsCountsSoFar()
    {
        Harness.Script.Behaviour = ItemsUntilCancelled;
        await Harness.StartWorkerAsync();
        var run = await StartedRunAsync();

        Harness.Runs[run.RunId].CancelRequested = true;
        await Harness.Connection.GetSubscriber().PublishAsync(RedisChannel.Literal(RunJobs.CancelChannelOf(WorkerHarness.Stream)), run.RunId);
        var done = await Harness.WaitForCompletionAsync(run.RunId, TimeSpan.FromSeconds(2));

        Assert.Equal(RunOutcome.Cancelled, done.Outcome);
        Assert.InRange(done.Counts.Succeeded, 5, 9_999);
        Assert.Equal(done.Counts.Succeeded, done.Counts.Processed);
        Assert.Equal(10_000, done.Counts.Total);
        Assert.Empty(done.Failures);
        await Eventually.UntilAsync(Harness.PendingAsync, pending => pending == 0, TimeSpan.FromSeconds(5), "the entry is acknowledged");
    }

    // Pub/sub is fire-and-forget: a worker that missed the message reads cancel_requested within a heartbeat.
    [Fact]
    public async Task CancelMessageLost_TheHeartbeatFindsTheRequest()
    {
        Harness.Script.Behaviour = ItemsUntilCancelled;
        await Harness.StartWorkerAsync();
        var run = await StartedRunAsync();

        Harness.Runs[run.RunId].CancelRequested = true;
        var done = await Harness.WaitForCompletionAsync(run.RunId, TimeSpan.FromSeconds(5));

        Assert.Equal(RunOutcome.Cancelled, done.Outcome);
        Assert.InRange(done.Counts.Succeeded, 5, 9_999);
    }

    [Fact]
    public async Task HandlerIgnoringTheCancel_IsAbandonedAfterTheGrace_RunCompletesCancelledSayingSo()
    {
        using var release = new CancellationTokenSource();
        Harness.Script.Behaviour = async (run, _) =>
        {
            run.AddTotal(2);
            run.Succeeded();
            await Task.Delay(Timeout.Infinite, release.Token); // never looks at its own token
        };
        await Harness.StartWorkerAsync(new Dictionary<string, string?> { ["Worker:CancelGrace"] = "00:00:01" });
        var published = await Harness.PublishAsync();
        await Eventually.UntilAsync(() => Task.FromResult(Harness.Runs[published.RunId].Clone()),
            r => r.Counts.Succeeded == 1, TimeSpan.FromSeconds(10), "the handler reported its first item");

        Harness.Runs[published.RunId].CancelRequested = true;
        await Harness.Connection.GetSubscriber().PublishAsync(RedisChannel.Literal(RunJobs.CancelChannelOf(WorkerHarness.Stream)), published.RunId);
        var done = await Harness.WaitForCompletionAsync(published.RunId, TimeSpan.FromSeconds(5));
        await release.CancelAsync();

        Assert.Equal(RunOutcome.Cancelled, done.Outcome);
        Assert.Equal(1, done.Counts.Succeeded);
        Assert.Equal(RunJobProcessor.CancelIgnoredCode, Assert.Single(done.Failures).Code);
    }

    // The run's previous worker died after the cancel was requested: the next delivery calls the handler with its token
    // already cancelled (so the service can record the cancel), and completes the run cancelled.
    [Fact]
    public async Task RedeliveredRunWithACancelRequest_HandlerSeesTheCancel_RunCompletesCancelled()
    {
        var seen = new List<(bool TokenCancelled, bool CancelRequested)>();
        Harness.Script.Behaviour = (run, ct) =>
        {
            seen.Add((ct.IsCancellationRequested, run.CancelRequested));
            ct.ThrowIfCancellationRequested();
            run.AddTotal(1);
            run.Succeeded();
            return Task.CompletedTask;
        };
        await Harness.StartWorkerAsync();
        var run = Harness.Runs.Add(RunTypes.InventorySync, RunStatus.Running);
        run.CancelRequested = true;
        await Harness.PublishAgainAsync(run);

        var done = await Harness.WaitForCompletionAsync(run.RunId);

        Assert.Equal(RunOutcome.Cancelled, done.Outcome);
        Assert.Equal([(true, true)], seen);
        Assert.Equal(0, done.Counts.Succeeded);
    }

    [Fact]
    public async Task CancelMessage_ReachesTheServicesObservers_EvenForARunNoHandlerHolds()
    {
        var observed = System.Threading.Channels.Channel.CreateUnbounded<Guid>();
        await Harness.StartWorkerAsync(services: s => s.AddSingleton<IRunCancelObserver>(new ChannelObserver(observed.Writer)));
        var runId = Guid.NewGuid();

        await Eventually.UntilAsync(async () =>
        {
            await Harness.Connection.GetSubscriber().PublishAsync(RedisChannel.Literal(RunJobs.CancelChannelOf(WorkerHarness.Stream)), runId.ToString());
            return observed.Reader.TryRead(out var id) ? id : Guid.Empty;
        }, id => id == runId, TimeSpan.FromSeconds(5), "the observer hears the cancel");
    }

    private sealed class ChannelObserver(System.Threading.Channels.ChannelWriter<Guid> writer) : IRunCancelObserver
    {
        public Task CancelRequestedAsync(Guid runId, CancellationToken cancellationToken)
        {
            writer.TryWrite(runId);
            return Task.CompletedTask;
        }
    }
}
