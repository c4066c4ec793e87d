using Npgsql;
using TenantAtlas.BackupService.Capture;

namespace TenantAtlas.BackupService.Schedules;

/// <summary>The backup sets schedule runs make, and retention over them.</summary>
public sealed partial class ScheduleSets(NpgsqlDataSource dataSource, ILogger<ScheduleSets> logger)
{
    /// <summary>Creates the run's own set (its id is the run's), unless a redelivery already did.</summary>
    public async Task EnsureAsync(Guid setId, Guid workspaceId, Guid tenantId, Guid scheduleId, string displayName, string createdBy, CancellationToken ct)
    {
        await using var command = dataSource.CreateCommand("""
            INSERT INTO backup.backup_sets (id, workspace_id, tenant_id, display_name, created_by, created_at, status, coverage, schedule_id)
            VALUES (@id, @workspace_id, @tenant_id, @display_name, @created_by, now(), @status, '[]', @schedule_id)
            ON CONFLICT (id) DO NOTHING
            """);
        command.Parameters.AddWithValue("id", setId);
        command.Parameters.AddWithValue("workspace_id", workspaceId);
        command.Parameters.AddWithValue("tenant_id", tenantId);
        command.Parameters.AddWithValue("display_name", displayName.Length <= 200 ? displayName : displayName[..200]);
        command.Parameters.AddWithValue("created_by", createdBy);
        command.Parameters.AddWithValue("status", SetStatus.Empty);
        command.Parameters.AddWithValue("schedule_id", scheduleId);
        await command.ExecuteNonQueryAsync(ct);
    }

    /// <summary>
    /// True when the set lacks more than its failed items: a capture of it failed outright or was cancelled (failed,
    /// empty), or a list page was lost (incomplete) — what is missing then is not known item by item, only against a new listing.
    /// </summary>
    public async Task<bool> MissesUnlistedPoliciesAsync(Guid setId, CancellationToken ct)
    {
        await using var command = dataSource.CreateCommand("SELECT status FROM backup.backup_sets WHERE id = @set");
        command.Parameters.AddWithValue("set", setId);
        return await command.ExecuteScalarAsync(ct) is string status && status is SetStatus.Failed or SetStatus.Incomplete or SetStatus.Empty;
    }

    /// <summary>
    /// The policies a retry re-captures: the set's failed items, and those this run already took (a redelivered retry
    /// must do the same work again, not less).
    /// </summary>
    public async Task<IReadOnlyList<string>> FailedPolicyIdsAsync(Guid setId, Guid retryRunId, CancellationToken ct)
    {
        await using var command = dataSource.CreateCommand("""
            SELECT policy_id FROM backup.backup_items WHERE backup_set_id = @set AND (outcome = @failed OR run_id = @run) ORDER BY policy_id
            """);
        command.Parameters.AddWithValue("set", setId);
        command.Parameters.AddWithValue("failed", ItemOutcome.Failed);
        command.Parameters.AddWithValue("run", retryRunId);
        var ids = new List<string>();
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            ids.Add(reader.GetString(0));
        }
        return ids;
    }

    /// <summary>
    /// Deletes the schedule's sets past both limits (older than the newest <paramref name="keepLast"/> and, when
    /// <paramref name="keepDays"/> is set, older than that many days), oldest first, but never a set that holds the last
    /// captured copy of a policy; then the policy versions no item points at any more. Returns the sets deleted.
    /// </summary>
    public async Task<int> ApplyRetentionAsync(Guid scheduleId, int keepLast, int keepDays, CancellationToken ct)
    {
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        await using var transaction = await connection.BeginTransactionAsync(ct);
        // One retention at a time per schedule (two replicas finishing runs of the same schedule).
        await using (var lockCommand = new NpgsqlCommand("SELECT pg_advisory_xact_lock(hashtextextended(@key, 0))", connection, transaction))
        {
            lockCommand.Parameters.AddWithValue("key", $"backup-retention:{scheduleId}");
            await lockCommand.ExecuteNonQueryAsync(ct);
        }
        await using var delete = new NpgsqlCommand("""
            WITH candidates AS (
                SELECT id, tenant_id FROM (
                    SELECT id, tenant_id, created_at, row_number() OVER (ORDER BY created_at DESC, id DESC) AS rank
                    FROM backup.backup_sets WHERE schedule_id = @schedule AND status <> @capturing) ranked
                WHERE rank > @keep_last AND (@keep_days = 0 OR created_at < now() - make_interval(days => @keep_days))),
            deletable AS (
                SELECT c.id FROM candidates c
                WHERE NOT EXISTS (
                    SELECT 1 FROM backup.backup_items i
                    WHERE i.backup_set_id = c.id AND i.outcome = @captured
                      AND NOT EXISTS (
                        SELECT 1 FROM backup.backup_items j JOIN backup.backup_sets t ON t.id = j.backup_set_id
                        WHERE t.tenant_id = c.tenant_id AND j.family = i.family AND j.policy_id = i.policy_id
                          AND j.outcome = @captured AND t.id NOT IN (SELECT id FROM candidates))))
            DELETE FROM backup.backup_sets WHERE id IN (SELECT id FROM deletable)
            RETURNING tenant_id
            """, connection, transaction);
        delete.Parameters.AddWithValue("schedule", scheduleId);
        delete.Parameters.AddWithValue("capturing", SetStatus.Capturing);
        delete.Parameters.AddWithValue("keep_last", keepLast);
        delete.Parameters.AddWithValue("keep_days", keepDays);
        delete.Parameters.AddWithValue("captured", ItemOutcome.Captured);
        var tenants = new HashSet<Guid>();
        var deleted = 0;
        await using (var reader = await delete.ExecuteReaderAsync(ct))
        {
            while (await reader.ReadAsync(ct))
            {
                tenants.Add(reader.GetGuid(0));
                deleted++;
            }
        }
        foreach (var tenant in tenants)
        {
            await using var collect = new NpgsqlCommand("""
                DELETE FROM backup.policy_contents c WHERE c.tenant_id = @tenant AND NOT EXISTS (
                    SELECT 1 FROM backup.backup_items i JOIN backup.backup_sets s ON s.id = i.backup_set_id
                    WHERE s.tenant_id = c.tenant_id AND i.content_hash = c.content_hash)
                """, connection, transaction);
            collect.Parameters.AddWithValue("tenant", tenant);
            await collect.ExecuteNonQueryAsync(ct);
        }
        await transaction.CommitAsync(ct);
        if (deleted > 0)
        {
            LogRetention(logger, scheduleId, deleted);
        }
        return deleted;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Schedule {ScheduleId}: retention deleted {Deleted} backup sets")]
    private static partial void LogRetention(ILogger logger, Guid scheduleId, int deleted);
}
