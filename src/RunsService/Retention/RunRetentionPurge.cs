using System.Diagnostics;
using Microsoft.Extensions.Options;
using Npgsql;
using static TenantAtlas.RunsService.Runs.RunRows;

namespace TenantAtlas.RunsService.Retention;

/// <summary>What one purge pass did.</summary>
public sealed record PurgeSummary(int Workspaces, long Purged, long Tombstoned, TimeSpan Duration);

/// <summary>
/// Deletes completed runs older than their workspace's retention (by completed_at), with their notifications and
/// outbox rows (ON DELETE CASCADE). Queued and running runs are never touched, however old. Every replica may run it:
/// each batch locks its rows with <c>FOR UPDATE SKIP LOCKED</c>, so replicas split the work instead of queueing
/// behind each other. The identity of a purged ONCE or PER_CLICK run is kept as a tombstone written by the same
/// statement as the delete, so EnsureRun still refuses to do that work a second time.
/// </summary>
public sealed partial class RunRetentionPurge(
    NpgsqlDataSource dataSource,
    IOptions<RunRetentionOptions> options,
    ILogger<RunRetentionPurge> logger) : BackgroundService
{
    // Workspaces with at least one run due: one probe of the retention index per workspace.
    private const string DueWorkspacesSql = """
        SELECT w.id FROM runs.workspaces w
        WHERE EXISTS (SELECT 1 FROM runs.operation_runs r
                      WHERE r.workspace_id = w.id AND r.status = 'completed'
                        AND r.completed_at < now() - make_interval(days => w.run_retention_days))
        """;

    // One batch, oldest first along ix_operation_runs_retention. The retention is read in the statement, so a change an
    // owner makes during a pass applies to the next batch. Tombstones: ON CONFLICT DO NOTHING covers a replayed batch.
    private const string PurgeBatchSql = """
        WITH due AS (
            SELECT r.id FROM runs.operation_runs r
            WHERE r.workspace_id = @workspace_id AND r.status = 'completed'
              AND r.completed_at < now() - make_interval(days => (SELECT run_retention_days FROM runs.workspaces WHERE id = @workspace_id))
            ORDER BY r.completed_at
            LIMIT @batch
            FOR UPDATE SKIP LOCKED
        ), purged AS (
            DELETE FROM runs.operation_runs r USING due WHERE r.id = due.id AND r.status = 'completed'
            RETURNING r.id, r.workspace_id, r.tenant_id, r.run_identity_hash, r.type, r.completed_at, r.identity_policy
        ), tombstoned AS (
            INSERT INTO runs.run_identity_tombstones (workspace_id, tenant_id, run_identity_hash, run_id, type, completed_at, purged_at)
            SELECT workspace_id, tenant_id, run_identity_hash, id, type, completed_at, now()
            FROM purged WHERE identity_policy IN ('once', 'per_click')
            ON CONFLICT DO NOTHING
            RETURNING 1
        )
        SELECT (SELECT count(*) FROM purged), (SELECT count(*) FROM tombstoned)
        """;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!options.Value.Enabled)
        {
            return;
        }
        using var timer = new PeriodicTimer(options.Value.Interval);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try
            {
                await PurgeOnceAsync(stoppingToken);
            }
            catch (Exception e) when (!stoppingToken.IsCancellationRequested)
            {
                // PostgreSQL away for a moment: whatever was due is still due at the next pass.
                LogPurgeFailed(logger, e);
            }
        }
    }

    /// <summary>One pass: every workspace's due runs, batch by batch, until none is left (or another replica holds them).</summary>
    public async Task<PurgeSummary> PurgeOnceAsync(CancellationToken ct)
    {
        var started = Stopwatch.GetTimestamp();
        var workspaces = await DueWorkspacesAsync(ct);
        long purged = 0, tombstoned = 0;
        foreach (var workspaceId in workspaces)
        {
            while (true)
            {
                var (batch, stones) = await PurgeBatchAsync(workspaceId, ct);
                purged += batch;
                tombstoned += stones;
                if (batch < options.Value.BatchSize)
                {
                    break; // the rest, if any, is locked by another replica's batch
                }
            }
        }
        var summary = new PurgeSummary(workspaces.Count, purged, tombstoned, Stopwatch.GetElapsedTime(started));
        LogPass(logger, summary.Workspaces, summary.Purged, summary.Tombstoned, summary.Duration.TotalMilliseconds);
        return summary;
    }

    private async Task<List<Guid>> DueWorkspacesAsync(CancellationToken ct)
    {
        await using var command = dataSource.CreateCommand(DueWorkspacesSql);
        await using var reader = await command.ExecuteReaderAsync(ct);
        var ids = new List<Guid>();
        while (await reader.ReadAsync(ct))
        {
            ids.Add(reader.GetGuid(0));
        }
        return ids;
    }

    private async Task<(long Purged, long Tombstoned)> PurgeBatchAsync(Guid workspaceId, CancellationToken ct)
    {
        var started = Stopwatch.GetTimestamp();
        await using var command = dataSource.CreateCommand(PurgeBatchSql);
        command.Parameters.Add(Uuid("workspace_id", workspaceId));
        command.Parameters.AddWithValue("batch", options.Value.BatchSize);
        await using var reader = await command.ExecuteReaderAsync(ct);
        await reader.ReadAsync(ct);
        var (purged, tombstoned) = (reader.GetInt64(0), reader.GetInt64(1));
        RetentionTelemetry.BatchDuration.Record(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
        RetentionTelemetry.Purged.Add(purged);
        RetentionTelemetry.Tombstoned.Add(tombstoned);
        return (purged, tombstoned);
    }

    [LoggerMessage(Level = LogLevel.Information,
        Message = "Retention pass: {Purged} completed runs purged in {Workspaces} workspaces, {Tombstoned} identities tombstoned, in {DurationMs:F0} ms")]
    private static partial void LogPass(ILogger logger, int workspaces, long purged, long tombstoned, double durationMs);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Retention pass failed; retrying at the next pass")]
    private static partial void LogPurgeFailed(ILogger logger, Exception exception);
}
