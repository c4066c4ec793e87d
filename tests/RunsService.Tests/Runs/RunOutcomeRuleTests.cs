using TenantAtlas.Contracts;
using TenantAtlas.Runs.V1;

namespace TenantAtlas.RunsService.Tests.Runs;

/// <summary>
/// The suite's one outcome rule (<see cref="RunOutcomes"/>) against seed 053's own words, over every combination of
/// counts a handler can report: "partially succeeded = at least one success and at least one failure", failed = failures
/// and no success, anything else succeeded; a skip is neither (issue 25: skipped items are not successes).
/// </summary>
public sealed class RunOutcomeRuleTests
{
    private static readonly long[] Values = [0, 1, 2, 1_000_000];

    public static TheoryData<long, long, long> EveryCombination()
    {
        var data = new TheoryData<long, long, long>();
        foreach (var succeeded in Values)
        {
            foreach (var failed in Values)
            {
                foreach (var skipped in Values)
                {
                    data.Add(succeeded, failed, skipped);
                }
            }
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(EveryCombination))]
    public void TheRule_IsSeed053s_AndEveryCompletionItDerivesIsOneItAccepts(long succeeded, long failed, long skipped)
    {
        var seed = succeeded >= 1 && failed >= 1 ? RunOutcome.PartiallySucceeded
            : failed >= 1 ? RunOutcome.Failed
            : RunOutcome.Succeeded;

        Assert.Equal(seed, RunOutcomes.FromCounts(succeeded, failed, skipped));
        Assert.Equal(seed, RunOutcomes.Completion(RunOutcome.Unspecified, succeeded, failed, skipped));
        Assert.True(RunOutcomes.Agrees(RunOutcomes.FromCounts(succeeded, failed, skipped), succeeded, failed, skipped));
        // Failed and cancelled agree with any counts; succeeded and partially succeeded only with their own.
        Assert.True(RunOutcomes.Agrees(RunOutcome.Failed, succeeded, failed, skipped));
        Assert.True(RunOutcomes.Agrees(RunOutcome.Cancelled, succeeded, failed, skipped));
        Assert.Equal(failed == 0, RunOutcomes.Agrees(RunOutcome.Succeeded, succeeded, failed, skipped));
        Assert.Equal(failed >= 1 && succeeded >= 1, RunOutcomes.Agrees(RunOutcome.PartiallySucceeded, succeeded, failed, skipped));
        Assert.False(RunOutcomes.Agrees(RunOutcome.Pending, succeeded, failed, skipped));
        Assert.False(RunOutcomes.Agrees(RunOutcome.Unspecified, succeeded, failed, skipped));
    }
}
