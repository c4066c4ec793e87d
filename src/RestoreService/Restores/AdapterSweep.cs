using Grpc.Core;
using Microsoft.Extensions.Options;

namespace TenantAtlas.RestoreService.Restores;

/// <summary>
/// Heals the adapter run after a crash. A status change that owes the adapter run a write (QUEUED owes its release,
/// CANCELLED its completion) records the debt in the same statement; the request pays it at once and clears it. A
/// process that died in between leaves the debt, and this sweep (every replica runs one; the writes are idempotent) pays
/// it, so the restore and its adapter run converge instead of diverging.
/// </summary>
public sealed partial class AdapterSweep(IServiceScopeFactory scopes, AdapterRuns adapters, IOptions<RestoreOptions> options, TimeProvider time,
    ILogger<AdapterSweep> logger) : BackgroundService
{
    private const int Batch = 100;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await SweepAsync(stoppingToken);
            }
            catch (Exception e) when (!stoppingToken.IsCancellationRequested)
            {
                // RunsService or the database away for a moment: the debts are still there at the next look.
                LogSweepFailed(logger, e);
            }
            await Task.Delay(options.Value.AdapterSweepInterval, time, stoppingToken).ContinueWith(_ => { }, TaskScheduler.Default);
        }
    }

    /// <summary>Pays every adapter write owed for longer than the grace period; how many were paid.</summary>
    public async Task<int> SweepAsync(CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var store = scope.ServiceProvider.GetRequiredService<RestoreStore>();
        var paid = 0;
        foreach (var restore in await store.OwingAdapterWritesAsync(options.Value.AdapterSweepGrace, Batch, ct))
        {
            if (restore.ExecuteRunId is not { } runId)
            {
                await store.ClearAdapterPendingAsync(restore.Id, restore.AdapterPending!, ct);
                continue;
            }
            if (restore.AdapterPending == RestoreStore.AdapterRelease)
            {
                try
                {
                    await adapters.ReleaseAsync(runId, headers: null, ct);
                }
                catch (RpcException e) when (e.StatusCode == StatusCode.FailedPrecondition)
                {
                    // Completed meanwhile (cancelled with CancelRun): nothing to dispatch, and the restore follows its run.
                    await store.CancelForRunAsync(runId, ct);
                }
            }
            else
            {
                await adapters.CancelAsync(runId, ct);
            }
            await store.ClearAdapterPendingAsync(restore.Id, restore.AdapterPending!, ct);
            LogHealed(logger, restore.Id, restore.AdapterPending!);
            paid++;
        }
        return paid;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Adapter sweep failed; retrying at the next interval")]
    private static partial void LogSweepFailed(ILogger logger, Exception exception);

    [LoggerMessage(Level = LogLevel.Information, Message = "Restore {RestoreId}: the adapter run's owed '{Write}' was done by the sweep")]
    private static partial void LogHealed(ILogger logger, Guid restoreId, string write);
}
