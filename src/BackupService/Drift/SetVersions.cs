using TenantAtlas.TenantGraph;
using Npgsql;

namespace TenantAtlas.BackupService.Drift;

/// <summary>A policy's version as a backup set holds it.</summary>
public sealed record SetPolicy(string Family, string PolicyId, string DisplayName, string OdataType, string ContentHash, string Content);

/// <summary>The versions a backup set holds: every item with content (a failed item keeps the version an earlier capture stored).</summary>
public static class SetVersions
{
    public static async Task<List<SetPolicy>> LoadAsync(NpgsqlDataSource dataSource, Guid setId, Guid tenantId, CancellationToken ct)
    {
        await using var command = dataSource.CreateCommand("""
            SELECT i.family, i.policy_id, i.display_name, i.odata_type, i.content_hash, c.content
            FROM backup.backup_items i
            JOIN backup.backup_sets s ON s.id = i.backup_set_id
            JOIN backup.policy_contents c ON c.tenant_id = s.tenant_id AND c.content_hash = i.content_hash
            WHERE i.backup_set_id = @set AND s.tenant_id = @tenant
            """);
        command.Parameters.AddWithValue("set", setId);
        command.Parameters.AddWithValue("tenant", tenantId);
        var policies = new List<SetPolicy>();
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            policies.Add(new SetPolicy(reader.GetString(0), reader.GetString(1), reader.GetString(2), reader.GetString(3), reader.GetString(4), reader.GetString(5)));
        }
        return policies;
    }
}
