using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using StackExchange.Redis;
using TenantAtlas.Contracts;

namespace TenantAtlas.Workers;

/// <summary>
/// One consumer of the service's stream: reads new entries (XREADGROUP) up to its concurrency, reclaims entries
/// whose consumer stopped heart-beating (XAUTOCLAIM), and hands each to <see cref="RunJobProcessor"/>. Woken by
/// the relay's message on the wake channel; polls with a short back-off otherwise. On shutdown it lets in-flight
/// runs finish for <see cref="RunWorkerOptions.ShutdownGrace"/>, then releases them.
/// </summary>
public sealed partial class RunWorker(
    IConnectionMultiplexer redis,
    RunJobProcessor processor,
    IOptions<RunWorkerOptions> options,
    ILogger<RunWorker> logger) : IHostedService, IAsyncDisposable
{
    private readonly RunWorkerOptions settings = options.Value;
    private readonly SemaphoreSlim slots = new(options.Value.MaxConcurrency, options.Value.MaxConcurrency);
    private readonly SemaphoreSlim wake = new(0, 1);
    private readonly CancellationTokenSource stopReading = new();
    private readonly CancellationTokenSource stopWork = new();
    private readonly List<Task> inFlight = [];
    private Task? readLoop;
    private Task? reclaimLoop;
    private int disposed;

    /// <summary>This process's consumer name in the group.</summary>
    public string Consumer { get; } = $"{Environment.MachineName}-{Environment.ProcessId}-{Guid.NewGuid():N}";

    private string Stream => RunJobs.StreamOf(settings.Service);

    private string Group => settings.Service;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        await EnsureGroupAsync();
        await redis.GetSubscriber().SubscribeAsync(RedisChannel.Literal(RunJobs.WakeChannelOf(Stream)), (_, _) => Wake());
        readLoop = Task.Run(() => ReadLoopAsync(stopReading.Token), CancellationToken.None);
        reclaimLoop = Task.Run(() => ReclaimLoopAsync(stopReading.Token), CancellationToken.None);
        LogStarted(logger, Consumer, Stream, settings.MaxConcurrency);
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        // A host torn down out of order may dispose the worker before stopping it: then there is nothing to stop.
        if (Volatile.Read(ref disposed) == 1)
        {
            return;
        }
        try
        {
            await stopReading.CancelAsync();
        }
        catch (ObjectDisposedException)
        {
            return; // disposed while we got here
        }
        await Task.WhenAll(readLoop ?? Task.CompletedTask, reclaimLoop ?? Task.CompletedTask);
        Task[] running;
        lock (inFlight)
        {
            running = [.. inFlight];
        }
        // Let in-flight runs finish, within the grace period and the host's own shutdown timeout.
        var finished = await Task.WhenAll(running).WaitAsync(settings.ShutdownGrace, cancellationToken)
            .ContinueWith(t => t.IsCompletedSuccessfully, TaskScheduler.Default);
        if (!finished)
        {
            var unfinished = running.Count(t => !t.IsCompleted);
            await stopWork.CancelAsync();
            await Task.WhenAll(running).ContinueWith(_ => { }, TaskScheduler.Default);
            LogReleasedOnShutdown(logger, unfinished);
        }
    }

    public async ValueTask DisposeAsync()
    {
        // The host may dispose the worker more than once (as a hosted service and as a singleton).
        if (Interlocked.Exchange(ref disposed, 1) == 1)
        {
            return;
        }
        await stopReading.CancelAsync();
        await stopWork.CancelAsync();
        stopReading.Dispose();
        stopWork.Dispose();
        slots.Dispose();
        wake.Dispose();
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
            catch (RedisException e)
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

    private void Wake()
    {
        try
        {
            if (wake.CurrentCount == 0)
            {
                wake.Release();
            }
        }
        catch (Exception e) when (e is SemaphoreFullException or ObjectDisposedException)
        {
            // Already awake, or stopped.
        }
    }

    private static async Task DelayQuietlyAsync(TimeSpan delay, CancellationToken ct)
    {
        try
        {
            await Task.Delay(delay, ct);
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
