using Npgsql;

namespace TenantAtlas.RunsService.Persistence;

/// <summary>
/// Statements whose loss in a database crash is harmless commit without waiting for their WAL flush
/// (<c>synchronous_commit = off</c> for that one transaction): PostgreSQL writes them within a few hundred milliseconds
/// anyway, and a later durable commit flushes them first. Which statements qualify, and why, is listed in
/// docs/contract.md ("Durability"); everything else keeps the server's synchronous commit.
/// </summary>
public static class RelaxedCommit
{
    private const string RelaxSql = "SELECT set_config('synchronous_commit', 'off', true)";

    /// <summary>
    /// A batch of <paramref name="command"/>, preceded by the setting when <paramref name="relaxed"/>. The batch is one
    /// implicit transaction (one Sync, one round trip), so the setting applies to this commit only. Read the command's
    /// rows with <see cref="ExecuteReaderAsync"/>.
    /// </summary>
    public static NpgsqlBatch Batch(NpgsqlDataSource dataSource, NpgsqlBatchCommand command, bool relaxed = true)
    {
        var batch = dataSource.CreateBatch();
        if (relaxed)
        {
            batch.BatchCommands.Add(new NpgsqlBatchCommand(RelaxSql));
        }
        batch.BatchCommands.Add(command);
        return batch;
    }

    /// <summary>Opens the batch's reader on its last command's result (past the setting's row).</summary>
    public static async Task<NpgsqlDataReader> ExecuteReaderAsync(NpgsqlBatch batch, CancellationToken ct)
    {
        var reader = await batch.ExecuteReaderAsync(ct);
        if (batch.BatchCommands.Count > 1)
        {
            await reader.NextResultAsync(ct);
        }
        return reader;
    }
}
