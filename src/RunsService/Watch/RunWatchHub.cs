using System.Collections.Concurrent;
using StackExchange.Redis;
using TenantAtlas.Runs.V1;
using TenantAtlas.RunsService.Runs;

namespace TenantAtlas.RunsService.Watch;

/// <summary>
/// The in-process fan-out of run changes to WatchRun / WatchRuns streams: ONE subscription to <see cref="RunChangeFeed"/>'s
/// channel per replica, however many watchers it serves; each change goes to the watchers of its run and of its workspace.
/// </summary>
public sealed partial class RunWatchHub(IConnectionMultiplexer redis, ILogger<RunWatchHub> logger) : BackgroundService
{
    private readonly ConcurrentDictionary<string, ConcurrentDictionary<RunWatcher, byte>> byRun = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, ConcurrentDictionary<RunWatcher, byte>> byWorkspace = new(StringComparer.Ordinal);
    private int watchers;

    /// <summary>Open streams on this replica.</summary>
    public int Watchers => Volatile.Read(ref watchers);

    /// <summary>True once the replica's subscription is in place.</summary>
    public bool Subscribed { get; private set; }

    /// <summary>A watcher of one run (WatchRun). Register before reading the run, so no change falls in between.</summary>
    public RunWatcher WatchRun(Guid runId) => Register(byRun, runId.ToString(), _ => true);

    /// <summary>A watcher of a workspace's runs that <paramref name="wants"/> (WatchRuns' visibility and filters).</summary>
    public RunWatcher WatchWorkspace(Guid workspaceId, Func<Run, bool> wants) => Register(byWorkspace, workspaceId.ToString(), wants);

    private RunWatcher Register(ConcurrentDictionary<string, ConcurrentDictionary<RunWatcher, byte>> index, string key, Func<Run, bool> wants)
    {
        RunWatcher? watcher = null;
        watcher = new RunWatcher(wants, w =>
        {
            if (index.TryGetValue(key, out var set) && set.TryRemove(w, out _))
            {
                Interlocked.Decrement(ref watchers);
                RunTelemetry.WatchersChanged(-1);
            }
        });
        index.GetOrAdd(key, _ => new ConcurrentDictionary<RunWatcher, byte>()).TryAdd(watcher, 0);
        Interlocked.Increment(ref watchers);
        RunTelemetry.WatchersChanged(1);
        return watcher;
    }

    /// <summary>Hands a changed run to the watchers of its run and of its workspace.</summary>
    public void Deliver(Run run)
    {
        Offer(byRun, run.RunId, run);
        Offer(byWorkspace, run.WorkspaceId, run);
    }

    private static void Offer(ConcurrentDictionary<string, ConcurrentDictionary<RunWatcher, byte>> index, string key, Run run)
    {
        if (!index.TryGetValue(key, out var set))
        {
            return;
        }
        foreach (var watcher in set.Keys)
        {
            if (watcher.Wants(run))
            {
                watcher.Offer(run);
            }
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // Redis may be away when the service starts; StackExchange.Redis restores the subscription after a reconnect.
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await redis.GetSubscriber().SubscribeAsync(RunChangeFeed.Channel, (_, message) => OnMessage(message));
                Subscribed = true;
                return;
            }
            catch (Exception e) when (e is RedisException or TimeoutException)
            {
                LogSubscribeFailed(logger, e);
                await Task.Delay(TimeSpan.FromSeconds(1), stoppingToken).ContinueWith(_ => { }, TaskScheduler.Default);
            }
        }
    }

    private void OnMessage(RedisValue message)
    {
        if (Watchers == 0)
        {
            return; // every change of every run comes by: with nobody watching here, not even parsed
        }
        Run run;
        try
        {
            run = Run.Parser.ParseFrom((byte[])message!);
        }
        catch (Google.Protobuf.InvalidProtocolBufferException e)
        {
            LogUnreadable(logger, e);
            return;
        }
        Deliver(run);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Subscribing to run changes failed; retrying")]
    private static partial void LogSubscribeFailed(ILogger logger, Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "An unreadable run change was ignored")]
    private static partial void LogUnreadable(ILogger logger, Exception exception);
}
