using TenantAtlas.Restore.V1;
using TenantAtlas.Runs.V1;
using static TenantAtlas.RestoreService.Tests.RestoreRoundTripTests;
using static TenantAtlas.Testing.Suite.DomainSuiteFixture;

namespace TenantAtlas.RestoreService.Tests;

/// <summary>
/// A restore and its execution run converge whichever of them ends first (issue 25): when the run ends without the
/// restore — its handler threw, passed its maximum duration, or was given up — the restore follows the run instead of
/// staying RUNNING for ever.
/// </summary>
public sealed class RestoreConvergenceTests(RestoreSuiteFixture suite) : IClassFixture<RestoreSuiteFixture>
{
    [Fact]
    public async Task AnExecutionThatPassesItsMaximumDuration_EndsItsRunFailed_AndTheRestoreFollows_NotRunningForEver()
    {
        var (workspaceId, tenantA, _, _) = await suite.CreateTenantAsync("overtime-owner", deviceConfigurations: 3, compliancePolicies: 0);
        await suite.SyncGroupsAsync("overtime-owner", tenantA);
        var groupsOfA = await suite.CachedGroupsAsync("overtime-owner", tenantA);
        var setOfA = await suite.BackUpAsync("overtime-owner", tenantA);
        var (tenantB, entraB, _) = await suite.AddEmptyTenantAsync("overtime-owner", workspaceId, groupsOfA.Values.Distinct());
        await suite.SyncGroupsAsync("overtime-owner", tenantB);
        var api = suite.RestoreApi(UserToken("overtime-owner"));
        var restore = await CreateAndPreviewAsync(api, tenantB, setOfA.BackupSetId, new Restore.V1.RestoreOptions { AllowBroadTargets = true });
        Assert.Equal(3, restore.Counts.Create);

        // Every Graph call of B now takes 3 s, and an execution may take 2 s: it is cancelled in its first item.
        await suite.ReplaceRestoreHostAsync(new Dictionary<string, string> { ["Worker:MaxRunDurations:restore.execute"] = "00:00:02" });
        try
        {
            await suite.SetGraphFaultsAsync(entraB, new { latencyMs = 3_000 });
            api = suite.RestoreApi(UserToken("overtime-owner"));
            await api.ExecuteRestoreAsync(new ExecuteRestoreRequest { RestoreId = restore.RestoreId, PlanHash = restore.PlanHash });

            var run = await suite.WaitForCompletionAsync(restore.ExecuteRunId, TimeSpan.FromSeconds(60));
            Assert.Equal(RunOutcome.Failed, run.Outcome);
            Assert.Contains(run.Failures, f => f.Code == "worker.timeout");
            var followed = await Eventually.UntilAsync(async () => (await api.GetRestoreAsync(new GetRestoreRequest { RestoreId = restore.RestoreId })).Restore,
                r => r.Status != RestoreStatus.Running && r.Status != RestoreStatus.Queued, TimeSpan.FromSeconds(20), "the restore follows its ended run");
            Assert.Equal(RestoreStatus.Failed, followed.Status);
            Assert.Equal("restore.execution_ended", followed.FailureCode);
            Assert.Contains("worker.timeout", followed.FailureMessage, StringComparison.Ordinal);
        }
        finally
        {
            await suite.SetGraphFaultsAsync(entraB, new { latencyMs = 0 });
            await suite.ReplaceRestoreHostAsync();
        }
        await suite.AssertNoActiveRunsAsync();
    }
}
