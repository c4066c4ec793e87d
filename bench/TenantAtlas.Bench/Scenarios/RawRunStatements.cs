using System.Security.Cryptography;
using System.Text;
using Npgsql;
using NpgsqlTypes;

namespace TenantAtlas.Bench.Scenarios;

/// <summary>
/// The floor under RunsService: the same rows in the same schema written with the fewest statements plain
/// Npgsql can use, no gRPC, no access checks, no notification or outbox. What EnsureRun/UpdateRun cost on top
/// of this is what the backbone adds.
/// </summary>
public sealed class RawRunStatements(NpgsqlDataSource data, Guid workspaceId, IReadOnlyList<Guid> tenants)
{
    // The while-active identity index of the migration: the same arbiter EnsureRun uses.
    private const string InsertSql = """
        INSERT INTO runs.operation_runs (id, workspace_id, tenant_id, type, status, outcome, identity_policy, run_identity_hash,
            identity_inputs, initiator_subject, initiator_name, context, created_at, updated_at)
        VALUES (@id, @workspace_id, @tenant_id, 'inventory.sync', 'queued', 'pending', 'while_active', @hash,
            @inputs, 'bench-raw', 'Bench Raw', '{}', now(), now())
        ON CONFLICT (workspace_id, tenant_id, run_identity_hash)
            WHERE status IN ('queued', 'running') AND identity_policy = 'while_active' DO NOTHING
        RETURNING id
        """;

    public const string FindSql = """
        SELECT id FROM runs.operation_runs
        WHERE workspace_id = @workspace_id AND tenant_id = @tenant_id AND run_identity_hash = @hash
          AND status IN ('queued', 'running') AND identity_policy = 'while_active'
        """;

    private const string StartSql = """
        UPDATE runs.operation_runs SET status = 'running', started_at = now(), updated_at = now()
        WHERE id = @id AND status = 'queued'
        """;

    private const string CompleteSql = """
        UPDATE runs.operation_runs SET status = 'completed', outcome = 'succeeded', count_total = 1, count_processed = 1,
            count_succeeded = 1, completed_at = now(), updated_at = now()
        WHERE id = @id AND status <> 'completed'
        """;

    /// <summary>Binds an identity: workspace, tenant (by sequence) and hash, as <see cref="FindSql"/> names them.</summary>
    public void BindFind(NpgsqlParameterCollection parameters, string identity, long sequence)
    {
        parameters.Add(new NpgsqlParameter<Guid>("workspace_id", workspaceId));
        parameters.Add(new NpgsqlParameter<Guid>("tenant_id", tenants[(int)(sequence % tenants.Count)]));
        parameters.Add(new NpgsqlParameter<string>("hash", NpgsqlDbType.Char) { TypedValue = Hash(identity) });
    }

    /// <summary>INSERT … ON CONFLICT … RETURNING; on conflict, the SELECT of the holder (the raw conflict path).</summary>
    public async Task<Guid> EnsureAsync(string identity, long sequence)
    {
        await using (var insert = data.CreateCommand(InsertSql))
        {
            BindFind(insert.Parameters, identity, sequence); // the identity; the insert adds its id and inputs
            insert.Parameters.Add(new NpgsqlParameter<Guid>("id", Guid.CreateVersion7()));
            insert.Parameters.Add(new NpgsqlParameter<string>("inputs", NpgsqlDbType.Jsonb) { TypedValue = $$"""{"bench":"{{identity}}"}""" });
            if (await insert.ExecuteScalarAsync() is Guid created)
            {
                return created;
            }
        }
        await using var find = data.CreateCommand(FindSql);
        BindFind(find.Parameters, identity, sequence);
        return (Guid)(await find.ExecuteScalarAsync() ?? throw new InvalidOperationException($"Raw ensure found no run for {identity}."));
    }

    /// <summary>The raw three-statement lifecycle: insert, queued → running, running → completed.</summary>
    public async Task LifecycleAsync(string identity, long sequence)
    {
        var id = await EnsureAsync(identity, sequence);
        await ExecuteAsync(StartSql, id);
        await ExecuteAsync(CompleteSql, id);
    }

    private async Task ExecuteAsync(string sql, Guid id)
    {
        await using var command = data.CreateCommand(sql);
        command.Parameters.Add(new NpgsqlParameter<Guid>("id", id));
        if (await command.ExecuteNonQueryAsync() != 1)
        {
            throw new InvalidOperationException($"Raw lifecycle statement changed no row for run {id}.");
        }
    }

    private static string Hash(string identity) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(identity)));
}
