using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using StackExchange.Redis;
using TenantAtlas.Contracts;
using TenantAtlas.Runs.V1;

namespace TenantAtlas.Workers.Tests;

/// <summary>Workers that die and a Redis that fails under them: nothing lost, nothing stuck, no handler run twice at once.</summary>
public sealed class RecoveryTests : IAsyncLifetime
{
    private WorkerHarness harness = null!;

    public async Task InitializeAsync() => harness = await WorkerHarness.StartAsync();

    public async Task DisposeAsync() => await harness.DisposeAsync();

    private static string ConsumerOf(IHost host) => host.Services.GetServices<IHostedService>().OfType<RunWorker>().Single().Consumer;

    [Fact]
    public async Task WorkerStoppedMidRun_AnotherConsumerReclaimsTheEntry_AndTheRunCompletesCountedOnce()
    {
        var firstAttempt = new TaskCompletionSource();
        harness.Script.Behaviour = async (run, ct) =>
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
        var first = await harness.StartWorkerAsync();
        var published = await harness.PublishAsync();
        await firstAttempt.Task.WaitAsync(TimeSpan.FromSeconds(10));
        var second = await harness.StartWorkerAsync();

        await harness.StopWorkerAsync(first);
        var run = await harness.WaitForCompletionAsync(published.RunId);

        Assert.Equal(RunOutcome.Succeeded, run.Outcome);
        // The second attempt counted from zero: the item the first one reported is not counted twice.
        Assert.Equal((2L, 2L), (run.Counts.Total, run.Counts.Succeeded));
        Assert.Equal([published.RunId, published.RunId], harness.Script.Calls);
        var pending = await harness.Database.StreamPendingMessagesAsync(WorkerHarness.Stream, WorkerHarness.Service, 10, RedisValue.Null);
        Assert.Empty(pending);
        Assert.NotEqual(ConsumerOf(second), string.Empty);
        Assert.Contains(harness.Runs.Updates, u => u.Status == RunStatus.Running && u.SetCounts is { Total: 0 });
    }

    [Fact]
    public async Task EntryWhoseWorkersKeepDying_IsGivenUp_RunFailsWorkerLost_EntryDeadLettered()
    {
        harness.Script.Behaviour = (_, ct) => Task.Delay(Timeout.Infinite, ct);
        var settings = new Dictionary<string, string?> { ["Worker:MaxDeliveries"] = "1" };
        var first = await harness.StartWorkerAsync(settings);
        var published = await harness.PublishAsync();
        await Eventually.UntilAsync(() => Task.FromResult(harness.Script.Calls.Count), n => n == 1, TimeSpan.FromSeconds(10), "the first delivery starts");

        await harness.StopWorkerAsync(first);
        await harness.StartWorkerAsync(settings);
        var run = await harness.WaitForCompletionAsync(published.RunId);

        Assert.Equal(RunOutcome.Failed, run.Outcome);
        Assert.Equal(RunJobProcessor.WorkerLostCode, Assert.Single(run.Failures).Code);
        Assert.Single(await harness.DeadLettersAsync());
        Assert.Single(harness.Script.Calls);
    }

    [Fact]
    public async Task RedisStalledPastTheCommandTimeout_TheWorkerGoesOn_AndLaterRunsComplete()
    {
        // Past StackExchange.Redis' 5 s command timeout: its calls fail with RedisTimeoutException, a TimeoutException.
        await harness.StartWorkerAsync();
        await harness.WaitForCompletionAsync((await harness.PublishAsync()).RunId);

        await harness.Redis.StallAsync(TimeSpan.FromSeconds(7));
        var after = await harness.PublishAsync();
        var run = await harness.WaitForCompletionAsync(after.RunId, TimeSpan.FromSeconds(20));

        Assert.Equal(RunOutcome.Succeeded, run.Outcome);
    }

    [Fact]
    public async Task RedisEmptiedUnderTheWorker_TheConsumerGroupComesBack_AndNewRunsFlow()
    {
        await harness.StartWorkerAsync();
        await harness.WaitForCompletionAsync((await harness.PublishAsync()).RunId);

        // What a Redis restarted without its data looks like to the worker: no stream, no consumer group.
        await harness.Database.KeyDeleteAsync(WorkerHarness.Stream);
        await Task.Delay(500);
        var after = await harness.PublishAsync();
        var run = await harness.WaitForCompletionAsync(after.RunId, TimeSpan.FromSeconds(20));

        Assert.Equal(RunOutcome.Succeeded, run.Outcome);
    }
}
