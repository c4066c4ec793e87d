using Npgsql;
using static TenantAtlas.RunsService.Runs.RunRows;

namespace TenantAtlas.RunsService.Runs;

public sealed partial class RunStore
{
    // Clearing the hold and writing the outbox entry are one statement: a released run without its job cannot
    // exist. Only a queued held run is released; any other run is read back as it is (released = false).
    private static readonly string ReleaseSql = $"""
        WITH released AS (
            UPDATE {Table} SET dispatch_held = false, updated_at = now()
            WHERE id = @id AND dispatch_held AND status = 'queued'
            RETURNING *
        ), dispatched AS (
            INSERT INTO runs.run_dispatch_outbox (run_id, stream, trace_parent, created_at, deadline_at, next_attempt_at)
            SELECT id, @stream, @trace_parent, now(), now() + @dispatch_deadline, now() FROM released
        )
        SELECT {Columns}, true FROM released
        UNION ALL
        SELECT {Columns}, false FROM {Table} WHERE id = @id AND NOT EXISTS (SELECT 1 FROM released)
        """;

    /// <summary>
    /// Dispatches a held run: its outbox entry is written now, with a dispatch deadline counted from now (a person
    /// may have taken days to confirm). Null for an unknown run.
    /// </summary>
    public async Task<(RunRecord Run, bool Released)?> ReleaseAsync(Guid runId, string stream, string? traceParent, CancellationToken ct)
    {
        await using var command = dataSource.CreateCommand(ReleaseSql);
        command.Parameters.Add(Uuid("id", runId));
        command.Parameters.Add(Text("stream", stream));
        command.Parameters.Add(Text("trace_parent", traceParent));
        command.Parameters.Add(new NpgsqlParameter("dispatch_deadline", NpgsqlTypes.NpgsqlDbType.Interval) { Value = dispatch.Value.Deadline });
        await using var reader = await command.ExecuteReaderAsync(ct);
        if (!await reader.ReadAsync(ct))
        {
            return null;
        }
        var run = Read(reader);
        var released = reader.GetBoolean(ColumnCount);
        if (released)
        {
            dispatchSignal.RequestClaim(); // its outbox row has committed and is due now
            changes.Publish(run);
        }
        return (run, released);
    }
}
