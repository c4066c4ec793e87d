using Npgsql;
using NpgsqlTypes;

namespace TenantAtlas.InventoryService.Sync;

/// <summary>A policy as read from Graph, ready to store.</summary>
public sealed record SyncedItem(string Family, string ItemId, string OdataType, string DisplayName, DateTime? LastModifiedAt,
    IReadOnlyList<string> AssignmentTargets);

/// <summary>
/// Upserts items keyed by (tenant, family, item id) and stamps the run that saw them, so a redelivered sync
/// simply writes the same rows again.
/// </summary>
public sealed class InventoryItemWriter(NpgsqlDataSource dataSource)
{
    private const string UpsertSql = """
        INSERT INTO inventory.inventory_items
            (tenant_id, family, item_id, odata_type, display_name, last_modified_at, assignment_targets, last_seen_run_id, last_seen_at)
        VALUES (@tenant_id, @family, @item_id, @odata_type, @display_name, @last_modified_at, @assignment_targets, @run_id, now())
        ON CONFLICT (tenant_id, family, item_id) DO UPDATE SET
            odata_type = EXCLUDED.odata_type,
            display_name = EXCLUDED.display_name,
            last_modified_at = EXCLUDED.last_modified_at,
            assignment_targets = EXCLUDED.assignment_targets,
            last_seen_run_id = EXCLUDED.last_seen_run_id,
            last_seen_at = EXCLUDED.last_seen_at
        """;

    public async Task UpsertAsync(Guid tenantId, Guid runId, IReadOnlyCollection<SyncedItem> items, CancellationToken ct)
    {
        if (items.Count == 0)
        {
            return;
        }
        await using var batch = dataSource.CreateBatch();
        foreach (var item in items)
        {
            var command = new NpgsqlBatchCommand(UpsertSql);
            command.Parameters.AddWithValue("tenant_id", tenantId);
            command.Parameters.AddWithValue("family", item.Family);
            command.Parameters.AddWithValue("item_id", item.ItemId);
            command.Parameters.AddWithValue("odata_type", item.OdataType);
            command.Parameters.AddWithValue("display_name", item.DisplayName);
            command.Parameters.Add(new NpgsqlParameter("last_modified_at", NpgsqlDbType.TimestampTz) { Value = (object?)item.LastModifiedAt ?? DBNull.Value });
            command.Parameters.AddWithValue("assignment_targets", item.AssignmentTargets.ToArray());
            command.Parameters.AddWithValue("run_id", runId);
            batch.BatchCommands.Add(command);
        }
        await batch.ExecuteNonQueryAsync(ct);
    }
}
