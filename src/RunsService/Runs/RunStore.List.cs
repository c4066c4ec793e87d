using System.Text;
using NpgsqlTypes;
using static TenantAtlas.RunsService.Runs.RunRows;

namespace TenantAtlas.RunsService.Runs;

/// <summary>What a caller may see of a workspace's runs; null parts mean "no restriction".</summary>
public sealed record RunVisibility(IReadOnlyList<string>? Types, IReadOnlyList<Guid>? Tenants)
{
    public static readonly RunVisibility Everything = new(null, null);

    /// <summary>The listing's filter in C# (for runs that are not read from the table, e.g. a watched change).</summary>
    public bool Allows(Guid? tenantId, string type) =>
        (Tenants is null || tenantId is null || Tenants.Contains(tenantId.Value)) && (Types is null || Types.Contains(type));
}

/// <summary>Position after the last run of a page: keyset paging on (created_at, id), newest first.</summary>
public readonly record struct RunCursor(DateTime CreatedAt, Guid Id);

public sealed partial class RunStore
{
    /// <summary>
    /// One page of runs, newest first, after <paramref name="after"/>. Keyset paging: runs inserted while a
    /// client pages never shift or repeat later pages.
    /// </summary>
    public async Task<IReadOnlyList<RunRecord>> ListAsync(RunFilter filter, RunVisibility visibility, RunCursor? after,
        int limit, CancellationToken ct)
    {
        await using var command = dataSource.CreateCommand();
        var p = command.Parameters;
        var sql = new StringBuilder($"SELECT {Columns} FROM {Table} WHERE workspace_id = @workspace_id");
        p.Add(Uuid("workspace_id", filter.WorkspaceId));

        if (filter.TenantId is { } tenantId)
        {
            sql.Append(" AND tenant_id = @tenant_id");
            p.Add(Uuid("tenant_id", tenantId));
        }
        if (visibility.Tenants is { } entitled)
        {
            sql.Append(" AND (tenant_id IS NULL OR tenant_id = ANY(@entitled_tenants))");
            p.AddWithValue("entitled_tenants", NpgsqlDbType.Array | NpgsqlDbType.Uuid, entitled.ToArray());
        }
        if (visibility.Types is { } viewable)
        {
            sql.Append(" AND type = ANY(@viewable_types)");
            p.AddWithValue("viewable_types", NpgsqlDbType.Array | NpgsqlDbType.Text, viewable.ToArray());
        }
        if (filter.Types.Count > 0)
        {
            sql.Append(" AND type = ANY(@types)");
            p.AddWithValue("types", NpgsqlDbType.Array | NpgsqlDbType.Text, filter.Types.ToArray());
        }
        if (filter.Buckets.Count > 0)
        {
            // Active buckets are statuses; the others are outcomes of completed runs.
            sql.Append(" AND (status = ANY(@bucket_statuses) OR (status = 'completed' AND outcome = ANY(@bucket_outcomes)))");
            p.AddWithValue("bucket_statuses", NpgsqlDbType.Array | NpgsqlDbType.Text,
                filter.Buckets.Where(b => b.IsActive).Select(b => b.Value).ToArray());
            p.AddWithValue("bucket_outcomes", NpgsqlDbType.Array | NpgsqlDbType.Text,
                filter.Buckets.Where(b => !b.IsActive).Select(b => b.Value).ToArray());
        }
        if (filter.CreatedAfter is { } createdAfter)
        {
            sql.Append(" AND created_at >= @created_after");
            p.AddWithValue("created_after", NpgsqlDbType.TimestampTz, createdAfter);
        }
        if (filter.CreatedBefore is { } createdBefore)
        {
            sql.Append(" AND created_at < @created_before");
            p.AddWithValue("created_before", NpgsqlDbType.TimestampTz, createdBefore);
        }
        if (filter.InitiatorSubject is { } initiator)
        {
            sql.Append(" AND initiator_subject = @initiator_subject");
            p.Add(Text("initiator_subject", initiator));
        }
        if (after is { } cursor)
        {
            sql.Append(" AND (created_at, id) < (@after_created_at, @after_id)");
            p.AddWithValue("after_created_at", NpgsqlDbType.TimestampTz, cursor.CreatedAt);
            p.Add(Uuid("after_id", cursor.Id));
        }
        sql.Append(" ORDER BY created_at DESC, id DESC LIMIT @limit");
        p.AddWithValue("limit", NpgsqlDbType.Integer, limit);
        command.CommandText = sql.ToString();

        var runs = new List<RunRecord>(limit);
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            runs.Add(Read(reader));
        }
        return runs;
    }
}
