using TenantAtlas.Contracts;
using TenantAtlas.RestoreService.Persistence;
using TenantAtlas.RestoreService.Restores;
using TenantAtlas.TenantGraph;
using TenantAtlas.Workers;

namespace TenantAtlas.RestoreService.Execution;

/// <summary>
/// restore.execute: writes the stored plan into the target tenant, item by item, journaling every step (INTUNE.md R2–R5;
/// the writes themselves: <see cref="ItemWriter"/>). A redelivered job — after a crash or a worker kill — resumes from the
/// journal and creates nothing twice. The restore's status and its adapter run's outcome follow from the items' results.
/// </summary>
public sealed partial class ExecuteHandler(
    RestoreStore store,
    TenantGraphClients graph,
    ItemWriter writer,
    SecretVault vault,
    ILogger<ExecuteHandler> logger) : IRunHandler
{
    public async Task HandleAsync(RunWorkContext run, CancellationToken cancellationToken)
    {
        var restoreId = RestoreRunContext.From(run.Context)
            ?? throw new RunFailureException("restore.context_missing", "The run's context names no restore_run_id.");
        // A cancel (CancelRun) lets the item being written finish and stops before the next one, so no write is cut off
        // mid-request; shutdown and the maximum duration still stop an item at once (its journal makes the next attempt
        // read back what it may have written).
        using var itemStop = new CancellationTokenSource();
        await using var stopItems = cancellationToken.Register(() =>
        {
            if (!run.CancelRequested)
            {
                itemStop.Cancel();
            }
        });
        var work = itemStop.Token;
        await StopIfCancelledAsync(run, restoreId, "before its execution began", cancellationToken);
        var status = await store.StartRunningAsync(restoreId, work);
        if (RestoreStatuses.IsEnded(status))
        {
            // Ended before this delivery (cancelled, or finished by an attempt whose completion was lost): the adapter
            // run takes the restore's outcome, with the counts of its items' results (this attempt counts from zero),
            // which are the counts that outcome was named from.
            var ended = await store.ItemsAsync(restoreId, CancellationToken.None);
            run.AddTotal(ended.Count);
            foreach (var item in ended)
            {
                Count(run, item.Result, item.FailureCode, item.FailureMessage, item);
            }
            run.FinalOutcome = RestoreStatuses.AdapterOutcome(status);
            vault.Forget(restoreId);
            return;
        }
        if (status != RestoreStatuses.Running)
        {
            throw new RunFailureException("restore.not_queued", $"The restore is {status.ToUpperInvariant()}, not queued: it was never executed.");
        }
        var restore = await store.FindAsync(restoreId, work);
        var items = await store.ItemsAsync(restoreId, work);
        run.AddTotal(items.Count);
        var execution = new Execution(restore, graph.For(restore.TargetEntraTenantId));
        execution.Claimed.UnionWith(items.Select(i => i.TargetPolicyId).OfType<string>());

        var tally = new ItemTally();
        foreach (var item in items)
        {
            await StopIfCancelledAsync(run, restoreId,
                $"after {tally.Processed} of {items.Count} items; the items after that were not attempted (see each item's result)", cancellationToken);
            var (result, code, message) = await writer.ExecuteAsync(execution, item, work);
            tally.Add(Count(run, result, code, message, item));
        }
        var failed = tally.Failed;
        // The suite's one outcome rule names the restore's status, so the adapter run's outcome always agrees with its counts.
        var final = RestoreStatuses.Of(RunOutcomes.FromCounts(tally.Succeeded, tally.Failed, tally.Skipped));
        await store.FinishAsync(restoreId, final, failed == 0 ? null : "restore.items_not_restored",
            failed == 0 ? null : $"{failed} of {items.Count} items were not restored; see their results.", CancellationToken.None);
        vault.Forget(restoreId);
        // Explicit, so a cancel that came during the last item does not turn a finished restore's run into a cancelled one.
        run.FinalOutcome = RestoreStatuses.AdapterOutcome(final);
    }

    /// <summary>Counts an item's result on the run: written = a success, unchanged or dry run = a skip, anything else a failure.</summary>
    private static ItemCount Count(RunWorkContext run, string result, string? code, string? message, RestoreItemEntity item)
    {
        switch (result)
        {
            case RestoreItemResults.Created or RestoreItemResults.Updated:
                run.Succeeded();
                return ItemCount.Succeeded;
            case RestoreItemResults.Unchanged or RestoreItemResults.DryRun:
                run.Skipped();
                return ItemCount.Skipped;
            case RestoreItemResults.Pending:
                // Not attempted (a cancelled restore stopped before it).
                return ItemCount.None;
            default:
                run.Failed(code ?? $"restore.{result}", message ?? result, $"{item.DisplayName} ({item.ItemId})");
                return ItemCount.Failed;
        }
    }

    private enum ItemCount { None, Succeeded, Skipped, Failed }

    private sealed class ItemTally
    {
        public long Succeeded { get; private set; }
        public long Skipped { get; private set; }
        public long Failed { get; private set; }
        public long Processed => Succeeded + Skipped + Failed;

        public void Add(ItemCount count)
        {
            switch (count)
            {
                case ItemCount.Succeeded: Succeeded++; break;
                case ItemCount.Skipped: Skipped++; break;
                case ItemCount.Failed: Failed++; break;
            }
        }
    }

    /// <summary>CancelRun asked the run to stop: the restore records it (seed 054: cancelled), and the handler stops here.</summary>
    private async Task StopIfCancelledAsync(RunWorkContext run, Guid restoreId, string when, CancellationToken cancellationToken)
    {
        if (!run.CancelRequested)
        {
            return;
        }
        await store.StopCancelledAsync(restoreId, $"Cancelled {when}.", CancellationToken.None);
        vault.Forget(restoreId);
        LogCancelled(logger, restoreId, when);
        cancellationToken.ThrowIfCancellationRequested();
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Restore {RestoreId} cancelled {When}")]
    private static partial void LogCancelled(ILogger logger, Guid restoreId, string when);
}
