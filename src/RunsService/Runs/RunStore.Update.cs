using System.Text.Json;
using Npgsql;
using static TenantAtlas.RunsService.Runs.RunRows;

namespace TenantAtlas.RunsService.Runs;

public sealed partial class RunStore
{
    // One guarded compare-and-set: the WHERE clause is RunStateMachine in SQL (completed runs never change; an explicit
    // outcome must agree with the counts, RunStateMachine.OutcomeAgrees), the outcome CASE is
    // RunStateMachine.CompletionOutcome, the SET clause applies counts, failures and timestamps, and the completed
    // notification is written by the same statement. Concurrent increments serialize on the row lock.
    // RunStateMachineParityTests holds the SQL and the C# rule to the same answers.
    private static readonly string UpdateSql = $"""
        WITH updated AS (
            UPDATE {Table} AS r SET
                count_total = COALESCE(@set_total, r.count_total) + @inc_total,
                count_processed = COALESCE(@set_processed, r.count_processed) + @inc_processed,
                count_succeeded = COALESCE(@set_succeeded, r.count_succeeded) + @inc_succeeded,
                count_failed = COALESCE(@set_failed, r.count_failed) + @inc_failed,
                count_skipped = COALESCE(@set_skipped, r.count_skipped) + @inc_skipped,
                status = COALESCE(@to_status, r.status),
                outcome = CASE WHEN @to_status = 'completed' THEN COALESCE(@outcome,
                    CASE WHEN {NewFailed} > 0 AND {NewSucceeded} > 0 THEN 'partially_succeeded'
                         WHEN {NewFailed} > 0 THEN 'failed'
                         ELSE 'succeeded' END)
                    ELSE r.outcome END,
                failures = CASE WHEN @failure_count = 0 THEN r.failures
                    ELSE jsonb_path_query_array(r.failures || @failures, '$[0 to {MaxStoredFailures - 1}]') END,
                failures_dropped = r.failures_dropped + GREATEST(0, jsonb_array_length(r.failures) + @failure_count - {MaxStoredFailures}),
                started_at = CASE WHEN @to_status = 'running' AND r.status = 'queued' THEN now() ELSE r.started_at END,
                completed_at = CASE WHEN @to_status = 'completed' THEN now() ELSE r.completed_at END,
                attempt_id = CASE WHEN @to_status = 'running' AND @attempt IS NOT NULL THEN @attempt ELSE r.attempt_id END,
                dispatch_held = r.dispatch_held AND @to_status IS DISTINCT FROM 'completed',
                updated_at = now()
            WHERE r.id = @id
              AND r.status <> 'completed'
              AND NOT (r.dispatch_held AND @to_status = 'running')
              AND (@attempt IS NULL OR @to_status = 'running' OR r.attempt_id IS NULL OR r.attempt_id = @attempt)
              AND (@outcome IS NULL
                   OR @outcome IN ('failed', 'cancelled')
                   OR (@outcome = 'succeeded' AND {NewFailed} = 0)
                   OR (@outcome = 'partially_succeeded' AND {NewFailed} > 0 AND {NewSucceeded} > 0))
            RETURNING r.*
        ), notified AS (
            {NotifyCompleted("updated")}
        )
        SELECT {Columns} FROM updated
        """;

    /// <summary>The initiator's completed notification for the runs that a statement's CTE <paramref name="cte"/> completed.</summary>
    private static string NotifyCompleted(string cte) => $"""
        INSERT INTO runs.run_notifications (recipient_subject, run_id, workspace_id, tenant_id, run_type, kind, outcome, title, created_at)
            SELECT initiator_subject, id, workspace_id, tenant_id, type, '{NotificationKindName.RunCompleted}', outcome,
                   type || ' completed: ' || replace(outcome, '_', ' '), updated_at
            FROM {cte} WHERE status = 'completed' AND initiator_subject IS NOT NULL
        """;

    private const string NewFailed = "(COALESCE(@set_failed, r.count_failed) + @inc_failed)";
    private const string NewSucceeded = "(COALESCE(@set_succeeded, r.count_succeeded) + @inc_succeeded)";

    /// <summary>
    /// Applies an update atomically. Throws <see cref="NotFoundException"/> for an unknown run and
    /// <see cref="FailedPreconditionException"/> (naming the current status) when the state machine forbids it.
    /// </summary>
    public async Task<RunRecord> UpdateAsync(RunUpdate update, CancellationToken ct)
    {
        var command = new NpgsqlBatchCommand(UpdateSql);
        await using (var batch = Persistence.RelaxedCommit.Batch(dataSource, command, relaxed: update.LossIsHarmless))
        {
            var p = command.Parameters;
            p.Add(Uuid("id", update.RunId));
            p.Add(Text("to_status", update.ToStatus?.Value));
            p.Add(Text("outcome", update.Outcome?.Value));
            p.Add(Bigint("set_total", update.SetCounts.Total));
            p.Add(Bigint("set_processed", update.SetCounts.Processed));
            p.Add(Bigint("set_succeeded", update.SetCounts.Succeeded));
            p.Add(Bigint("set_failed", update.SetCounts.Failed));
            p.Add(Bigint("set_skipped", update.SetCounts.Skipped));
            p.Add(Bigint("inc_total", update.IncrementCounts.Total));
            p.Add(Bigint("inc_processed", update.IncrementCounts.Processed));
            p.Add(Bigint("inc_succeeded", update.IncrementCounts.Succeeded));
            p.Add(Bigint("inc_failed", update.IncrementCounts.Failed));
            p.Add(Bigint("inc_skipped", update.IncrementCounts.Skipped));
            p.Add(Bigint("failure_count", update.Failures.Count));
            p.Add(Jsonb("failures", JsonSerializer.Serialize(update.Failures, Json)));
            p.Add(Uuid("attempt", update.AttemptId));
            RunRecord? updated;
            await using (var reader = await Persistence.RelaxedCommit.ExecuteReaderAsync(batch, ct))
            {
                updated = await reader.ReadAsync(ct) ? Read(reader) : null;
            }
            if (updated is not null)
            {
                changes.Publish(updated);
                return updated;
            }
        }
        throw await ExplainRejectedUpdateAsync(update, ct);
    }

    // Rare path: say precisely why nothing was updated, in the state machine's words.
    private async Task<Exception> ExplainRejectedUpdateAsync(RunUpdate update, CancellationToken ct)
    {
        var current = await FindAsync(update.RunId, ct);
        if (current is null)
        {
            return new NotFoundException($"Run {update.RunId} was not found.");
        }
        if (update.AttemptId is { } attempt && update.ToStatus != RunStatusName.Running && !current.Status.IsTerminal
            && await CurrentAttemptAsync(update.RunId, ct) is { } holder && holder != attempt)
        {
            return new AbortedException($"Run {current.Id} is being worked on by a newer attempt ({holder}); attempt {attempt} must stop and report nothing more.");
        }
        if (current.DispatchHeld && update.ToStatus == RunStatusName.Running)
        {
            return new FailedPreconditionException(
                $"Run {current.Id} is held (created with hold_dispatch) and has no job yet, so no worker can be running it; ReleaseRun dispatches it.");
        }
        var succeeded = (update.SetCounts.Succeeded ?? current.Counts.Succeeded) + update.IncrementCounts.Succeeded;
        var failed = (update.SetCounts.Failed ?? current.Counts.Failed) + update.IncrementCounts.Failed;
        var skipped = (update.SetCounts.Skipped ?? current.Counts.Skipped) + update.IncrementCounts.Skipped;
        var refusal = RunStateMachine.Refusal(current.Status, current.Outcome, update.ToStatus, update.Outcome, succeeded, failed, skipped)
            // Changed between the update and this read (e.g. completed meanwhile): say what it is now.
            ?? $"it changed while it was being updated; read it again. Current status: {current.Status}.";
        return new FailedPreconditionException($"Run {current.Id}: {refusal}");
    }

    private async Task<Guid?> CurrentAttemptAsync(Guid runId, CancellationToken ct)
    {
        await using var command = dataSource.CreateCommand($"SELECT attempt_id FROM {Table} WHERE id = @id");
        command.Parameters.Add(Uuid("id", runId));
        return await command.ExecuteScalarAsync(ct) is Guid attempt ? attempt : null;
    }
}
