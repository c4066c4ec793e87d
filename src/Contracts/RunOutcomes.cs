using TenantAtlas.Runs.V1;

namespace TenantAtlas.Contracts;

/// <summary>
/// The one rule for a run's outcome from its counts (seed 053: partially succeeded = at least one success and at least
/// one failure), total over every count a handler can report. A skip (an item that needed nothing, or a dry run's item)
/// is neither a success nor a failure: skips alone are SUCCEEDED, skips beside failures and no success are FAILED.
/// RunsService derives and checks completions with it (its SQL guard is held to it by RunStateMachineParityTests), the
/// worker host and its test double use it, and a domain service names its own outcome from it (a restore's status), so
/// no completion anyone sends can contradict the counts it carries.
/// </summary>
public static class RunOutcomes
{
    /// <summary>The outcome the counts imply: no failure → SUCCEEDED; failures and a success → PARTIALLY_SUCCEEDED; else FAILED.</summary>
    public static RunOutcome FromCounts(long succeeded, long failed, long skipped)
    {
        _ = skipped; // Named so every caller says what it skipped; it decides nothing (see the class comment).
        return failed == 0 ? RunOutcome.Succeeded
            : succeeded > 0 ? RunOutcome.PartiallySucceeded
            : RunOutcome.Failed;
    }

    /// <summary>
    /// Whether an explicit final outcome agrees with the counts: FAILED and CANCELLED always do (a run can fail or be
    /// cancelled before or despite any success), SUCCEEDED needs no failure, PARTIALLY_SUCCEEDED a success and a failure.
    /// </summary>
    public static bool Agrees(RunOutcome outcome, long succeeded, long failed, long skipped) => outcome switch
    {
        RunOutcome.Failed or RunOutcome.Cancelled => true,
        RunOutcome.Succeeded or RunOutcome.PartiallySucceeded => FromCounts(succeeded, failed, skipped) == outcome,
        _ => false,
    };

    /// <summary>The outcome a completion records: the explicit one (UNSPECIFIED = none), or the one the counts imply.</summary>
    public static RunOutcome Completion(RunOutcome requested, long succeeded, long failed, long skipped) =>
        requested == RunOutcome.Unspecified ? FromCounts(succeeded, failed, skipped) : requested;
}
