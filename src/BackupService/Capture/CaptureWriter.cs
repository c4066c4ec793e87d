using TenantAtlas.TenantGraph;
using System.Text.Encodings.Web;
using System.Text.Json;
using Npgsql;
using NpgsqlTypes;

namespace TenantAtlas.BackupService.Capture;

/// <summary>
/// Stores a capture: content by hash (a version already stored is not stored again), item rows upserted by
/// (set, family, policy) so a redelivered run writes the same rows, and the set's status and coverage.
/// </summary>
public sealed class CaptureWriter(NpgsqlDataSource dataSource)
{
    /// <summary>Stored JSON keeps non-ASCII text as Graph sent it, instead of \u escapes.</summary>
    public static readonly JsonSerializerOptions StoredJson = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    private const string InsertContentSql = """
        INSERT INTO backup.policy_contents (tenant_id, content_hash, family, policy_id, content, first_run_id, created_at)
        VALUES (@tenant_id, @content_hash, @family, @policy_id, @content, @run_id, now())
        ON CONFLICT (tenant_id, content_hash) DO NOTHING
        """;

    // A failed capture keeps the version an earlier capture stored (content_hash is only ever replaced by a new one).
    private const string UpsertItemSql = """
        INSERT INTO backup.backup_items (id, backup_set_id, family, policy_id, odata_type, display_name, outcome, content_hash,
            failure_code, failure_message, redacted_secrets, assignment_count, "references", run_id, captured_at)
        VALUES (@id, @backup_set_id, @family, @policy_id, @odata_type, @display_name, @outcome, @content_hash,
            @failure_code, @failure_message, @redacted_secrets, @assignment_count, @references, @run_id, now())
        ON CONFLICT (backup_set_id, family, policy_id) DO UPDATE SET
            odata_type = CASE WHEN EXCLUDED.odata_type = '' THEN backup_items.odata_type ELSE EXCLUDED.odata_type END,
            display_name = CASE WHEN EXCLUDED.display_name = '' THEN backup_items.display_name ELSE EXCLUDED.display_name END,
            outcome = EXCLUDED.outcome,
            content_hash = COALESCE(EXCLUDED.content_hash, backup_items.content_hash),
            failure_code = EXCLUDED.failure_code,
            failure_message = EXCLUDED.failure_message,
            redacted_secrets = CASE WHEN EXCLUDED.content_hash IS NULL THEN backup_items.redacted_secrets ELSE EXCLUDED.redacted_secrets END,
            assignment_count = CASE WHEN EXCLUDED.content_hash IS NULL THEN backup_items.assignment_count ELSE EXCLUDED.assignment_count END,
            "references" = CASE WHEN EXCLUDED.content_hash IS NULL THEN backup_items."references" ELSE EXCLUDED."references" END,
            run_id = EXCLUDED.run_id,
            captured_at = EXCLUDED.captured_at
        """;

    /// <summary>
    /// Marks the set as being captured by <paramref name="runId"/>: when the run is started (so the set shows "capturing"
    /// at once) and when the worker takes it. Only the first does anything, so a start answered with a run the worker
    /// has already finished leaves the status the worker wrote.
    /// </summary>
    public async Task BeginAsync(Guid backupSetId, Guid runId, CancellationToken ct)
    {
        await using var command = dataSource.CreateCommand("""
            UPDATE backup.backup_sets SET status = @status, last_run_id = @run_id WHERE id = @id AND last_run_id IS DISTINCT FROM @run_id
            """);
        command.Parameters.AddWithValue("status", SetStatus.Capturing);
        command.Parameters.AddWithValue("run_id", runId);
        command.Parameters.AddWithValue("id", backupSetId);
        await command.ExecuteNonQueryAsync(ct);
    }

    /// <summary>Stores the policies of one family in one transaction; returns how many content rows were new.</summary>
    public async Task<int> StoreAsync(Guid tenantId, Guid backupSetId, Guid runId, IReadOnlyCollection<CapturedPolicy> policies, CancellationToken ct)
    {
        if (policies.Count == 0)
        {
            return 0;
        }
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        await using var transaction = await connection.BeginTransactionAsync(ct);
        var newContents = 0;
        foreach (var chunk in policies.Chunk(200))
        {
            await using var batch = new NpgsqlBatch(connection, transaction);
            foreach (var policy in chunk.Where(p => p.Captured))
            {
                var content = new NpgsqlBatchCommand(InsertContentSql);
                content.Parameters.AddWithValue("tenant_id", tenantId);
                content.Parameters.AddWithValue("content_hash", policy.ContentHash!);
                content.Parameters.AddWithValue("family", policy.Family);
                content.Parameters.AddWithValue("policy_id", policy.PolicyId);
                content.Parameters.AddWithValue("content", policy.Document!.ToJsonString(StoredJson));
                content.Parameters.AddWithValue("run_id", runId);
                batch.BatchCommands.Add(content);
            }
            foreach (var policy in chunk)
            {
                var item = new NpgsqlBatchCommand(UpsertItemSql);
                item.Parameters.AddWithValue("id", Guid.CreateVersion7());
                item.Parameters.AddWithValue("backup_set_id", backupSetId);
                item.Parameters.AddWithValue("family", policy.Family);
                item.Parameters.AddWithValue("policy_id", policy.PolicyId);
                item.Parameters.AddWithValue("odata_type", policy.OdataType);
                item.Parameters.AddWithValue("display_name", policy.DisplayName);
                item.Parameters.AddWithValue("outcome", policy.Captured ? ItemOutcome.Captured : ItemOutcome.Failed);
                item.Parameters.Add(Text("content_hash", policy.ContentHash));
                item.Parameters.Add(Text("failure_code", policy.FailureCode));
                item.Parameters.Add(Text("failure_message", policy.FailureMessage));
                item.Parameters.AddWithValue("redacted_secrets", policy.RedactedSecrets);
                item.Parameters.AddWithValue("assignment_count", policy.AssignmentCount);
                item.Parameters.Add(new NpgsqlParameter("references", NpgsqlDbType.Jsonb) { Value = JsonSerializer.Serialize(policy.References, StoredJson) });
                item.Parameters.AddWithValue("run_id", runId);
                batch.BatchCommands.Add(item);
            }
            await batch.ExecuteNonQueryAsync(ct);
            newContents += batch.BatchCommands.Cast<NpgsqlBatchCommand>().Where(c => c.CommandText == InsertContentSql).Sum(c => c.RecordsAffected);
        }
        await transaction.CommitAsync(ct);
        return newContents;
    }

    /// <summary>
    /// Records the capture's end: the set's coverage and its status from the whole set, so a capture that fills the holes
    /// of an earlier one (a retry) can make it complete and one that re-reads a few items never makes it look more complete
    /// than it is. A family this capture listed as a whole (<paramref name="wholeFamilies"/>) takes this capture's listing;
    /// another keeps the set's earlier listing, complete only while both listings were. "Captured" counts the set's
    /// captured items of the family, whichever capture took them. The status is incomplete while any family's listing
    /// lost a page, completed with warnings while any item of the set is failed, else complete.
    /// </summary>
    public async Task CompleteAsync(Guid backupSetId, Guid runId, IReadOnlyList<FamilyCoverage> coverage, IReadOnlyCollection<string> wholeFamilies,
        CancellationToken ct)
    {
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        await using var transaction = await connection.BeginTransactionAsync(ct);
        List<FamilyCoverage> earlier;
        await using (var read = new NpgsqlCommand("SELECT coverage FROM backup.backup_sets WHERE id = @id FOR UPDATE", connection, transaction))
        {
            read.Parameters.AddWithValue("id", backupSetId);
            earlier = await read.ExecuteScalarAsync(ct) is string json ? JsonSerializer.Deserialize<List<FamilyCoverage>>(json, StoredJson) ?? [] : [];
        }
        var captured = new Dictionary<string, int>(StringComparer.Ordinal);
        await using (var count = new NpgsqlCommand(
            "SELECT family, count(*)::int FROM backup.backup_items WHERE backup_set_id = @id AND outcome = @captured GROUP BY family", connection, transaction))
        {
            count.Parameters.AddWithValue("id", backupSetId);
            count.Parameters.AddWithValue("captured", ItemOutcome.Captured);
            await using var reader = await count.ExecuteReaderAsync(ct);
            while (await reader.ReadAsync(ct))
            {
                captured[reader.GetString(0)] = reader.GetInt32(1);
            }
        }
        var merged = earlier.Where(e => !coverage.Any(c => c.Family == e.Family)).ToList();
        foreach (var now in coverage)
        {
            var before = earlier.FirstOrDefault(e => e.Family == now.Family);
            merged.Add(wholeFamilies.Contains(now.Family) || before is null ? now : before with { ListComplete = before.ListComplete && now.ListComplete });
        }
        merged = [.. merged.Select(c => c with { Captured = captured.GetValueOrDefault(c.Family) }).OrderBy(c => c.Family, StringComparer.Ordinal)];

        await using var command = new NpgsqlCommand("""
            UPDATE backup.backup_sets s SET
                status = CASE WHEN NOT @lists_complete THEN @incomplete
                              WHEN EXISTS (SELECT 1 FROM backup.backup_items i WHERE i.backup_set_id = s.id AND i.outcome = @failed) THEN @warnings
                              ELSE @complete END,
                coverage = @coverage, last_run_id = @run_id, captured_at = now()
            WHERE id = @id
            """, connection, transaction);
        command.Parameters.AddWithValue("lists_complete", merged.All(c => c.ListComplete));
        command.Parameters.AddWithValue("incomplete", SetStatus.Incomplete);
        command.Parameters.AddWithValue("failed", ItemOutcome.Failed);
        command.Parameters.AddWithValue("warnings", SetStatus.CompletedWithWarnings);
        command.Parameters.AddWithValue("complete", SetStatus.Complete);
        command.Parameters.Add(new NpgsqlParameter("coverage", NpgsqlDbType.Jsonb) { Value = JsonSerializer.Serialize(merged, StoredJson) });
        command.Parameters.AddWithValue("run_id", runId);
        command.Parameters.AddWithValue("id", backupSetId);
        await command.ExecuteNonQueryAsync(ct);
        await transaction.CommitAsync(ct);
    }

    /// <summary>
    /// The capture by <paramref name="runId"/> could not proceed (or was cancelled): the set it was capturing says failed
    /// (its items, if any, are kept). Only while that run is the set's capture: a later capture of the set is not undone.
    /// </summary>
    public async Task FailAsync(Guid backupSetId, Guid runId, CancellationToken ct)
    {
        await using var command = dataSource.CreateCommand("""
            UPDATE backup.backup_sets SET status = @status WHERE id = @id AND last_run_id = @run_id AND status = @capturing
            """);
        command.Parameters.AddWithValue("status", SetStatus.Failed);
        command.Parameters.AddWithValue("capturing", SetStatus.Capturing);
        command.Parameters.AddWithValue("run_id", runId);
        command.Parameters.AddWithValue("id", backupSetId);
        await command.ExecuteNonQueryAsync(ct);
    }

    private static NpgsqlParameter Text(string name, string? value) => new(name, NpgsqlDbType.Text) { Value = (object?)value ?? DBNull.Value };
}
