using System.Text.Json;
using Npgsql;
using NpgsqlTypes;

namespace TenantAtlas.RunsService.Runs;

/// <summary>The one mapping between <c>runs.operation_runs</c> rows and <see cref="RunRecord"/>.</summary>
internal static class RunRows
{
    public const string Table = "runs.operation_runs";

    /// <summary>Selected in this order by every run query; <see cref="Read"/> reads them by position.</summary>
    public const string Columns =
        "id, workspace_id, tenant_id, type, status, outcome, identity_policy, run_identity_hash, identity_inputs, " +
        "initiator_subject, initiator_name, count_total, count_processed, count_succeeded, count_failed, count_skipped, " +
        "failures, failures_dropped, context, trace_id, created_at, started_at, completed_at, updated_at, dispatch_held, " +
        "cancel_requested_at, cancel_requested_by_subject, cancel_requested_by_name";

    /// <summary>How many <see cref="Columns"/> there are: a query may select more after them.</summary>
    public const int ColumnCount = 28;

    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public static RunRecord Read(NpgsqlDataReader reader) => new(
        Id: reader.GetGuid(0),
        WorkspaceId: reader.GetGuid(1),
        TenantId: reader.IsDBNull(2) ? null : reader.GetGuid(2),
        Type: reader.GetString(3),
        Status: RunStatusName.Parse(reader.GetString(4)),
        Outcome: RunOutcomeName.Parse(reader.GetString(5)),
        IdentityPolicy: IdentityPolicyName.Parse(reader.GetString(6)),
        IdentityHash: reader.GetString(7),
        IdentityInputs: JsonSerializer.Deserialize<Dictionary<string, string>>(reader.GetString(8), Json) ?? [],
        InitiatorSubject: reader.IsDBNull(9) ? null : reader.GetString(9),
        InitiatorName: reader.GetString(10),
        Counts: new RunCounts(reader.GetInt64(11), reader.GetInt64(12), reader.GetInt64(13), reader.GetInt64(14), reader.GetInt64(15)),
        Failures: JsonSerializer.Deserialize<List<RunFailure>>(reader.GetString(16), Json) ?? [],
        FailuresDropped: reader.GetInt64(17),
        ContextJson: reader.GetString(18),
        TraceId: reader.IsDBNull(19) ? null : reader.GetString(19),
        CreatedAt: reader.GetDateTime(20),
        StartedAt: reader.IsDBNull(21) ? null : reader.GetDateTime(21),
        CompletedAt: reader.IsDBNull(22) ? null : reader.GetDateTime(22),
        UpdatedAt: reader.GetDateTime(23),
        DispatchHeld: reader.GetBoolean(24),
        CancelRequest: reader.IsDBNull(25) ? null
            : new RunCancelRequest(reader.GetDateTime(25), reader.IsDBNull(26) ? null : reader.GetString(26), reader.IsDBNull(27) ? string.Empty : reader.GetString(27)));

    public static async Task<RunRecord?> ReadSingleAsync(NpgsqlCommand command, CancellationToken ct)
    {
        await using var reader = await command.ExecuteReaderAsync(ct);
        return await reader.ReadAsync(ct) ? Read(reader) : null;
    }

    public static NpgsqlParameter Jsonb(string name, string json) => new(name, NpgsqlDbType.Jsonb) { Value = json };

    public static NpgsqlParameter Text(string name, string? value) =>
        new(name, NpgsqlDbType.Text) { Value = (object?)value ?? DBNull.Value };

    /// <summary>
    /// An identity hash, typed as the column (character(64)): sent as text, the comparison would become
    /// <c>run_identity_hash::text = $1</c>, which the identity indexes cannot serve (every conflict lookup then
    /// scanned the tenant's runs).
    /// </summary>
    public static NpgsqlParameter IdentityHash(string name, string value) => new(name, NpgsqlDbType.Char) { Value = value };

    public static NpgsqlParameter Uuid(string name, Guid? value) =>
        new(name, NpgsqlDbType.Uuid) { Value = value is { } v ? v : DBNull.Value };

    public static NpgsqlParameter Bigint(string name, long? value) =>
        new(name, NpgsqlDbType.Bigint) { Value = value is { } v ? v : DBNull.Value };
}
