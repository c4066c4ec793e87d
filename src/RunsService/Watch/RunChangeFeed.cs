using Google.Protobuf;
using StackExchange.Redis;
using TenantAtlas.RunsService.Grpc;
using TenantAtlas.RunsService.Runs;

namespace TenantAtlas.RunsService.Watch;

/// <summary>
/// Announces every committed change of a run to the watchers of all RunsService replicas: the run as it is after the
/// change (the proto <c>Run</c>, so no replica reads the database to pass it on) on one Redis pub/sub channel.
/// <see cref="RunStore"/> calls it after each write that changed a run (never inside one: a change is announced only once
/// it is visible). Fire-and-forget: a lost message costs a watcher its next access re-check (WatchRun re-reads the run).
/// </summary>
public sealed partial class RunChangeFeed(IConnectionMultiplexer redis, ILogger<RunChangeFeed> logger)
{
    /// <summary>The channel a replica's <see cref="RunWatchHub"/> subscribes to while it has watchers.</summary>
    public static readonly RedisChannel Channel = RedisChannel.Literal("runs:changes");

    /// <summary>Announces <paramref name="run"/> as it is after a committed change. Never throws, never waits.</summary>
    public void Publish(RunRecord run)
    {
        try
        {
            redis.GetSubscriber().Publish(Channel, run.ToProto().ToByteArray(), CommandFlags.FireAndForget);
        }
        catch (Exception e) when (e is RedisException or TimeoutException or ObjectDisposedException)
        {
            RunTelemetry.WatchPublishFailed();
            LogPublishFailed(logger, e, run.Id);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "The change of run {RunId} could not be announced to watchers; they see it at their next re-check")]
    private static partial void LogPublishFailed(ILogger logger, Exception exception, Guid runId);
}
