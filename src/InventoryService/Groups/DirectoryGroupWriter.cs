using Npgsql;

namespace TenantAtlas.InventoryService.Groups;

/// <summary>A group as read from Graph, ready to store.</summary>
public sealed record SyncedGroup(string GroupId, string DisplayName, IReadOnlyList<string> GroupTypes, string? MembershipRule, bool SecurityEnabled);

/// <summary>
/// Upserts a tenant's groups keyed by (tenant, group id), stamped with the run that saw them, so a redelivered sync
/// writes the same rows again; after a complete listing, the groups that run did not see are marked deleted.
/// </summary>
public sealed class DirectoryGroupWriter(NpgsqlDataSource dataSource)
{
    private const string UpsertSql = """
        INSERT INTO inventory.directory_groups
            (tenant_id, group_id, display_name, group_types, membership_rule, security_enabled, deleted, last_seen_run_id, last_seen_at)
        VALUES (@tenant_id, @group_id, @display_name, @group_types, @membership_rule, @security_enabled, false, @run_id, now())
        ON CONFLICT (tenant_id, group_id) DO UPDATE SET
            display_name = EXCLUDED.display_name,
            group_types = EXCLUDED.group_types,
            membership_rule = EXCLUDED.membership_rule,
            security_enabled = EXCLUDED.security_enabled,
            deleted = false,
            last_seen_run_id = EXCLUDED.last_seen_run_id,
            last_seen_at = EXCLUDED.last_seen_at
        """;

    public async Task UpsertAsync(Guid tenantId, Guid runId, IReadOnlyCollection<SyncedGroup> groups, CancellationToken ct)
    {
        if (groups.Count == 0)
        {
            return;
        }
        await using var batch = dataSource.CreateBatch();
        foreach (var group in groups)
        {
            var command = new NpgsqlBatchCommand(UpsertSql);
            command.Parameters.AddWithValue("tenant_id", tenantId);
            command.Parameters.AddWithValue("group_id", group.GroupId);
            command.Parameters.AddWithValue("display_name", group.DisplayName);
            command.Parameters.AddWithValue("group_types", group.GroupTypes.ToArray());
            command.Parameters.AddWithValue("membership_rule", (object?)group.MembershipRule ?? DBNull.Value);
            command.Parameters.AddWithValue("security_enabled", group.SecurityEnabled);
            command.Parameters.AddWithValue("run_id", runId);
            batch.BatchCommands.Add(command);
        }
        await batch.ExecuteNonQueryAsync(ct);
    }

    /// <summary>After a complete listing: every group of the tenant that <paramref name="runId"/> did not see is gone. Returns how many.</summary>
    public async Task<int> MarkUnseenDeletedAsync(Guid tenantId, Guid runId, CancellationToken ct)
    {
        await using var command = dataSource.CreateCommand("""
            UPDATE inventory.directory_groups SET deleted = true
            WHERE tenant_id = @tenant_id AND last_seen_run_id <> @run_id AND NOT deleted
            """);
        command.Parameters.AddWithValue("tenant_id", tenantId);
        command.Parameters.AddWithValue("run_id", runId);
        return await command.ExecuteNonQueryAsync(ct);
    }
}
