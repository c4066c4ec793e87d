using static TenantAtlas.RunsService.Runs.RunRows;

namespace TenantAtlas.RunsService.Runs;

public sealed partial class RunStore
{
    // One statement, so a cancel is whole or nothing: a queued run is completed cancelled (its undelivered outbox entry
    // dropped and its initiator notified, as UpdateRun's completion does); a running run only records the request, and
    // its worker completes it. A run already completed, or already asked to cancel, is read back as it is.
    private static readonly string CancelSql = $"""
        WITH cancelled AS (
            UPDATE {Table} AS r SET
                status = CASE WHEN r.status = 'queued' THEN 'completed' ELSE r.status END,
                outcome = CASE WHEN r.status = 'queued' THEN 'cancelled' ELSE r.outcome END,
                completed_at = CASE WHEN r.status = 'queued' THEN now() ELSE r.completed_at END,
                dispatch_held = false,
                cancel_requested_at = now(),
                cancel_requested_by_subject = @by_subject,
                cancel_requested_by_name = @by_name,
                updated_at = now()
            WHERE r.id = @id AND r.status <> 'completed' AND r.cancel_requested_at IS NULL
            RETURNING r.*
        ), undispatched AS (
            DELETE FROM runs.run_dispatch_outbox o USING cancelled c WHERE o.run_id = c.id AND c.status = 'completed'
        ), notified AS (
            {NotifyCompleted("cancelled")}
        )
        SELECT {Columns}, true FROM cancelled
        UNION ALL
        SELECT {Columns}, false FROM {Table} WHERE id = @id AND NOT EXISTS (SELECT 1 FROM cancelled)
        """;

    /// <summary>
    /// Asks a run to stop: a queued run is completed cancelled now, a running run gets its cancel request recorded.
    /// Requested is false when the run was completed, or asked to cancel, before; null for an unknown run.
    /// </summary>
    public async Task<(RunRecord Run, bool Requested)?> CancelAsync(Guid runId, string? bySubject, string byName, CancellationToken ct)
    {
        await using var command = dataSource.CreateCommand(CancelSql);
        command.Parameters.Add(Uuid("id", runId));
        command.Parameters.Add(Text("by_subject", bySubject));
        command.Parameters.Add(Text("by_name", byName));
        await using var reader = await command.ExecuteReaderAsync(ct);
        if (!await reader.ReadAsync(ct))
        {
            return null;
        }
        var run = Read(reader);
        var requested = reader.GetBoolean(ColumnCount);
        if (requested)
        {
            changes.Publish(run);
        }
        return (run, requested);
    }
}
