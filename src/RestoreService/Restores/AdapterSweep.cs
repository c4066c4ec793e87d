using Grpc.Core;
using Microsoft.Extensions.Options;
using TenantAtlas.Runs.V1;

namespace TenantAtlas.RestoreService.Restores;

/// <summary>
/// Heals the adapter run after a crash. A status change that owes the adapter run a write (QUEUED owes its release,
/// CANCELLED its completion) records the debt in the same statement; the request pays it at once and clears it. A
/// process that died in between leaves the debt, and this sweep (every replica runs one; the writes are idempotent) pays
/// it, so the restore and its adapter run converge instead of diverging. And a restore whose execution run ended without
/// it (its handler threw, timed out or was given up) follows that run.
/// </summary>
public sealed partial class AdapterSweep(IServiceScopeFactory scopes, AdapterRuns adapters, IOptions<RestoreOptions> options, TimeProvider time,
    ILogger<AdapterSweep> logger) : BackgroundService
{
    private const int Batch = 100;

    /// <summary>Executing restores whose runs one sweep reads (the longest unchanged first).</summary>
    private const int ExecutingBatch = 500;

    public const string ExecutionEndedCode = "restore.execution_ended";

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
        return paid + await FollowEndedRunsAsync(store, ct);
    }

    /// <summary>
    /// The other direction: an execution run that ended while its restore is still QUEUED or RUNNING (the handler threw,
    /// passed its maximum duration, or was given up after its worker died again and again) — nothing else would move the
    /// restore, so it takes the run's outcome. How many restores followed their run.
    /// </summary>
    private async Task<int> FollowEndedRunsAsync(RestoreStore store, CancellationToken ct)
    {
        var followed = 0;
        foreach (var restore in await store.ExecutingAsync(ExecutingBatch, ct))
        {
            var run = await adapters.GetAsync(restore.ExecuteRunId!.Value, ct);
            if (run.Status != RunStatus.Completed)
            {
                continue;
            }
            var status = RestoreStatuses.Of(run.Outcome);
            var (code, message) = run.Outcome == RunOutcome.Cancelled
                ? ("restore.cancelled", "Cancelled (its execution run was cancelled); what was written stays written, see each item's result.")
                : (ExecutionEndedCode, $"The execution run ended {run.Outcome} before the restore finished" +
                    (run.Failures.Count > 0 ? $" ({run.Failures[0].Code}: {run.Failures[0].Message})" : "") +
                    ". What was written stays written (see each item's result); restore the rest again.");
            if (await store.FollowEndedRunAsync(restore.Id, restore.ExecuteRunId.Value, status, code, message, ct))
            {
                LogFollowed(logger, restore.Id, run.Outcome.ToString());
                followed++;
            }
        }
        return followed;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Adapter sweep failed; retrying at the next interval")]
    private static partial void LogSweepFailed(ILogger logger, Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Restore {RestoreId} followed its execution run, which ended {Outcome} without it")]
    private static partial void LogFollowed(ILogger logger, Guid restoreId, string outcome);

    [LoggerMessage(Level = LogLevel.Information, Message = "Restore {RestoreId}: the adapter run's owed '{Write}' was done by the sweep")]
    private static partial void LogHealed(ILogger logger, Guid restoreId, string write);
}
