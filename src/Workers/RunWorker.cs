using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using StackExchange.Redis;
using TenantAtlas.Contracts;
using TenantAtlas.ServiceDefaults;

namespace TenantAtlas.Workers;

/// <summary>
/// One consumer of the service's stream: reads new entries (XREADGROUP) up to its concurrency, reclaims entries
/// whose consumer stopped heart-beating (XAUTOCLAIM), and hands each to <see cref="RunJobProcessor"/>. Woken by
/// the relay's message on the wake channel; polls with a short back-off otherwise. Its loops outlive any Redis
/// failure (a stall, a restart that lost the consumer group): they log, wait and go on. On shutdown it lets
/// in-flight runs finish for <see cref="RunWorkerOptions.ShutdownGrace"/>, then releases them.
/// </summary>
public sealed partial class RunWorker(
    IConnectionMultiplexer redis,
    RunJobProcessor processor,
    RunHandlerTypes handlers,
    RunCancellations cancellations,
    IServiceScopeFactory scopes,
    IOptions<RunWorkerOptions> options,
    TimeProvider time,
    ILogger<RunWorker> logger) : BackgroundService
{
    private readonly RunWorkerOptions settings = options.Value;
    private readonly SemaphoreSlim slots = new(options.Value.MaxConcurrency, options.Value.MaxConcurrency);
    private readonly WakeSignal wake = new();
    private readonly CancellationTokenSource stopWork = new();
    private readonly List<Task> inFlight = [];

    /// <summary>This process's consumer name in the group.</summary>
    public string Consumer { get; } = $"{Environment.MachineName}-{Environment.ProcessId}-{Guid.NewGuid():N}";

    private string Stream => RunJobs.StreamOf(settings.Service);

    private string Group => settings.Service;

    public override Task StartAsync(CancellationToken cancellationToken)
    {
        handlers.RequireComplete(settings.Service);
        return base.StartAsync(cancellationToken);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await UntilDoneAsync(async () =>
        {
            await EnsureGroupAsync();
            await redis.GetSubscriber().SubscribeAsync(RedisChannel.Literal(RunJobs.WakeChannelOf(Stream)), (_, _) => wake.Wake());
            // CancelRun: the consumer holding the run stops its handler; the others have nothing to stop.
            await redis.GetSubscriber().SubscribeAsync(RedisChannel.Literal(RunJobs.CancelChannelOf(Stream)),
                (_, runId) => OnCancelRequested(runId.ToString()));
        }, stoppingToken);
        var runTypes = string.Join(", ", handlers.All.Order(StringComparer.Ordinal));
        LogStarted(logger, Consumer, Stream, settings.MaxConcurrency, runTypes);
        await Task.WhenAll(
            Task.Run(() => ReadLoopAsync(stoppingToken), CancellationToken.None),
            Task.Run(() => ReclaimLoopAsync(stoppingToken), CancellationToken.None));
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        // Stops reading (and waits for the loops to end), then gives in-flight runs their grace period.
        await base.StopAsync(cancellationToken);
        Task[] running;
        lock (inFlight)
        {
            running = [.. inFlight];
        }
        // Let in-flight runs finish, within the grace period and the host's own shutdown timeout.
        var finished = await Task.WhenAll(running).WaitAsync(settings.ShutdownGrace, time, cancellationToken)
            .ContinueWith(t => t.IsCompletedSuccessfully, TaskScheduler.Default);
        if (!finished)
        {
            var unfinished = running.Count(t => !t.IsCompleted);
            await stopWork.CancelAsync();
            await Task.WhenAll(running).ContinueWith(_ => { }, TaskScheduler.Default);
            LogReleasedOnShutdown(logger, unfinished);
        }
    }

    public override void Dispose()
    {
        base.Dispose();
        stopWork.Cancel();
        stopWork.Dispose();
        slots.Dispose();
        wake.Dispose();
    }

    private void OnCancelRequested(string runId)
    {
        cancellations.Cancel(runId);
        if (!Guid.TryParse(runId, out var id))
        {
            return;
        }
        _ = Task.Run(async () =>
        {
            try
            {
                await using var scope = scopes.CreateAsyncScope();
                foreach (var observer in scope.ServiceProvider.GetServices<IRunCancelObserver>())
                {
                    await observer.CancelRequestedAsync(id, stopWork.Token);
                }
            }
            catch (Exception e)
            {
                LogCancelObserverFailed(logger, e, runId);
            }
        }, CancellationToken.None);
    }

    private async Task EnsureGroupAsync()
    {
        try
        {
            // From the start of the stream: jobs published before the first worker ever ran are not lost.
            await redis.GetDatabase().StreamCreateConsumerGroupAsync(Stream, Group, StreamPosition.Beginning, createStream: true);
        }
        catch (RedisServerException e) when (e.Message.Contains("BUSYGROUP", StringComparison.Ordinal))
        {
            // The group exists.
        }
    }

    private async Task ReadLoopAsync(CancellationToken ct)
    {
        var idle = TimeSpan.FromMilliseconds(10);
        while (!ct.IsCancellationRequested)
        {
            try
            {
                await slots.WaitAsync(ct);
                var free = 1 + TakeAllFreeSlots();
                StreamEntry[] entries = [];
                try
                {
                    entries = await redis.GetDatabase().StreamReadGroupAsync(Stream, Group, Consumer, StreamPosition.NewMessages, free);
                    foreach (var entry in entries)
                    {
                        Start(entry, deliveryCount: 1);
                    }
                }
                finally
                {
                    // Each started entry holds its slot until it is done; the rest go back now.
                    ReleaseSlots(free - entries.Length);
                }
                if (entries.Length > 0)
                {
                    idle = TimeSpan.FromMilliseconds(10);
                    continue;
                }
                await wake.WaitAsync(idle, ct);
                idle = TimeSpan.FromTicks(Math.Min(idle.Ticks * 2, settings.MaxPollInterval.Ticks));
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                await RecoverAsync(e, ct);
            }
        }
    }

    /// <summary>
    /// After a failed Redis call: wait, and recreate the consumer group if Redis lost it (restarted empty). Any
    /// exception, not only RedisException: a stall surfaces as RedisTimeoutException, a TimeoutException, and a loop
    /// that ended on one would leave every later run queued forever.
    /// </summary>
    private async Task RecoverAsync(Exception failure, CancellationToken ct)
    {
        LogReadFailed(logger, failure);
        await DelayQuietlyAsync(settings.MaxPollInterval, ct);
        if (failure is RedisServerException { Message: var message } && message.Contains("NOGROUP", StringComparison.Ordinal))
        {
            try
            {
                await EnsureGroupAsync();
            }
            catch (Exception e) when (!ct.IsCancellationRequested)
            {
                LogReadFailed(logger, e);
            }
        }
    }

    /// <summary>Runs <paramref name="step"/> until it succeeds (Redis may be down when the service starts).</summary>
    private async Task UntilDoneAsync(Func<Task> step, CancellationToken ct)
    {
        while (!ct.IsCancellationRequested)
        {
            try
            {
                await step();
                return;
            }
            catch (Exception e) when (!ct.IsCancellationRequested)
            {
                LogReadFailed(logger, e);
                await DelayQuietlyAsync(settings.MaxPollInterval, ct);
            }
        }
    }

    private void Start(StreamEntry entry, long deliveryCount)
    {
        var work = Task.Run(async () =>
        {
            try
            {
                await processor.ProcessAsync(entry, deliveryCount, Consumer, stopWork.Token);
            }
            catch (Exception e)
            {
                // Left pending: another attempt reclaims it after the idle timeout.
                LogProcessFailed(logger, e, entry.Id.ToString());
            }
            finally
            {
                slots.Release();
            }
        }, CancellationToken.None);
        lock (inFlight)
        {
            inFlight.RemoveAll(t => t.IsCompleted);
            inFlight.Add(work);
        }
    }

    private void ReleaseSlots(int count)
    {
        if (count > 0)
        {
            slots.Release(count);
        }
    }

    private int TakeAllFreeSlots()
    {
        var taken = 0;
        while (slots.Wait(0))
        {
            taken++;
        }
        return taken;
    }

    private async Task DelayQuietlyAsync(TimeSpan delay, CancellationToken ct)
    {
        try
        {
            await Task.Delay(delay, time, ct);
        }
        catch (OperationCanceledException)
        {
            // Stopping.
        }
    }

    private static async Task<bool> WaitQuietlyAsync(PeriodicTimer timer, CancellationToken ct)
    {
        try
        {
            return await timer.WaitForNextTickAsync(ct);
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }
}
