using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using StackExchange.Redis;
using TenantAtlas.Contracts;
using TenantAtlas.Runs.V1;

namespace TenantAtlas.Workers.Tests;

/// <summary>Workers that die and a Redis that fails under them: nothing lost, nothing stuck, no handler run twice at once.</summary>
public sealed class RecoveryTests : WorkerHarnessTests
{
    private static string ConsumerOf(IHost host) => host.Services.GetServices<IHostedService>().OfType<RunWorker>().Single().Consumer;

    [Fact]
    public async Task WorkerStoppedMidRun_AnotherConsumerReclaimsTheEntry_AndTheRunCompletesCountedOnce()
    {
        var firstAttempt = new TaskCompletionSource();
        Harness.Script.Behaviour = async (run, ct) =>
        {
            run.AddTotal(2);
            run.Succeeded();
            if (run.DeliveryCount == 1)
            {
                firstAttempt.TrySetResult();
                await Task.Delay(Timeout.Infinite, ct); // until the worker stops
            }
            run.Succeeded();
        };
        var first = await Harness.StartWorkerAsync();
        var published = await Harness.PublishAsync();
        await firstAttempt.Task.WaitAsync(TimeSpan.FromSeconds(10));
        var second = await Harness.StartWorkerAsync();

        await Harness.StopWorkerAsync(first);
        var run = await Harness.WaitForCompletionAsync(published.RunId);

        Assert.Equal(RunOutcome.Succeeded, run.Outcome);
        // The second attempt counted from zero: the item the first one reported is not counted twice.
        Assert.Equal((2L, 2L), (run.Counts.Total, run.Counts.Succeeded));
        Assert.Equal([published.RunId, published.RunId], Harness.Script.Calls);
        // The entry is acknowledged right after the completion is written: wait for it rather than race it.
        await Eventually.UntilAsync(Harness.PendingAsync, pending => pending == 0, TimeSpan.FromSeconds(5), "the entry is acknowledged");
        Assert.NotEqual(ConsumerOf(second), string.Empty);
        Assert.Contains(Harness.Runs.Updates, u => u.Status == RunStatus.Running && u.SetCounts is { Total: 0 });
    }

    [Fact]
    public async Task SecondEntryForARunBeingWorkedOn_NeverRunsTheHandlerTwice_AndIsDroppedOnceTheRunCompletes()
    {
        var release = new TaskCompletionSource();
        BlockUntil(release);
        await Harness.StartWorkerAsync();
        await Harness.StartWorkerAsync();
        var published = await Harness.PublishAsync();
        await Eventually.UntilAsync(() => Task.FromResult(Harness.Script.Calls.Count), n => n == 1, TimeSpan.FromSeconds(10), "the handler starts");

        // Three more entries for the same run while it is worked on, and long enough for reclaims (claims lapse after 2 s).
        for (var i = 0; i < 3; i++)
        {
            await Harness.PublishAgainAsync(published);
        }
        await Task.Delay(TimeSpan.FromSeconds(5));
        var callsWhileRunning = Harness.Script.Calls.Count;
        release.SetResult();
        var run = await Harness.WaitForCompletionAsync(published.RunId);
        await Eventually.UntilAsync(Harness.PendingAsync, pending => pending == 0, TimeSpan.FromSeconds(15), "every copy is dropped");

        Assert.Equal(1, callsWhileRunning);
        Assert.Single(Harness.Script.Calls);
        Assert.Equal(RunOutcome.Succeeded, run.Outcome);
        Assert.Equal((1L, 1L), (run.Counts.Total, run.Counts.Succeeded));
        Assert.Empty(await Harness.DeadLettersAsync());
    }

    private void BlockUntil(TaskCompletionSource release) => Harness.Script.Behaviour = async (run, _) =>
    {
        run.AddTotal(1);
        await release.Task;
        run.Succeeded();
    };

    [Fact]
    public async Task EntryWhoseWorkersKeepDying_IsGivenUp_RunFailsWorkerLost_EntryDeadLettered()
    {
        Harness.Script.Behaviour = (_, ct) => Task.Delay(Timeout.Infinite, ct);
        var settings = new Dictionary<string, string?> { ["Worker:MaxDeliveries"] = "1" };
        var first = await Harness.StartWorkerAsync(settings);
        var published = await Harness.PublishAsync();
        await Eventually.UntilAsync(() => Task.FromResult(Harness.Script.Calls.Count), n => n == 1, TimeSpan.FromSeconds(10), "the first delivery starts");

        await Harness.StopWorkerAsync(first);
        await Harness.StartWorkerAsync(settings);
        var run = await Harness.WaitForCompletionAsync(published.RunId);

        Assert.Equal(RunOutcome.Failed, run.Outcome);
        Assert.Equal(RunJobProcessor.WorkerLostCode, Assert.Single(run.Failures).Code);
        Assert.Single(await Harness.DeadLettersAsync());
        Assert.Single(Harness.Script.Calls);
    }

    [Fact]
    public async Task RedisStalledPastTheCommandTimeout_TheWorkerGoesOn_AndLaterRunsComplete()
    {
        // Past StackExchange.Redis' 5 s command timeout: its calls fail with RedisTimeoutException, a TimeoutException.
        await Harness.StartWorkerAsync();
        await Harness.WaitForCompletionAsync((await Harness.PublishAsync()).RunId);

        await Harness.Redis.StallAsync(TimeSpan.FromSeconds(7));
        var after = await Harness.PublishAsync();
        var run = await Harness.WaitForCompletionAsync(after.RunId, TimeSpan.FromSeconds(20));

        Assert.Equal(RunOutcome.Succeeded, run.Outcome);
    }

    [Fact]
    public async Task RedisEmptiedUnderTheWorker_TheConsumerGroupComesBack_AndNewRunsFlow()
    {
        await Harness.StartWorkerAsync();
        await Harness.WaitForCompletionAsync((await Harness.PublishAsync()).RunId);

        // What a Redis restarted without its data looks like to the worker: no stream, no consumer group.
        await Harness.Database.KeyDeleteAsync(WorkerHarness.Stream);
        await Task.Delay(500);
        var after = await Harness.PublishAsync();
        var run = await Harness.WaitForCompletionAsync(after.RunId, TimeSpan.FromSeconds(20));

        Assert.Equal(RunOutcome.Succeeded, run.Outcome);
    }

    [Fact]
    public async Task LeaseTakenByAnotherConsumerMidRun_TheHandlerIsStopped_AndThisConsumerReportsNothing()
    {
        var cancelled = new TaskCompletionSource();
        Harness.Script.Behaviour = async (run, ct) =>
        {
            run.AddTotal(1);
            try
            {
                await Task.Delay(Timeout.Infinite, ct);
            }
            catch (OperationCanceledException)
            {
                cancelled.TrySetResult();
                throw;
            }
        };
        await Harness.StartWorkerAsync();
        var published = await Harness.PublishAsync();
        await Eventually.UntilAsync(() => Task.FromResult(Harness.Script.Calls.Count), n => n == 1, TimeSpan.FromSeconds(10), "the handler starts");

        // What a consumer cut off from Redis past the claim idle time finds on its return: another consumer took the run.
        await Harness.Database.StringSetAsync(RunJobs.LeaseOf(WorkerHarness.Stream, published.RunId), "another-consumer", TimeSpan.FromMinutes(1));
        await cancelled.Task.WaitAsync(TimeSpan.FromSeconds(5));
        await Task.Delay(TimeSpan.FromSeconds(1));

        Assert.DoesNotContain(Harness.Runs.Updates, u => u.RunId == published.RunId && u.Status == RunStatus.Completed);
        Assert.Equal("another-consumer", (string?)await Harness.Database.StringGetAsync(RunJobs.LeaseOf(WorkerHarness.Stream, published.RunId)));
        Assert.Equal(1, await Harness.PendingAsync());
    }

    [Fact]
    public async Task AnotherAttemptStartedTheRun_ThisAttemptsCompletionIsRefused_AndItStopsWithoutAcknowledging()
    {
        var release = new TaskCompletionSource();
        BlockUntil(release);
        await Harness.StartWorkerAsync();
        var published = await Harness.PublishAsync();
        await Eventually.UntilAsync(() => Task.FromResult(Harness.Script.Calls.Count), n => n == 1, TimeSpan.FromSeconds(10), "the handler starts");
        var fenced = Harness.Runs.Updates.First(u => u.RunId == published.RunId && u.Status == RunStatus.Running).AttemptId;

        // What RunsService sees when a consumer that took the run over (this one was cut off) starts it.
        var takeover = Guid.NewGuid().ToString();
        await Harness.Runs.UpdateAsync(new UpdateRunRequest { RunId = published.RunId, Status = RunStatus.Running, AttemptId = takeover },
            CancellationToken.None);
        release.SetResult();
        // The fenced attempt neither completes the run nor acknowledges its entry: the entry is delivered again (here
        // nobody else holds it) and a third attempt completes the run.
        var run = await Harness.WaitForCompletionAsync(published.RunId, TimeSpan.FromSeconds(20));

        var completions = Harness.Runs.Updates.Where(u => u.RunId == published.RunId && u.Status == RunStatus.Completed).Select(u => u.AttemptId).ToList();
        Assert.NotEqual(string.Empty, fenced);
        Assert.Equal(2, completions.Count);
        Assert.Equal(fenced, completions[0]); // refused (ABORTED)
        Assert.DoesNotContain(completions[1], new[] { fenced, takeover, string.Empty });
        Assert.Equal(2, Harness.Script.Calls.Count);
        Assert.Equal(RunOutcome.Succeeded, run.Outcome);
    }
}
