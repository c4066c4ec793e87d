using Grpc.Core;
using TenantAtlas.Backup.V1;
using TenantAtlas.Inventory.V1;
using TenantAtlas.Runs.V1;
using static TenantAtlas.Testing.Suite.DomainSuiteFixture;

namespace TenantAtlas.BackupService.Tests;

/// <summary>
/// Bad input and other people's sets: each answer is a precise INVALID_ARGUMENT (naming the field) or NOT_FOUND, and
/// nothing is written — no set, no run.
/// </summary>
public sealed class BackupRequestTests(BackupSuiteFixture suite) : IClassFixture<BackupSuiteFixture>
{
    [Fact]
    public async Task CreateBackupSet_WithoutTenantOrName_NamesEachField_AndWritesNothing()
    {
        var (_, tenantId, _, _) = await suite.CreateTenantAsync("create-bad-owner", deviceConfigurations: 1, compliancePolicies: 0);
        var api = suite.BackupApi(UserToken("create-bad-owner"));

        var missing = await FailsWith(StatusCode.InvalidArgument, () => api.CreateBackupSetAsync(new CreateBackupSetRequest()).ResponseAsync);
        var tooLong = await FailsWith(StatusCode.InvalidArgument, () => api.CreateBackupSetAsync(new CreateBackupSetRequest
        {
            TenantId = tenantId, DisplayName = new string('x', 201),
        }).ResponseAsync);

        Assert.Contains("tenant_id", missing.Status.Detail);
        Assert.Contains("display_name", missing.Status.Detail);
        Assert.Contains("display_name", tooLong.Status.Detail);
        Assert.Equal(0L, await suite.BackupScalarAsync<long>("SELECT count(*) FROM backup.backup_sets WHERE tenant_id = @t", ("t", Guid.Parse(tenantId))));
    }

    [Theory]
    [InlineData("empty")]
    [InlineData("too_many_ids")]
    [InlineData("bad_id")]
    [InlineData("unknown_family")]
    public async Task AddPolicies_WithABadSelection_IsInvalidArgument_AndStartsNoRun(string badness)
    {
        var owner = $"selection-owner-{badness}";
        var (_, tenantId, _, _) = await suite.CreateTenantAsync(owner, deviceConfigurations: 1, compliancePolicies: 0);
        var api = suite.BackupApi(UserToken(owner));
        var set = (await api.CreateBackupSetAsync(new CreateBackupSetRequest { TenantId = tenantId, DisplayName = "Bad selections" })).BackupSet;
        var selection = new PolicySelection();
        switch (badness)
        {
            case "too_many_ids":
                selection.PolicyIds.AddRange(Enumerable.Range(0, 251).Select(_ => Guid.NewGuid().ToString()));
                break;
            case "bad_id":
                selection.PolicyIds.Add("../../deviceManagement");
                break;
            case "unknown_family":
                selection.Families.Add((PolicyFamily)99);
                break;
        }

        var error = await FailsWith(StatusCode.InvalidArgument, () => api.AddPoliciesAsync(new AddPoliciesRequest
        {
            BackupSetId = set.BackupSetId, Selection = selection,
        }).ResponseAsync);

        Assert.Contains("selection", error.Status.Detail);
        var runs = await suite.Runs(UserToken(owner)).ListRunsAsync(new ListRunsRequest { WorkspaceId = set.WorkspaceId, TenantId = tenantId });
        Assert.Empty(runs.Runs);
        Assert.Equal(BackupSetStatus.Empty, (await api.GetBackupSetAsync(new GetBackupSetRequest { BackupSetId = set.BackupSetId })).BackupSet.Status);
    }

    [Fact]
    public async Task AnotherWorkspacesSet_IsNotFound_ForEveryCall_AsAnUnknownSetIs()
    {
        var (_, tenantId, _, _) = await suite.CreateTenantAsync("set-owner", deviceConfigurations: 1, compliancePolicies: 0);
        await suite.CreateTenantAsync("stranger", deviceConfigurations: 1, compliancePolicies: 0);
        var set = (await suite.BackupApi(UserToken("set-owner")).CreateBackupSetAsync(new CreateBackupSetRequest
        {
            TenantId = tenantId, DisplayName = "Owner's set",
        })).BackupSet;
        var stranger = suite.BackupApi(UserToken("stranger"));
        var all = new PolicySelection { Families = { PolicyFamily.DeviceConfigurations } };

        var calls = new Func<Task>[]
        {
            () => stranger.GetBackupSetAsync(new GetBackupSetRequest { BackupSetId = set.BackupSetId }).ResponseAsync,
            () => stranger.ListBackupItemsAsync(new ListBackupItemsRequest { BackupSetId = set.BackupSetId }).ResponseAsync,
            () => stranger.AddPoliciesAsync(new AddPoliciesRequest { BackupSetId = set.BackupSetId, Selection = all }).ResponseAsync,
            () => stranger.GetBackupItemAsync(new GetBackupItemRequest { BackupSetId = set.BackupSetId, ItemId = Guid.NewGuid().ToString() }).ResponseAsync,
            () => stranger.ListBackupSetsAsync(new ListBackupSetsRequest { TenantId = tenantId }).ResponseAsync,
            () => stranger.CreateBackupSetAsync(new CreateBackupSetRequest { TenantId = tenantId, DisplayName = "Not mine" }).ResponseAsync,
        };
        var unknown = await FailsWith(StatusCode.NotFound, () => stranger.GetBackupSetAsync(new GetBackupSetRequest { BackupSetId = Guid.NewGuid().ToString() }).ResponseAsync);

        foreach (var call in calls)
        {
            await FailsWith(StatusCode.NotFound, call);
        }
        Assert.Contains("does not exist, or you may not see it", unknown.Status.Detail);
        Assert.Equal(1L, await suite.BackupScalarAsync<long>("SELECT count(*) FROM backup.backup_sets WHERE tenant_id = @t", ("t", Guid.Parse(tenantId))));
    }
}
