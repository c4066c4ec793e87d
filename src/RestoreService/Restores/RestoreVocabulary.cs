using TenantAtlas.Restore.V1;
using TenantAtlas.Runs.V1;

namespace TenantAtlas.RestoreService.Restores;

/// <summary>
/// A restore's statuses as stored, the transitions each change may start from, and how each shows on the adapter run
/// (seed 054): PREVIEWED and QUEUED are the run's queued/pending, RUNNING its running, and the four ends its outcomes.
/// </summary>
public static class RestoreStatuses
{
    public const string Draft = "draft";
    public const string Previewing = "previewing";
    public const string Previewed = "previewed";
    public const string Queued = "queued";
    public const string Running = "running";
    public const string Completed = "completed";
    public const string Partial = "partial";
    public const string Failed = "failed";
    public const string Cancelled = "cancelled";

    /// <summary>Statuses a preview may (re)start from; PREVIEWING joins the active preview.</summary>
    public static readonly string[] Previewable = [Draft, Previewing, Previewed];

    /// <summary>Statuses a cancel applies to: nothing has been written yet.</summary>
    public static readonly string[] Cancellable = [Draft, Previewing, Previewed, Queued];

    public static readonly string[] Ended = [Completed, Partial, Failed, Cancelled];

    public static bool IsEnded(string status) => Ended.Contains(status);

    public static RestoreStatus ToProto(string status) => status switch
    {
        Draft => RestoreStatus.Draft,
        Previewing => RestoreStatus.Previewing,
        Previewed => RestoreStatus.Previewed,
        Queued => RestoreStatus.Queued,
        Running => RestoreStatus.Running,
        Completed => RestoreStatus.Completed,
        Partial => RestoreStatus.Partial,
        Failed => RestoreStatus.Failed,
        Cancelled => RestoreStatus.Cancelled,
        _ => RestoreStatus.Unspecified,
    };

    /// <summary>The adapter run's outcome for an ended restore (seed 054's mapping).</summary>
    public static RunOutcome AdapterOutcome(string status) => status switch
    {
        Completed => RunOutcome.Succeeded,
        Partial => RunOutcome.PartiallySucceeded,
        Failed => RunOutcome.Failed,
        Cancelled => RunOutcome.Cancelled,
        _ => throw new ArgumentOutOfRangeException(nameof(status), status, "Only an ended restore has an adapter outcome."),
    };

    /// <summary>An executed restore's status from its run's outcome (the suite's one rule, <c>RunOutcomes</c>, over its items).</summary>
    public static string Of(RunOutcome outcome) => outcome switch
    {
        RunOutcome.Succeeded => Completed,
        RunOutcome.PartiallySucceeded => Partial,
        RunOutcome.Failed => Failed,
        RunOutcome.Cancelled => Cancelled,
        _ => throw new ArgumentOutOfRangeException(nameof(outcome), outcome, "Only a final outcome names an ended restore."),
    };

    /// <summary>The adapter run's status for a restore status; null before the adapter exists (DRAFT, PREVIEWING).</summary>
    public static RunStatus? AdapterStatus(string status) => status switch
    {
        Previewed or Queued => RunStatus.Queued,
        Running => RunStatus.Running,
        Completed or Partial or Failed or Cancelled => RunStatus.Completed,
        _ => null,
    };
}

/// <summary>What a plan does with an item.</summary>
public static class RestoreActions
{
    public const string Create = "create";
    public const string Update = "update";
    public const string SkipIdentical = "skip_identical";
    public const string Blocked = "blocked";

    public static RestoreAction ToProto(string action) => action switch
    {
        Create => RestoreAction.Create,
        Update => RestoreAction.Update,
        SkipIdentical => RestoreAction.SkipIdentical,
        Blocked => RestoreAction.Blocked,
        _ => RestoreAction.Unspecified,
    };
}

/// <summary>Why an item is blocked (stable codes; the proto documents each).</summary>
public static class BlockedReasons
{
    public const string SecretRequired = "secret_required";
    public const string AmbiguousTarget = "ambiguous_target";
    public const string UnmappedGroup = "unmapped_group";
    public const string NotCaptured = "not_captured";
    public const string TargetChanged = "target_changed";
    public const string UndecidedReference = "undecided_reference";
    public const string ReferenceBlocked = "reference_blocked";

    /// <summary>Reasons that refuse executing until the user chooses (SetGroupMappings, SetReferenceDecisions).</summary>
    public static bool NeedChoice(string? reason) => reason is UnmappedGroup or UndecidedReference;
}

/// <summary>What executing did with an item.</summary>
public static class RestoreItemResults
{
    public const string Pending = "pending";
    public const string Created = "created";
    public const string Updated = "updated";
    public const string Unchanged = "unchanged";
    public const string Blocked = "blocked";
    public const string Failed = "failed";
    public const string NeedsReconcile = "needs_reconcile";
    public const string DryRun = "dry_run";

    /// <summary>Results a resumed execution leaves as they are.</summary>
    public static bool IsFinal(string result) => result is Created or Updated or Unchanged or Blocked or Failed or DryRun;

    public static RestoreItemResult ToProto(string result) => result switch
    {
        Pending => RestoreItemResult.Pending,
        Created => RestoreItemResult.Created,
        Updated => RestoreItemResult.Updated,
        Unchanged => RestoreItemResult.Unchanged,
        Blocked => RestoreItemResult.Blocked,
        Failed => RestoreItemResult.Failed,
        NeedsReconcile => RestoreItemResult.NeedsReconcile,
        DryRun => RestoreItemResult.DryRun,
        _ => RestoreItemResult.Unspecified,
    };
}
