using TenantAtlas.Workers;

namespace TenantAtlas.RestoreService.Restores;

/// <summary>
/// CancelRun on a restore's run that no handler holds (RunsService completed it at once: a held or queued execution run,
/// a queued preview run): the restore, which has written nothing yet, is cancelled with it (seed 054's mapping). A
/// running execution is stopped by its handler instead, between items. Every RestoreService replica hears the message;
/// the guarded update makes all but one a no-op.
/// </summary>
public sealed partial class RunCancelObserver(RestoreStore store, ILogger<RunCancelObserver> logger) : IRunCancelObserver
{
    public async Task CancelRequestedAsync(Guid runId, CancellationToken cancellationToken)
    {
        if (await store.CancelForRunAsync(runId, cancellationToken))
        {
            LogCancelled(logger, runId);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Run {RunId} was cancelled before it ran: its restore is cancelled")]
    private static partial void LogCancelled(ILogger logger, Guid runId);
}
