using System.Text.Json;
using Npgsql;
using TenantAtlas.RunsService.Persistence;
using static TenantAtlas.RunsService.Runs.RunRows;

namespace TenantAtlas.RunsService.Runs;

/// <summary>
/// Writes and reads operation runs. Every write is one SQL statement, so it is atomic without an explicit
/// transaction: the run, its notification and (later) its outbox entry land together or not at all.
/// </summary>
public sealed partial class RunStore(
    NpgsqlDataSource dataSource,
    Microsoft.Extensions.Options.IOptions<Dispatch.DispatchOptions> dispatch,
    Dispatch.DispatchSignal dispatchSignal)
{
    /// <summary>Stored failures per run; later ones are counted in failures_dropped.</summary>
    public const int MaxStoredFailures = 1000;

    // If the active run we collided with completes before we can read it, the identity is free again: insert
    // again. Each round needs a run to complete in between, so a handful of rounds is plenty.
    private const int MaxEnsureRounds = 8;

    private static readonly string InsertWhileActiveSql = InsertSql(IdentityIndexPredicates.Active);
    private static readonly string InsertLastingSql = InsertSql(IdentityIndexPredicates.Lasting);
    private static readonly string FindWhileActiveSql = FindSql(IdentityIndexPredicates.Active);
    private static readonly string FindLastingSql = FindSql(IdentityIndexPredicates.Lasting);

    // The initiator's queued notification and the dispatch outbox entry are written by the same statement as
    // the run: a run row without its job (or a job without its run) cannot exist. A reused run writes neither.
    private static string InsertSql(string identityIndexPredicate) => $"""
        WITH inserted AS (
            INSERT INTO {Table} (id, workspace_id, tenant_id, type, status, outcome, identity_policy, run_identity_hash,
                identity_inputs, initiator_subject, initiator_name, context, trace_id, created_at, updated_at)
            VALUES (@id, @workspace_id, @tenant_id, @type, 'queued', 'pending', @policy, @hash,
                @inputs, @initiator_subject, @initiator_name, @context, @trace_id, now(), now())
            ON CONFLICT (workspace_id, tenant_id, run_identity_hash) WHERE {identityIndexPredicate} DO NOTHING
            RETURNING *
        ), notified AS (
            INSERT INTO runs.run_notifications (recipient_subject, run_id, workspace_id, tenant_id, run_type, kind, outcome, title, created_at)
            SELECT initiator_subject, id, workspace_id, tenant_id, type, 'run_queued', outcome, type || ' queued', created_at
            FROM inserted WHERE initiator_subject IS NOT NULL
        ), dispatched AS (
            INSERT INTO runs.run_dispatch_outbox (run_id, stream, trace_parent, created_at, deadline_at, next_attempt_at)
            SELECT id, @stream, @trace_parent, created_at, created_at + @dispatch_deadline, created_at FROM inserted
        )
        SELECT {Columns} FROM inserted
        """;

    private static string FindSql(string identityIndexPredicate) =>
        $"SELECT {Columns} FROM {Table} WHERE workspace_id = @workspace_id AND tenant_id IS NOT DISTINCT FROM @tenant_id " +
        $"AND run_identity_hash = @hash AND {identityIndexPredicate}";

    /// <summary>
    /// Inserts the run unless its identity is taken, in which case the run holding it is returned. Concurrent
    /// callers with one identity all get the same run; exactly one of them gets <c>Created = true</c>.
    /// </summary>
    public async Task<(RunRecord Run, bool Created)> EnsureAsync(NewRun run, CancellationToken ct)
    {
        var lasting = run.IdentityPolicy.IsLasting;
        for (var round = 0; round < MaxEnsureRounds; round++)
        {
            await using (var insert = dataSource.CreateCommand(lasting ? InsertLastingSql : InsertWhileActiveSql))
            {
                insert.Parameters.Add(Uuid("id", Guid.CreateVersion7()));
                insert.Parameters.Add(Uuid("workspace_id", run.WorkspaceId));
                insert.Parameters.Add(Uuid("tenant_id", run.TenantId));
                insert.Parameters.Add(Text("type", run.Type));
                insert.Parameters.Add(Text("policy", run.IdentityPolicy.Value));
                insert.Parameters.Add(Text("hash", run.IdentityHash));
                insert.Parameters.Add(Jsonb("inputs", JsonSerializer.Serialize(run.IdentityInputs, Json)));
                insert.Parameters.Add(Text("initiator_subject", run.InitiatorSubject));
                insert.Parameters.Add(Text("initiator_name", run.InitiatorName));
                insert.Parameters.Add(Jsonb("context", run.ContextJson));
                insert.Parameters.Add(Text("trace_id", run.TraceId));
                insert.Parameters.Add(Text("stream", run.Stream));
                insert.Parameters.Add(Text("trace_parent", run.TraceParent));
                insert.Parameters.Add(new NpgsqlParameter("dispatch_deadline", NpgsqlTypes.NpgsqlDbType.Interval) { Value = dispatch.Value.Deadline });
                if (await ReadSingleAsync(insert, ct) is { } created)
                {
                    dispatchSignal.Wake(); // its outbox row has committed
                    return (created, true);
                }
            }

            // The conflicting insert has committed (ON CONFLICT waited for it); a new statement sees it.
            await using var find = dataSource.CreateCommand(lasting ? FindLastingSql : FindWhileActiveSql);
            find.Parameters.Add(Uuid("workspace_id", run.WorkspaceId));
            find.Parameters.Add(Uuid("tenant_id", run.TenantId));
            find.Parameters.Add(Text("hash", run.IdentityHash));
            if (await ReadSingleAsync(find, ct) is { } existing)
            {
                return (existing, false);
            }
        }
        throw new InvalidOperationException(
            $"EnsureRun could neither insert nor find the run for identity {run.IdentityHash} after {MaxEnsureRounds} rounds.");
    }

    public async Task<RunRecord?> FindAsync(Guid runId, CancellationToken ct)
    {
        await using var command = dataSource.CreateCommand($"SELECT {Columns} FROM {Table} WHERE id = @id");
        command.Parameters.Add(Uuid("id", runId));
        return await ReadSingleAsync(command, ct);
    }
}
