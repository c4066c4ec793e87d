using Grpc.Core;
using TenantAtlas.Access.V1;
using TenantAtlas.Backup.V1;
using TenantAtlas.Restore.V1;
using TenantAtlas.Runs.V1;
using static TenantAtlas.RestoreService.Tests.RestoreRoundTripTests;
using static TenantAtlas.Testing.Suite.DomainSuiteFixture;

namespace TenantAtlas.RestoreService.Tests;

/// <summary>
/// Bad input gets a clear status and nothing reaches the target tenant (the emulator's write log proves it); the restore's
/// status moves only along its transitions, and the adapter run mirrors it, healing after a crash between the two writes.
/// </summary>
public sealed class RestoreRequestTests(RestoreSuiteFixture suite) : IClassFixture<RestoreSuiteFixture>
{
    [Fact]
    public async Task BadInput_IsRefusedWithItsStatus_AndNothingIsWrittenToTheTarget()
    {
        var (workspaceId, tenantId, entraTenantId, _) = await suite.CreateTenantAsync("bad-owner", deviceConfigurations: 3, compliancePolicies: 1);
        await suite.SyncGroupsAsync("bad-owner", tenantId);
        var set = await suite.BackUpAsync("bad-owner", tenantId);
        var api = suite.RestoreApi(UserToken("bad-owner"));

        // Malformed requests.
        await FailsWith(StatusCode.InvalidArgument, () => api.CreateRestoreAsync(new CreateRestoreRequest { TargetTenantId = "x", BackupSetId = set.BackupSetId }).ResponseAsync);
        await FailsWith(StatusCode.InvalidArgument, () => api.CreateRestoreAsync(new CreateRestoreRequest
        {
            TargetTenantId = tenantId, BackupSetId = set.BackupSetId, ItemIds = { Enumerable.Range(0, 1_001).Select(_ => Guid.NewGuid().ToString()) },
        }).ResponseAsync);
        var unknownItem = await FailsWith(StatusCode.InvalidArgument, () => api.CreateRestoreAsync(new CreateRestoreRequest
        {
            TargetTenantId = tenantId, BackupSetId = set.BackupSetId, ItemIds = { Guid.NewGuid().ToString() },
        }).ResponseAsync);
        Assert.Contains("not items of backup set", unknownItem.Status.Detail, StringComparison.Ordinal);
        await FailsWith(StatusCode.InvalidArgument, () => api.ExecuteRestoreAsync(new ExecuteRestoreRequest { RestoreId = Guid.NewGuid().ToString() }).ResponseAsync);

        // A set of another workspace, and a tenant the caller is not entitled to: NOT_FOUND, as if they did not exist.
        var (_, otherTenant, _, _) = await suite.CreateTenantAsync("other-owner", deviceConfigurations: 1, compliancePolicies: 0);
        await suite.SyncGroupsAsync("other-owner", otherTenant);
        var otherSet = await suite.BackUpAsync("other-owner", otherTenant);
        await FailsWith(StatusCode.NotFound, () => api.CreateRestoreAsync(new CreateRestoreRequest { TargetTenantId = tenantId, BackupSetId = otherSet.BackupSetId }).ResponseAsync);
        await FailsWith(StatusCode.NotFound, () => api.CreateRestoreAsync(new CreateRestoreRequest { TargetTenantId = otherTenant, BackupSetId = set.BackupSetId }).ResponseAsync);
        // The other workspace's owner is entitled to both of its own but not to this set: restores never cross workspaces.
        await FailsWith(StatusCode.NotFound, () => suite.RestoreApi(UserToken("other-owner")).CreateRestoreAsync(new CreateRestoreRequest
        {
            TargetTenantId = otherTenant, BackupSetId = set.BackupSetId,
        }).ResponseAsync);
        await FailsWith(StatusCode.NotFound, () => api.GetRestoreAsync(new GetRestoreRequest { RestoreId = Guid.NewGuid().ToString() }).ResponseAsync);

        // An empty selection: a set with nothing captured.
        var empty = (await suite.BackupApi(UserToken("bad-owner")).CreateBackupSetAsync(new CreateBackupSetRequest { TenantId = tenantId, DisplayName = "Empty" })).BackupSet;
        var nothing = await FailsWith(StatusCode.FailedPrecondition, () => api.CreateRestoreAsync(new CreateRestoreRequest { TargetTenantId = tenantId, BackupSetId = empty.BackupSetId }).ResponseAsync);
        Assert.Contains("nothing to restore", nothing.Status.Detail, StringComparison.Ordinal);

        // Execute without a preview.
        var draft = (await api.CreateRestoreAsync(new CreateRestoreRequest { TargetTenantId = tenantId, BackupSetId = set.BackupSetId })).Restore;
        var unpreviewed = await FailsWith(StatusCode.FailedPrecondition, () => api.ExecuteRestoreAsync(new ExecuteRestoreRequest
        {
            RestoreId = draft.RestoreId, PlanHash = new string('a', 64),
        }).ResponseAsync);
        Assert.Contains("is DRAFT", unpreviewed.Status.Detail, StringComparison.Ordinal);

        // A plan the caller did not see.
        var previewed = await CreateAndPreviewAsync(api, tenantId, set.BackupSetId, new RestoreOptions { AllowOverwrite = true });
        var changed = await FailsWith(StatusCode.FailedPrecondition, () => api.ExecuteRestoreAsync(new ExecuteRestoreRequest
        {
            RestoreId = previewed.RestoreId, PlanHash = new string('b', 64),
        }).ResponseAsync);
        Assert.Contains("plan changed", changed.Status.Detail, StringComparison.Ordinal);

        // Operators and read-only members may not execute (nor create) restores.
        await suite.Access(UserToken("bad-owner")).SetMemberAsync(new SetMemberRequest
        {
            WorkspaceId = workspaceId, Subject = "bad-operator", DisplayName = "Operator", Role = Role.Operator,
        });
        var operatorApi = suite.RestoreApi(UserToken("bad-operator"));
        await FailsWith(StatusCode.PermissionDenied, () => operatorApi.ExecuteRestoreAsync(new ExecuteRestoreRequest
        {
            RestoreId = previewed.RestoreId, PlanHash = previewed.PlanHash,
        }).ResponseAsync);
        await FailsWith(StatusCode.PermissionDenied, () => operatorApi.CreateRestoreAsync(new CreateRestoreRequest { TargetTenantId = tenantId, BackupSetId = set.BackupSetId }).ResponseAsync);
        // ...but an operator may look at it (tenant.backup_sets.view).
        Assert.Equal(previewed.RestoreId, (await operatorApi.GetRestoreAsync(new GetRestoreRequest { RestoreId = previewed.RestoreId })).Restore.RestoreId);

        // An expired plan (a replica whose plans live one second).
        var shortLived = suite.StartRestoreHost(new Dictionary<string, string> { ["Restore:PlanLifetime"] = "00:00:01" });
        var shortApi = suite.RestoreApi(UserToken("bad-owner"), shortLived);
        var expiring = (await shortApi.CreateRestoreAsync(new CreateRestoreRequest { TargetTenantId = tenantId, BackupSetId = set.BackupSetId })).Restore;
        await shortApi.PreviewRestoreAsync(new PreviewRestoreRequest { RestoreId = expiring.RestoreId });
        var expired = await PreviewedAsync(shortApi, expiring.RestoreId);
        await suite.StopServiceHostAsync(shortLived);
        await Task.Delay(TimeSpan.FromSeconds(1.5));
        var tooLate = await FailsWith(StatusCode.FailedPrecondition, () => api.ExecuteRestoreAsync(new ExecuteRestoreRequest
        {
            RestoreId = expired.RestoreId, PlanHash = expired.PlanHash,
        }).ResponseAsync);
        Assert.Contains("expired", tooLate.Status.Detail, StringComparison.Ordinal);

        // Nothing of all this reached the tenant as a write.
        Assert.Equal(0, (await suite.GraphRequestsAsync(entraTenantId)).GetProperty("writes").GetInt32());
        foreach (var restoreId in new[] { draft.RestoreId, previewed.RestoreId, expired.RestoreId })
        {
            await api.CancelRestoreAsync(new CancelRestoreRequest { RestoreId = restoreId });
        }
        await suite.AssertNoActiveRunsAsync();
    }

    [Fact]
    public async Task AMissingGroup_BlocksItsItems_ExecuteIsRefusedListingThem_UntilAChoiceIsMade_ThenTheRestIsRestored()
    {
        var (workspaceId, tenantA, _, _) = await suite.CreateTenantAsync("missing-owner", deviceConfigurations: 8, compliancePolicies: 2);
        await suite.SyncGroupsAsync("missing-owner", tenantA);
        var groupsOfA = await suite.CachedGroupsAsync("missing-owner", tenantA);
        var set = await suite.BackUpAsync("missing-owner", tenantA);
        var missing = groupsOfA.Values.Order(StringComparer.Ordinal).First();
        var (tenantB, entraB, _) = await suite.AddEmptyTenantAsync("missing-owner", workspaceId, groupsOfA.Values.Where(n => n != missing).Distinct());
        await suite.SyncGroupsAsync("missing-owner", tenantB);
        var api = suite.RestoreApi(UserToken("missing-owner"));

        var restore = await CreateAndPreviewAsync(api, tenantB, set.BackupSetId, new RestoreOptions());

        var mapping = Assert.Single(restore.GroupMappings, m => m.State == GroupMappingState.Missing);
        Assert.Equal(missing, mapping.SourceDisplayName);
        var blocked = (await ItemsAsync(api, restore.RestoreId)).Where(i => i.Action == RestoreAction.Blocked).ToList();
        Assert.Equal(mapping.ItemCount, blocked.Count);
        Assert.All(blocked, i => Assert.Equal("unmapped_group", i.BlockedReason));
        // Broad targets into another tenant without the opt-in: left out and reported, never silently.
        Assert.Contains((await ItemsAsync(api, restore.RestoreId)).SelectMany(i => i.References),
            r => r.Kind == "broad_target" && r.Decision == "skipped");

        var refused = await FailsWith(StatusCode.FailedPrecondition, () => api.ExecuteRestoreAsync(new ExecuteRestoreRequest
        {
            RestoreId = restore.RestoreId, PlanHash = restore.PlanHash,
        }).ResponseAsync);
        Assert.Contains($"'{blocked[0].DisplayName}'", refused.Status.Detail, StringComparison.Ordinal);
        Assert.Equal(0, (await suite.GraphRequestsAsync(entraB)).GetProperty("writes").GetInt32());
        // A chosen group must be one of the target's cache.
        await FailsWith(StatusCode.InvalidArgument, () => api.SetGroupMappingsAsync(new SetGroupMappingsRequest
        {
            RestoreId = restore.RestoreId,
            Choices = { new GroupMappingChoice { SourceGroupId = mapping.SourceGroupId, Choice = GroupChoice.Map, TargetGroupId = Guid.NewGuid().ToString() } },
        }).ResponseAsync);

        var chosen = await api.SetGroupMappingsAsync(new SetGroupMappingsRequest
        {
            RestoreId = restore.RestoreId,
            Choices = { new GroupMappingChoice { SourceGroupId = mapping.SourceGroupId, Choice = GroupChoice.Skip } },
        });
        Assert.Equal(RestoreStatus.Previewing, chosen.Restore.Status);
        var again = await PreviewedAsync(api, restore.RestoreId);
        Assert.Equal(GroupMappingState.Skipped, again.GroupMappings.Single(m => m.SourceGroupId == mapping.SourceGroupId).State);
        Assert.Equal(10, again.Counts.Create);
        Assert.NotEqual(restore.PlanHash, again.PlanHash);

        await api.ExecuteRestoreAsync(new ExecuteRestoreRequest { RestoreId = restore.RestoreId, PlanHash = again.PlanHash });
        var run = await suite.WaitForCompletionAsync(restore.ExecuteRunId, TimeSpan.FromSeconds(60));
        Assert.Equal(RunOutcome.Succeeded, run.Outcome);
        var skipped = (await ItemsAsync(api, restore.RestoreId)).Where(i => i.References.Any(r => r.SourceValue == mapping.SourceGroupId)).ToList();
        Assert.NotEmpty(skipped);
        Assert.All(skipped, i => Assert.Contains(i.References, r => r.SourceValue == mapping.SourceGroupId && r.Decision == "skipped"));
        await suite.AssertNoActiveRunsAsync();
    }

    [Fact]
    public async Task TheAdapterRun_MirrorsTheRestoreAtEveryStep_IsDispatchedOnlyOnExecute_AndHealsAfterACrashBetweenTheTwoWrites()
    {
        var (_, tenantId, entraTenantId, policyIds) = await suite.CreateTenantAsync("adapter-owner", deviceConfigurations: 3, compliancePolicies: 0);
        await suite.SyncGroupsAsync("adapter-owner", tenantId);
        var set = await suite.BackUpAsync("adapter-owner", tenantId);
        using (var admin = suite.EmulatorAdmin())
        {
            (await admin.DeleteAsync($"/emulator/tenants/{entraTenantId}/policies/deviceConfigurations/{policyIds[1]}")).EnsureSuccessStatusCode();
        }
        var api = suite.RestoreApi(UserToken("adapter-owner"));

        // PREVIEWED: the adapter run exists, queued and held (no job: the worker never sees it).
        var restore = await CreateAndPreviewAsync(api, tenantId, set.BackupSetId, new RestoreOptions());
        Assert.Equal(1, restore.Counts.Create);
        var adapter = await suite.WaitForRunAsync(restore.ExecuteRunId, r => r.Status == RunStatus.Queued);
        Assert.True(adapter.DispatchHeld);
        await Task.Delay(TimeSpan.FromSeconds(2));
        Assert.Equal(RunStatus.Queued, (await suite.WaitForRunAsync(restore.ExecuteRunId, _ => true)).Status);
        // A second preview keeps the one adapter run.
        await api.PreviewRestoreAsync(new PreviewRestoreRequest { RestoreId = restore.RestoreId });
        var repreviewed = await PreviewedAsync(api, restore.RestoreId);
        Assert.Equal(restore.ExecuteRunId, repreviewed.ExecuteRunId);

        // A crash right after the restore went QUEUED, before RunsService heard of it: the sweep releases the run.
        var queued = await suite.RestoreScalarAsync<int>(
            "UPDATE restore.restore_runs SET status = 'queued', adapter_pending = 'release', updated_at = now() - interval '1 minute' WHERE id = @id RETURNING 1",
            ("id", Guid.Parse(restore.RestoreId)));
        Assert.Equal(1, queued);
        var run = await suite.WaitForCompletionAsync(restore.ExecuteRunId, TimeSpan.FromSeconds(60));
        var done = (await api.GetRestoreAsync(new GetRestoreRequest { RestoreId = restore.RestoreId })).Restore;
        Assert.Equal(RestoreStatus.Completed, done.Status);
        Assert.Equal(RunOutcome.Succeeded, run.Outcome);
        Assert.False(run.DispatchHeld);
        Assert.Null(await suite.RestoreScalarAsync<object?>("SELECT adapter_pending FROM restore.restore_runs WHERE id = @id", ("id", Guid.Parse(restore.RestoreId))) as string);
        // Executing an ended restore again is refused, naming its status; the same run stays.
        var again = await FailsWith(StatusCode.FailedPrecondition, () => api.ExecuteRestoreAsync(new ExecuteRestoreRequest
        {
            RestoreId = restore.RestoreId, PlanHash = repreviewed.PlanHash,
        }).ResponseAsync);
        Assert.Contains("is COMPLETED", again.Status.Detail, StringComparison.Ordinal);

        // Cancelled while PREVIEWED: the restore and its adapter run end cancelled together.
        var cancelling = await CreateAndPreviewAsync(api, tenantId, set.BackupSetId, new RestoreOptions());
        var cancelled = (await api.CancelRestoreAsync(new CancelRestoreRequest { RestoreId = cancelling.RestoreId })).Restore;
        Assert.Equal(RestoreStatus.Cancelled, cancelled.Status);
        var cancelledRun = await suite.WaitForCompletionAsync(cancelling.ExecuteRunId);
        Assert.Equal(RunOutcome.Cancelled, cancelledRun.Outcome);
        await FailsWith(StatusCode.FailedPrecondition, () => api.CancelRestoreAsync(new CancelRestoreRequest { RestoreId = restore.RestoreId }).ResponseAsync);
        await suite.AssertNoActiveRunsAsync();
    }
}
