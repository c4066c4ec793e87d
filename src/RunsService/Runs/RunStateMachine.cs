using TenantAtlas.Contracts;

namespace TenantAtlas.RunsService.Runs;

/// <summary>
/// The run state machine in one place (seed 053/054): <c>queued → running → completed</c> and
/// <c>queued → completed</c>; progress at any active status; completed runs never change. A completion's outcome is
/// the caller's (when it agrees with the counts) or derived from the counts. <see cref="RunStore"/>'s guarded UPDATE is
/// the same rule in SQL, for one round trip; <c>RunStateMachineParityTests</c> proves the two agree on every status ×
/// target × outcome × counts.
/// </summary>
public static class RunStateMachine
{
    /// <summary>Statuses an update may move a run to (a run never returns to queued).</summary>
    public static readonly IReadOnlyList<RunStatusName> Targets = [RunStatusName.Running, RunStatusName.Completed];

    /// <summary>Whether a request is well formed: an explicit outcome only comes with the completion.</summary>
    public static bool OutcomeAllowedWith(RunStatusName? target) => target == RunStatusName.Completed;

    /// <summary>
    /// Why the update may not apply to a run at <paramref name="current"/> whose counts after the update would be
    /// <paramref name="succeeded"/> / <paramref name="failed"/>; null when it may. (<paramref name="target"/> null = progress only.)
    /// </summary>
    public static string? Refusal(RunStatusName current, RunOutcomeName currentOutcome, RunStatusName? target,
        RunOutcomeName? outcome, long succeeded, long failed, long skipped)
    {
        if (current.IsTerminal)
        {
            return $"it is completed (outcome {currentOutcome}) and a completed run cannot change. Current status: {current}.";
        }
        if (target is not null && !Targets.Contains(target))
        {
            return $"a run cannot move to {target}. Current status: {current}.";
        }
        if (outcome is not null && !OutcomeAgrees(outcome, succeeded, failed, skipped))
        {
            return $"outcome {outcome} contradicts the run's counts (succeeded {succeeded}, failed {failed}, skipped {skipped} after this update); " +
                $"succeeded needs failed = 0, partially_succeeded needs succeeded > 0 and failed > 0 (a skip is not a success). Current status: {current}.";
        }
        return null;
    }

    /// <summary>The outcome a completion records: the caller's, or derived from the counts.</summary>
    public static RunOutcomeName CompletionOutcome(RunOutcomeName? outcome, long succeeded, long failed, long skipped) =>
        outcome ?? RunOutcomeName.DeriveFrom(succeeded, failed, skipped);

    /// <summary>Whether an explicit outcome agrees with the counts: the suite's one rule (<see cref="RunOutcomes.Agrees"/>).</summary>
    public static bool OutcomeAgrees(RunOutcomeName outcome, long succeeded, long failed, long skipped) =>
        RunOutcomes.Agrees(outcome.Proto, succeeded, failed, skipped);
}
