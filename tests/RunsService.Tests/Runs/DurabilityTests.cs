using TenantAtlas.RunsService.Runs;

namespace TenantAtlas.RunsService.Tests.Runs;

/// <summary>Which UpdateRun calls may commit without waiting for their WAL flush (docs/contract.md, "Durability").</summary>
public sealed class DurabilityTests
{
    private static readonly Guid Run = Guid.NewGuid();
    private static readonly RunCountsPatch NoCounts = new(null, null, null, null, null);

    private static RunUpdate Update(RunStatusName? to = null, RunOutcomeName? outcome = null, RunCountsPatch? set = null,
        RunCounts increment = default, params RunFailure[] failures) =>
        new(Run, to, outcome, set ?? NoCounts, increment, failures, Guid.NewGuid());

    [Fact]
    public void AStartAndAbsoluteProgress_MayBeLost_TheNextReportRestoresThem()
    {
        Assert.True(Update(RunStatusName.Running).LossIsHarmless);
        Assert.True(Update(RunStatusName.Running, set: new RunCountsPatch(0, 0, 0, 0, 0)).LossIsHarmless);
        Assert.True(Update(set: new RunCountsPatch(10, 4, 3, 1, 0)).LossIsHarmless);
    }

    [Fact]
    public void Increments_Failures_Outcomes_AndCompletions_AreTheRunsRecord_AndWaitForTheirFlush()
    {
        Assert.False(Update(increment: new RunCounts(0, 1, 1, 0, 0)).LossIsHarmless);
        Assert.False(Update(failures: new RunFailure("graph.throttled", "429", null)).LossIsHarmless);
        Assert.False(Update(RunStatusName.Completed).LossIsHarmless);
        Assert.False(Update(RunStatusName.Completed, RunOutcomeName.Succeeded).LossIsHarmless);
        Assert.False(Update(RunStatusName.Running, RunOutcomeName.Failed).LossIsHarmless);
    }
}
