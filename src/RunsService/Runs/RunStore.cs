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
    Dispatch.DispatchSignal dispatchSignal,
    Dispatch.ImmediateDispatch immediateDispatch,
    Watch.RunChangeFeed changes)
{
    /// <summary>Stored failures per run; later ones are counted in failures_dropped.</summary>
    public const int MaxStoredFailures = 1000;

    // If the active run we collided with completes before we can read it, the identity is free again: insert
    // again. Each round needs a run to complete in between, so a handful of rounds is plenty.
    private const int MaxEnsureRounds = 8;

    // Indexed by Variant(): [gated?][lasting identity?][workspace plane?]. The identity match names tenant_id
    // plainly (= or IS NULL) so the unique identity index serves it; IS NOT DISTINCT FROM cannot use an index.
    private static readonly string[] EnsureSqls =
        [.. from gated in (bool[])[false, true] from lasting in (bool[])[false, true] from workspacePlane in (bool[])[false, true]
            select EnsureSql(gated, lasting, workspacePlane)];
    private static readonly string[] FindSqls =
        [FindSql(false, false), FindSql(false, true), FindSql(true, false), FindSql(true, true)];

    private static int Variant(NewRun run) => (run.IdentityPolicy.IsLasting ? 2 : 0) + (run.TenantId is null ? 1 : 0);

    private static string IdentityMatch(bool lasting, bool workspacePlane) =>
        "workspace_id = @workspace_id AND " + (workspacePlane ? "tenant_id IS NULL" : "tenant_id = @tenant_id") +
        " AND run_identity_hash = @hash AND " + (lasting ? IdentityIndexPredicates.Lasting : IdentityIndexPredicates.Active);

    // The gate is WorkspaceAccess.AuthorizeStartAsync's rule for users, in SQL: a member with a role granting the
    // type's capability, entitled to the tenant, which belongs to the workspace. At most one row.
    private const string GateSql = """
        gate AS (
            SELECT 1 FROM runs.workspace_members m
            WHERE m.workspace_id = @workspace_id AND m.subject = @gate_subject AND m.role = ANY(@gate_roles)
              AND (@tenant_id IS NULL OR ((m.tenant_ids IS NULL OR @tenant_id = ANY(m.tenant_ids))
                   AND EXISTS (SELECT 1 FROM runs.tenants t WHERE t.id = @tenant_id AND t.workspace_id = @workspace_id)))
        ),
        """;

    // The initiator's queued notification and the dispatch outbox entry are written by the same statement as
    // the run: a run row without its job (or a job without its run) cannot exist. A reused run writes neither; a
    // held run (hold_dispatch) gets its outbox entry from ReleaseRun. The entry is due for the relay only after the
    // immediate-dispatch grace: ImmediateDispatch publishes the job right after this commit.
    // When the identity is taken by a run committed before this statement began (the double-click storm), the
    // last SELECT returns that run in the same round trip; created tells which branch answered. A gated
    // statement does nothing and returns nothing unless the gate lets the caller start the run.
    private static string EnsureSql(bool gated, bool lasting, bool workspacePlane) => $"""
        WITH {(gated ? GateSql : "")} inserted AS (
            INSERT INTO {Table} (id, workspace_id, tenant_id, type, status, outcome, identity_policy, run_identity_hash,
                identity_inputs, initiator_subject, initiator_name, context, trace_id, created_at, updated_at, dispatch_held)
            SELECT @id, @workspace_id, @tenant_id, @type, 'queued', 'pending', @policy, @hash,
                @inputs, @initiator_subject, @initiator_name, @context, @trace_id, now(), now(), @hold_dispatch
            {(gated ? "FROM gate" : "")}
            {(lasting ? $"WHERE NOT EXISTS (SELECT 1 FROM {TombstoneTable} WHERE {TombstoneMatch(workspacePlane)})" : "")}
            ON CONFLICT (workspace_id, tenant_id, run_identity_hash)
                WHERE {(lasting ? IdentityIndexPredicates.Lasting : IdentityIndexPredicates.Active)} DO NOTHING
            RETURNING *
        ), notified AS (
            INSERT INTO runs.run_notifications (recipient_subject, run_id, workspace_id, tenant_id, run_type, kind, outcome, title, created_at)
            SELECT initiator_subject, id, workspace_id, tenant_id, type, '{NotificationKindName.RunQueued}', outcome, type || ' queued', created_at
            FROM inserted WHERE initiator_subject IS NOT NULL
        ), dispatched AS (
            INSERT INTO runs.run_dispatch_outbox (run_id, stream, trace_parent, created_at, deadline_at, next_attempt_at)
            SELECT id, @stream, @trace_parent, created_at, created_at + @dispatch_deadline, created_at + @immediate_grace
            FROM inserted WHERE NOT dispatch_held
        )
        SELECT {Columns}, true FROM inserted
        UNION ALL
        SELECT {Columns}, false FROM {Table}
        WHERE {IdentityMatch(lasting, workspacePlane)} AND NOT EXISTS (SELECT 1 FROM inserted)
            {(gated ? "AND EXISTS (SELECT 1 FROM gate)" : "")}
        """;

    // A lasting identity whose run retention purged is still taken: the insert finds its tombstone and writes nothing,
    // and the rare path (EnsureAsync) names the purged run. One index probe, on lasting identities only.
    private const string TombstoneTable = "runs.run_identity_tombstones";

    private static string TombstoneMatch(bool workspacePlane) =>
        "workspace_id = @workspace_id AND " + (workspacePlane ? "tenant_id IS NULL" : "tenant_id = @tenant_id") + " AND run_identity_hash = @hash";

    private static readonly string[] TombstoneSqls = [TombstoneSql(false), TombstoneSql(true)];

    private static string TombstoneSql(bool workspacePlane) => $"""
        SELECT t.run_id, t.completed_at, w.run_retention_days
        FROM {TombstoneTable} t JOIN runs.workspaces w ON w.id = t.workspace_id
        WHERE t.{TombstoneMatch(workspacePlane).Replace(" AND ", " AND t.", StringComparison.Ordinal)}
        """;

    private static string FindSql(bool lasting, bool workspacePlane) =>
        $"SELECT {Columns} FROM {Table} WHERE {IdentityMatch(lasting, workspacePlane)}";

    /// <summary>
    /// EnsureRun's fast path for users: access check and write in one statement. Null when the gate turned the
    /// caller away or the identity was taken by a run committed meanwhile; the caller then authorizes the slow way
    /// (for a precise error) and calls <see cref="EnsureAsync"/>.
    /// </summary>
    public async Task<(RunRecord Run, bool Created)?> TryEnsureAsync(NewRun run, StartGate gate, CancellationToken ct)
    {
        await using var ensure = EnsureCommand(run, gate);
        return await ExecuteEnsureAsync(ensure, run, ct);
    }

    /// <summary>
    /// Inserts the run unless its identity is taken, in which case the run holding it is returned. Concurrent
    /// callers with one identity all get the same run; exactly one of them gets <c>Created = true</c>. The caller
    /// must have been authorized.
    /// </summary>
    public async Task<(RunRecord Run, bool Created)> EnsureAsync(NewRun run, CancellationToken ct)
    {
        for (var round = 0; round < MaxEnsureRounds; round++)
        {
            await using (var ensure = EnsureCommand(run, gate: null))
            {
                if (await ExecuteEnsureAsync(ensure, run, ct) is { } ensured)
                {
                    return ensured;
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
            if (run.IdentityPolicy.IsLasting)
            {
                await ThrowIfPurgedAsync(run, ct);
            }
        }
        throw new InvalidOperationException(
            $"EnsureRun could neither insert nor find the run for identity {run.IdentityHash} after {MaxEnsureRounds} rounds.");
    }

    /// <summary>ALREADY_EXISTS when the lasting identity belonged to a run that retention purged: that work was done.</summary>
    private async Task ThrowIfPurgedAsync(NewRun run, CancellationToken ct)
    {
        await using var lookup = dataSource.CreateCommand(TombstoneSqls[run.TenantId is null ? 1 : 0]);
        lookup.Parameters.Add(Uuid("workspace_id", run.WorkspaceId));
        lookup.Parameters.Add(Uuid("tenant_id", run.TenantId));
        lookup.Parameters.Add(IdentityHash("hash", run.IdentityHash));
        await using var reader = await lookup.ExecuteReaderAsync(ct);
        if (await reader.ReadAsync(ct))
        {
            var (purgedRun, completedAt, days) = (reader.GetGuid(0), reader.GetDateTime(1), reader.GetInt32(2));
            throw new ServiceDefaults.AlreadyExistsException(
                $"This {run.IdentityPolicy.Value} identity was already used by run {purgedRun}, completed " +
                $"{completedAt.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture)} and since purged by the " +
                $"workspace's run retention ({days} days); the same work is never done twice. Start it with a new identity to run it again.");
        }
    }

    private NpgsqlCommand EnsureCommand(NewRun run, StartGate? gate)
    {
        var ensure = dataSource.CreateCommand(EnsureSqls[(gate is null ? 0 : 4) + Variant(run)]);
        var p = ensure.Parameters;
        p.Add(Uuid("id", Guid.CreateVersion7()));
        p.Add(Uuid("workspace_id", run.WorkspaceId));
        p.Add(Uuid("tenant_id", run.TenantId));
        p.Add(Text("type", run.Type));
        p.Add(Text("policy", run.IdentityPolicy.Value));
        p.Add(IdentityHash("hash", run.IdentityHash));
        p.Add(Jsonb("inputs", JsonSerializer.Serialize(run.IdentityInputs, Json)));
        p.Add(Text("initiator_subject", run.InitiatorSubject));
        p.Add(Text("initiator_name", run.InitiatorName));
        p.Add(Jsonb("context", run.ContextJson));
        p.Add(Text("trace_id", run.TraceId));
        p.Add(Text("stream", run.Stream));
        p.Add(Text("trace_parent", run.TraceParent));
        p.Add(new NpgsqlParameter("dispatch_deadline", NpgsqlTypes.NpgsqlDbType.Interval) { Value = dispatch.Value.Deadline });
        p.Add(new NpgsqlParameter("immediate_grace", NpgsqlTypes.NpgsqlDbType.Interval) { Value = dispatch.Value.ImmediateGrace });
        p.AddWithValue("hold_dispatch", run.HoldDispatch);
        if (gate is not null)
        {
            p.Add(Text("gate_subject", gate.Subject));
            p.AddWithValue("gate_roles", NpgsqlTypes.NpgsqlDbType.Array | NpgsqlTypes.NpgsqlDbType.Text, gate.Roles.ToArray());
        }
        return ensure;
    }

    private async Task<(RunRecord Run, bool Created)?> ExecuteEnsureAsync(NpgsqlCommand ensure, NewRun newRun, CancellationToken ct)
    {
        RunRecord run;
        bool created;
        await using (var reader = await ensure.ExecuteReaderAsync(ct))
        {
            if (!await reader.ReadAsync(ct))
            {
                return null;
            }
            run = Read(reader);
            created = reader.GetBoolean(ColumnCount);
        }
        if (created && !run.DispatchHeld)
        {
            // The run and its outbox row have committed (the reader is done): hand the job to Redis now.
            immediateDispatch.Publish(new Dispatch.OutboxJob(0, run.Id, newRun.Stream, newRun.TraceParent, 0, run.Type,
                run.WorkspaceId, run.TenantId, run.CreatedAt));
        }
        if (created)
        {
            changes.Publish(run);
        }
        return (run, created);
    }

    public async Task<RunRecord?> FindAsync(Guid runId, CancellationToken ct)
    {
        await using var command = dataSource.CreateCommand($"SELECT {Columns} FROM {Table} WHERE id = @id");
        command.Parameters.Add(Uuid("id", runId));
        return await ReadSingleAsync(command, ct);
    }
}
