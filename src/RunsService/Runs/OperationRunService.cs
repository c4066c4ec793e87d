using System.Diagnostics;
using TenantAtlas.RunsService.Access;
using TenantAtlas.ServiceDefaults;

namespace TenantAtlas.RunsService.Runs;

/// <summary>An EnsureRun request, validated.</summary>
public sealed record EnsureRunCommand(
    Guid WorkspaceId,
    Guid? TenantId,
    RunType Type,
    IdentityPolicyName IdentityPolicy,
    string ClickId,
    IReadOnlyDictionary<string, string> IdentityInputs,
    string ContextJson,
    bool HoldDispatch = false);

/// <summary>
/// The canonical OperationRun flow (seeds 053/054/086): access first, then one atomic write. gRPC services
/// translate to and from these calls and nothing more.
/// </summary>
public sealed class OperationRunService(RunStore store, WorkspaceAccess access, PageTokens pageTokens, Dispatch.CancelSignal cancelSignal)
{
    /// <summary>The initiator name of runs a service starts without a user (seed 054).</summary>
    public const string SystemInitiatorName = "System";

    public async Task<(RunRecord Run, bool Created)> EnsureAsync(Caller caller, EnsureRunCommand command, CancellationToken ct)
    {
        if (!command.Type.Available)
        {
            // A run nobody would ever do must not be accepted. Access is decided first, as for any type: an outsider
            // gets NOT_FOUND (learning nothing about the workspace) and a member without the capability
            // PERMISSION_DENIED; only a caller who could otherwise start it hears that it cannot be done here.
            await access.AuthorizeStartAsync(caller, command.WorkspaceId, command.TenantId, command.Type, ct);
            throw Unavailable(command.Type);
        }
        var hash = RunIdentity.Hash(command.WorkspaceId, command.TenantId, command.Type.Name, command.IdentityPolicy,
            command.ClickId, command.IdentityInputs);
        var activity = Activity.Current is { IdFormat: ActivityIdFormat.W3C } current ? current : null;
        var newRun = new NewRun(
            command.WorkspaceId,
            command.TenantId,
            command.Type.Name,
            command.IdentityPolicy,
            hash,
            command.IdentityInputs,
            caller.IsService ? null : caller.Subject,
            caller.IsService ? SystemInitiatorName : caller.DisplayName,
            command.ContextJson,
            activity?.TraceId.ToHexString(),
            command.Type.Stream,
            activity?.Id,
            command.HoldDispatch);

        // Users: access check and write in one statement. Refused there (or raced by a concurrent run of the same
        // identity), the full check below says precisely why, or finds the caller allowed after all.
        if (!caller.IsService
            && await store.TryEnsureAsync(newRun, new StartGate(caller.Subject, Role.Granting(command.Type.Capability)), ct) is { } fast)
        {
            RunTelemetry.Ensured(fast.Run, fast.Created);
            return fast;
        }
        await access.AuthorizeStartAsync(caller, command.WorkspaceId, command.TenantId, command.Type, ct);
        var (run, created) = await store.EnsureAsync(newRun, ct);
        RunTelemetry.Ensured(run, created);
        return (run, created);
    }

    /// <summary>The refusal of a known type that no service handles yet; it says what the caller can do about it.</summary>
    private static FailedPreconditionException Unavailable(RunType type) => new(
        $"Run type '{type.Name}' is not available in this deployment: no service handles it yet (the {type.OwningService} " +
        "service has no handler for it), so its run would never be done. ListRunTypes answers available = false for it; " +
        "offer and start only available types.");

    public async Task<RunRecord> UpdateAsync(Caller caller, RunUpdate update, CancellationToken ct)
    {
        if (!caller.IsService)
        {
            throw new PermissionDeniedException("Only service identities may update runs; users start and view them.");
        }
        // Failure text often quotes upstream errors; nothing secret may reach the database.
        var sanitized = update with
        {
            Failures = [.. update.Failures.Select(f => f with { Message = FailureSanitizer.Sanitize(f.Message) })],
        };
        var run = await store.UpdateAsync(sanitized, ct);
        RunTelemetry.Updated(run);
        return run;
    }

    /// <summary>
    /// Dispatches a held run. The caller must be allowed to start its type (as when it was created: the person who
    /// confirms, or the owning service); a run they may not view is NOT_FOUND, a completed one FAILED_PRECONDITION.
    /// </summary>
    public async Task<(RunRecord Run, bool Released)> ReleaseAsync(Caller caller, Guid runId, CancellationToken ct)
    {
        var run = await store.FindAsync(runId, ct) ?? throw WorkspaceAccess.RunNotFound(runId);
        await access.AuthorizeViewAsync(caller, run, ct);
        var type = RunTypes.Find(run.Type)
            ?? throw new FailedPreconditionException($"Run {run.Id} is of type '{run.Type}', which this deployment does not know; it cannot be dispatched.");
        await access.AuthorizeStartAsync(caller, run.WorkspaceId, run.TenantId, type, ct);
        var activity = Activity.Current is { IdFormat: ActivityIdFormat.W3C } current ? current : null;
        var (released, done) = await store.ReleaseAsync(runId, type.Stream, activity?.Id, ct) ?? throw WorkspaceAccess.RunNotFound(runId);
        if (!done && released.Status.IsTerminal)
        {
            throw new FailedPreconditionException(
                $"Run {released.Id} is completed ({released.Outcome}); there is nothing to dispatch. Start a new run instead.");
        }
        RunTelemetry.Updated(released);
        return (released, done);
    }

    /// <summary>
    /// Asks a run to stop (docs/contract.md, "Cancel"). Whoever may view the run may cancel it: the run's type capability
    /// is what its initiator needed to start it, and a member who holds it may also stop a colleague's or a schedule's
    /// run. A queued run is completed cancelled at once; a running run's workers are told, and complete it cancelled
    /// when they stop between items. The owning service's workers hear of both. Asking again is answered with the run as it is.
    /// </summary>
    public async Task<(RunRecord Run, bool Requested)> CancelAsync(Caller caller, Guid runId, CancellationToken ct)
    {
        var run = await store.FindAsync(runId, ct) ?? throw WorkspaceAccess.RunNotFound(runId);
        await access.AuthorizeViewAsync(caller, run, ct);
        var (after, requested) = await store.CancelAsync(runId, caller.IsService ? null : caller.Subject,
            caller.IsService ? SystemInitiatorName : caller.DisplayName, ct) ?? throw WorkspaceAccess.RunNotFound(runId);
        if (!requested && after.CancelRequest is null)
        {
            throw new FailedPreconditionException(
                $"Run {after.Id} is completed (outcome {after.Outcome}); a completed run cannot be cancelled. Current status: {after.Status}.");
        }
        if (requested)
        {
            RunTelemetry.CancelRequested(after);
            // Running: its worker stops the handler. Queued (completed just now): the owning service may keep records
            // of its own to close (a restore whose execution was cancelled before it ran).
            if (RunTypes.Find(after.Type) is { } type)
            {
                await cancelSignal.PublishAsync(type.Stream, after.Id);
            }
        }
        return (after, requested);
    }

    public async Task<RunRecord> GetAsync(Caller caller, Guid runId, CancellationToken ct)
    {
        var run = await store.FindAsync(runId, ct) ?? throw WorkspaceAccess.RunNotFound(runId);
        await access.AuthorizeViewAsync(caller, run, ct);
        return run;
    }

    public async Task<(IReadOnlyList<RunRecord> Runs, string? NextPageToken)> ListAsync(Caller caller, RunFilter filter,
        int pageSize, string? pageToken, CancellationToken ct)
    {
        var visibility = await access.VisibilityAsync(caller, filter.WorkspaceId, filter.TenantId, ct);
        var fingerprint = PageTokens.Fingerprint(
            [filter.WorkspaceId.ToString(), filter.TenantId?.ToString(), filter.InitiatorSubject,
             filter.CreatedAfter?.Ticks.ToString(System.Globalization.CultureInfo.InvariantCulture),
             filter.CreatedBefore?.Ticks.ToString(System.Globalization.CultureInfo.InvariantCulture)],
            filter.Types, filter.Buckets.Select(b => b.Value));
        RunCursor? after = string.IsNullOrEmpty(pageToken) ? null : pageTokens.Decode<RunPosition>(pageToken, fingerprint).ToCursor();

        // One extra row tells whether another page exists without a COUNT.
        var runs = await store.ListAsync(filter, visibility, after, pageSize + 1, ct);
        if (runs.Count <= pageSize)
        {
            return (runs, null);
        }
        var page = runs.Take(pageSize).ToList();
        var last = page[^1];
        return (page, pageTokens.Encode(RunPosition.Of(last), fingerprint));
    }

    /// <summary>A page token's position: PostgreSQL keeps microseconds, and the cursor must compare equal to the stored value.</summary>
    private sealed record RunPosition(long At, Guid Id)
    {
        public static RunPosition Of(RunRecord run) => new((run.CreatedAt.ToUniversalTime() - DateTime.UnixEpoch).Ticks / 10, run.Id);

        public RunCursor ToCursor() => new(DateTime.UnixEpoch.AddTicks(At * 10), Id);
    }
}
