extern alias restore;

using TenantAtlas.Contracts;
using restore::TenantAtlas.RestoreService.Restores;
using TenantAtlas.Runs.V1;

namespace TenantAtlas.RestoreService.Tests;

/// <summary>
/// An executed restore names its status from the suite's one outcome rule over its items, and its adapter run takes the
/// outcome of that status: for every combination of written, unchanged and failed items, the outcome RunsService is sent
/// agrees with the counts it is sent with (the stuck restore of issue 25 sent PARTIALLY_SUCCEEDED with no success).
/// </summary>
public sealed class RestoreOutcomeTests
{
    [Fact]
    public void EveryCombinationOfItemResults_GivesTheAdapterRunAnOutcomeItsCountsAgreeWith()
    {
        long[] values = [0, 1, 3];
        foreach (var written in values)
        {
            foreach (var failed in values)
            {
                foreach (var unchanged in values)
                {
                    var status = RestoreStatuses.Of(RunOutcomes.FromCounts(written, failed, unchanged));
                    var outcome = RestoreStatuses.AdapterOutcome(status);
                    Assert.True(RunOutcomes.Agrees(outcome, written, failed, unchanged),
                        $"written {written}, failed {failed}, unchanged {unchanged}: {status} → {outcome}");
                }
            }
        }
    }

    [Fact]
    public void EveryEndedStatus_RoundTripsThroughItsAdapterOutcome()
    {
        foreach (var status in RestoreStatuses.Ended)
        {
            Assert.Equal(status, RestoreStatuses.Of(RestoreStatuses.AdapterOutcome(status)));
        }
        Assert.Equal(RestoreStatuses.Failed, RestoreStatuses.Of(RunOutcome.Failed));
    }
}
