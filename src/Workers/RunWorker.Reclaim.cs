using StackExchange.Redis;

namespace TenantAtlas.Workers;

/// <summary>Recovery: entries whose consumer died are claimed again (XAUTOCLAIM) and run here.</summary>
public sealed partial class RunWorker
{
    private async Task ReclaimLoopAsync(CancellationToken ct)
    {
        using var timer = new PeriodicTimer(settings.ReclaimInterval, time);
        while (await WaitQuietlyAsync(timer, ct))
        {
            try
            {
                await ReclaimOnceAsync(ct);
                var group = (await redis.GetDatabase().StreamGroupInfoAsync(Stream)).FirstOrDefault(g => g.Name == Group);
                WorkerTelemetry.RecordBacklog(group.PendingMessageCount, group.Lag);
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

    /// <summary>Claims entries idle past the timeout (their consumer is gone) and processes them, within free slots.</summary>
    private async Task ReclaimOnceAsync(CancellationToken ct)
    {
        var database = redis.GetDatabase();
        RedisValue cursor = "0-0";
        do
        {
            if (!await slots.WaitAsync(0, ct))
            {
                return;
            }
            var free = 1 + TakeAllFreeSlots();
            var started = 0;
            StreamAutoClaimResult claimed;
            try
            {
                claimed = await database.StreamAutoClaimAsync(Stream, Group, Consumer, (long)settings.ClaimIdleTimeout.TotalMilliseconds, cursor, free);
                foreach (var entry in claimed.ClaimedEntries)
                {
                    var pending = await database.StreamPendingMessagesAsync(Stream, Group, 1, Consumer, entry.Id, entry.Id);
                    Start(entry, pending.Length > 0 ? pending[0].DeliveryCount : settings.MaxDeliveries + 1);
                    started++;
                }
            }
            finally
            {
                ReleaseSlots(free - started);
            }
            cursor = claimed.NextStartId;
        }
        while (cursor != "0-0" && !ct.IsCancellationRequested);
    }
}
