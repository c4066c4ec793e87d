using Npgsql;
using TenantAtlas.RunsService.Runs;
using TenantAtlas.ServiceDefaults;

namespace TenantAtlas.RunsService.Dispatch;

/// <summary>
/// Completes runs whose job could not reach Redis before its deadline as failed with
/// <c>queue.dispatch_failed</c> (the initiator is notified by the completion), and drops their outbox rows.
/// Needs only PostgreSQL, so it works precisely when Redis does not.
/// </summary>
public sealed partial class DispatchExpiry(NpgsqlDataSource dataSource, IServiceScopeFactory scopes, ILogger<DispatchExpiry> logger)
{
    public const string FailureCode = "queue.dispatch_failed";

    private static readonly Caller Relay = new("svc:runs-dispatch", "RunsService dispatch", IsService: true);

    public async Task ExpireOverdueAsync(CancellationToken ct)
    {
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        await using var transaction = await connection.BeginTransactionAsync(ct);
        var overdue = new List<(long Id, Guid RunId, string Stream, string? LastError)>();
        await using (var claim = new NpgsqlCommand("""
            SELECT id, run_id, stream, last_error FROM runs.run_dispatch_outbox
            WHERE deadline_at <= now() ORDER BY id LIMIT 100 FOR UPDATE SKIP LOCKED
            """, connection, transaction))
        {
            await using var reader = await claim.ExecuteReaderAsync(ct);
            while (await reader.ReadAsync(ct))
            {
                overdue.Add((reader.GetInt64(0), reader.GetGuid(1), reader.GetString(2), reader.IsDBNull(3) ? null : reader.GetString(3)));
            }
        }
        if (overdue.Count == 0)
        {
            return;
        }

        await using (var scope = scopes.CreateAsyncScope())
        {
            var runs = scope.ServiceProvider.GetRequiredService<OperationRunService>();
            foreach (var (_, runId, stream, lastError) in overdue)
            {
                var message = $"The job could not be handed to the workers' queue ({stream}) in time" +
                    (lastError is null ? "." : $": {lastError}.") + " Nothing was done; start the operation again.";
                try
                {
                    await runs.UpdateAsync(Relay, new RunUpdate(runId, RunStatusName.Completed, RunOutcomeName.Failed,
                        default, default, [new RunFailure(FailureCode, message, null)]), ct);
                    LogDispatchFailed(logger, runId, stream);
                }
                catch (FailedPreconditionException)
                {
                    // Already completed by someone else (e.g. cancelled): nothing to fail.
                }
            }
        }

        await using (var delete = new NpgsqlCommand("DELETE FROM runs.run_dispatch_outbox WHERE id = ANY(@ids)", connection, transaction))
        {
            delete.Parameters.AddWithValue("ids", overdue.Select(o => o.Id).ToArray());
            await delete.ExecuteNonQueryAsync(ct);
        }
        await transaction.CommitAsync(ct);
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Run {RunId} failed: its job could not reach {Stream} before the dispatch deadline")]
    private static partial void LogDispatchFailed(ILogger logger, Guid runId, string stream);
}
