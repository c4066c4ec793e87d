namespace TenantAtlas.RunsService.Runs;

/// <summary>Item counts of a run.</summary>
public readonly record struct RunCounts(long Total, long Processed, long Succeeded, long Failed, long Skipped);

/// <summary>Counts to overwrite; null fields stay as they are.</summary>
public readonly record struct RunCountsPatch(long? Total, long? Processed, long? Succeeded, long? Failed, long? Skipped);

/// <summary>A stored failure entry (already sanitized).</summary>
public sealed record RunFailure(string Code, string Message, string? Item);

/// <summary>One operation run as stored.</summary>
public sealed record RunRecord(
    Guid Id,
    Guid WorkspaceId,
    Guid? TenantId,
    string Type,
    RunStatusName Status,
    RunOutcomeName Outcome,
    IdentityPolicyName IdentityPolicy,
    string IdentityHash,
    IReadOnlyDictionary<string, string> IdentityInputs,
    string? InitiatorSubject,
    string InitiatorName,
    RunCounts Counts,
    IReadOnlyList<RunFailure> Failures,
    long FailuresDropped,
    string ContextJson,
    string? TraceId,
    DateTime CreatedAt,
    DateTime? StartedAt,
    DateTime? CompletedAt,
    DateTime UpdatedAt,
    bool DispatchHeld,
    RunCancelRequest? CancelRequest = null);

/// <summary>Who asked to cancel a run, and when (CancelRun on an active run).</summary>
public sealed record RunCancelRequest(DateTime At, string? BySubject, string ByName);

/// <summary>What EnsureRun inserts when the identity is free.</summary>
public sealed record NewRun(
    Guid WorkspaceId,
    Guid? TenantId,
    string Type,
    IdentityPolicyName IdentityPolicy,
    string IdentityHash,
    IReadOnlyDictionary<string, string> IdentityInputs,
    string? InitiatorSubject,
    string InitiatorName,
    string ContextJson,
    string? TraceId,
    string Stream,
    string? TraceParent,
    bool HoldDispatch = false);

/// <summary>
/// Who may start a run, checked by the insert statement itself (EnsureRun's fast path for users): a member of
/// the workspace whose role is one of <paramref name="Roles"/>, entitled to the run's tenant.
/// </summary>
public sealed record StartGate(string Subject, IReadOnlyList<string> Roles);

/// <summary>One UpdateRun, applied atomically.</summary>
public sealed record RunUpdate(
    Guid RunId,
    RunStatusName? ToStatus,
    RunOutcomeName? Outcome,
    RunCountsPatch SetCounts,
    RunCounts IncrementCounts,
    IReadOnlyList<RunFailure> Failures,
    Guid? AttemptId = null)
{
    /// <summary>
    /// Whether losing this update in a database crash is harmless, so it may commit without waiting for its WAL flush
    /// (<see cref="Persistence.RelaxedCommit"/>): a start (queued → running; its worker's next report or a redelivery of
    /// the job records it again) or absolute progress counts (the next report sets them again). Not increments (nothing
    /// would restore them), failures, outcomes or completions: those are the run's record.
    /// </summary>
    public bool LossIsHarmless =>
        Outcome is null && Failures.Count == 0 && IncrementCounts == default
        && (ToStatus == RunStatusName.Running || ToStatus is null);
}

/// <summary>ListRuns filters, already validated. Null means "no filter".</summary>
public sealed record RunFilter(
    Guid WorkspaceId,
    Guid? TenantId,
    IReadOnlyList<string> Types,
    IReadOnlyList<StatusBucketName> Buckets,
    DateTime? CreatedAfter,
    DateTime? CreatedBefore,
    string? InitiatorSubject);

/// <summary>The one status a user sees: queued, running, or the outcome of a completed run.</summary>
public sealed record StatusBucketName(string Value)
{
    public static readonly StatusBucketName Queued = new("queued");
    public static readonly StatusBucketName Running = new("running");
    public static readonly StatusBucketName Succeeded = new("succeeded");
    public static readonly StatusBucketName PartiallySucceeded = new("partially_succeeded");
    public static readonly StatusBucketName Failed = new("failed");
    public static readonly StatusBucketName Cancelled = new("cancelled");

    /// <summary>status for active runs, the outcome for completed ones (seed 053).</summary>
    public static StatusBucketName Of(RunStatusName status, RunOutcomeName outcome) =>
        status.IsTerminal ? new StatusBucketName(outcome.Value) : new StatusBucketName(status.Value);

    public bool IsActive => this == Queued || this == Running;

    public override string ToString() => Value;
}
