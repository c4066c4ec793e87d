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

    // [lasting identity?, workspace plane?]: the identity match must name tenant_id plainly (= or IS NULL) so the
    // unique identity index serves it; IS NOT DISTINCT FROM cannot use an index.
    private static readonly string[] EnsureSqls =
        [EnsureSql(false, false), EnsureSql(false, true), EnsureSql(true, false), EnsureSql(true, true)];
    private static readonly string[] FindSqls =
        [FindSql(false, false), FindSql(false, true), FindSql(true, false), FindSql(true, true)];

    private static int Variant(NewRun run) => (run.IdentityPolicy.IsLasting ? 2 : 0) + (run.TenantId is null ? 1 : 0);

    private static string IdentityMatch(bool lasting, bool workspacePlane) =>
        "workspace_id = @workspace_id AND " + (workspacePlane ? "tenant_id IS NULL" : "tenant_id = @tenant_id") +
        " AND run_identity_hash = @hash AND " + (lasting ? IdentityIndexPredicates.Lasting : IdentityIndexPredicates.Active);

    // The initiator's queued notification and the dispatch outbox entry are written by the same statement as
    // the run: a run row without its job (or a job without its run) cannot exist. A reused run writes neither.
    // When the identity is taken by a run committed before this statement began (the double-click storm), the
    // last SELECT returns that run in the same round trip; created tells which branch answered.
    private static string EnsureSql(bool lasting, bool workspacePlane) => $"""
        WITH inserted AS (
            INSERT INTO {Table} (id, workspace_id, tenant_id, type, status, outcome, identity_policy, run_identity_hash,
                identity_inputs, initiator_subject, initiator_name, context, trace_id, created_at, updated_at)
            VALUES (@id, @workspace_id, @tenant_id, @type, 'queued', 'pending', @policy, @hash,
                @inputs, @initiator_subject, @initiator_name, @context, @trace_id, now(), now())
            ON CONFLICT (workspace_id, tenant_id, run_identity_hash)
                WHERE {(lasting ? IdentityIndexPredicates.Lasting : IdentityIndexPredicates.Active)} DO NOTHING
            RETURNING *
        ), notified AS (
            INSERT INTO runs.run_notifications (recipient_subject, run_id, workspace_id, tenant_id, run_type, kind, outcome, title, created_at)
            SELECT initiator_subject, id, workspace_id, tenant_id, type, 'run_queued', outcome, type || ' queued', created_at
            FROM inserted WHERE initiator_subject IS NOT NULL
        ), dispatched AS (
            INSERT INTO runs.run_dispatch_outbox (run_id, stream, trace_parent, created_at, deadline_at, next_attempt_at)
            SELECT id, @stream, @trace_parent, created_at, created_at + @dispatch_deadline, created_at FROM inserted
        )
        SELECT {Columns}, true FROM inserted
        UNION ALL
        SELECT {Columns}, false FROM {Table}
        WHERE {IdentityMatch(lasting, workspacePlane)} AND NOT EXISTS (SELECT 1 FROM inserted)
        """;

    private static string FindSql(bool lasting, bool workspacePlane) =>
        $"SELECT {Columns} FROM {Table} WHERE {IdentityMatch(lasting, workspacePlane)}";

    /// <summary>
    /// Inserts the run unless its identity is taken, in which case the run holding it is returned. Concurrent
    /// callers with one identity all get the same run; exactly one of them gets <c>Created = true</c>.
    /// </summary>
    public async Task<(RunRecord Run, bool Created)> EnsureAsync(NewRun run, CancellationToken ct)
    {
        for (var round = 0; round < MaxEnsureRounds; round++)
        {
            await using (var ensure = dataSource.CreateCommand(EnsureSqls[Variant(run)]))
            {
                ensure.Parameters.Add(Uuid("id", Guid.CreateVersion7()));
                ensure.Parameters.Add(Uuid("workspace_id", run.WorkspaceId));
                ensure.Parameters.Add(Uuid("tenant_id", run.TenantId));
                ensure.Parameters.Add(Text("type", run.Type));
                ensure.Parameters.Add(Text("policy", run.IdentityPolicy.Value));
                ensure.Parameters.Add(IdentityHash("hash", run.IdentityHash));
                ensure.Parameters.Add(Jsonb("inputs", JsonSerializer.Serialize(run.IdentityInputs, Json)));
                ensure.Parameters.Add(Text("initiator_subject", run.InitiatorSubject));
                ensure.Parameters.Add(Text("initiator_name", run.InitiatorName));
                ensure.Parameters.Add(Jsonb("context", run.ContextJson));
                ensure.Parameters.Add(Text("trace_id", run.TraceId));
                ensure.Parameters.Add(Text("stream", run.Stream));
                ensure.Parameters.Add(Text("trace_parent", run.TraceParent));
                ensure.Parameters.Add(new NpgsqlParameter("dispatch_deadline", NpgsqlTypes.NpgsqlDbType.Interval) { Value = dispatch.Value.Deadline });
                await using var reader = await ensure.ExecuteReaderAsync(ct);
                if (await reader.ReadAsync(ct))
                {
                    var found = Read(reader);
                    var created = reader.GetBoolean(ColumnCount);
                    if (created)
                    {
                        dispatchSignal.Wake(); // its outbox row has committed
                    }
                    return (found, created);
                }
            }

            // The identity is held by a run that committed while this statement ran (ON CONFLICT waited for it),
            // so the statement's snapshot could not see it; a new statement does.
            await using var find = dataSource.CreateCommand(FindSqls[Variant(run)]);
            find.Parameters.Add(Uuid("workspace_id", run.WorkspaceId));
            find.Parameters.Add(Uuid("tenant_id", run.TenantId));
            find.Parameters.Add(IdentityHash("hash", run.IdentityHash));
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
