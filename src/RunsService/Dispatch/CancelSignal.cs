using StackExchange.Redis;
using TenantAtlas.Contracts;

namespace TenantAtlas.RunsService.Dispatch;

/// <summary>
/// Tells the workers of a run's service that CancelRun asked the run to stop (or completed it, when it was queued). Best effort and fire-and-forget: the
/// request is already stored (cancel_requested), and a worker that misses the message reads it at its next heartbeat.
/// </summary>
public sealed partial class CancelSignal(IConnectionMultiplexer redis, ILogger<CancelSignal> logger)
{
    public async Task PublishAsync(string stream, Guid runId)
    {
        try
        {
            await redis.GetSubscriber().PublishAsync(RedisChannel.Literal(RunJobs.CancelChannelOf(stream)), runId.ToString(), CommandFlags.FireAndForget);
        }
        catch (Exception e) when (e is RedisException or TimeoutException)
        {
            LogSignalLost(logger, e, runId);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "The cancel of run {RunId} could not be signalled to its workers; they read it at their next heartbeat")]
    private static partial void LogSignalLost(ILogger logger, Exception exception, Guid runId);
}
