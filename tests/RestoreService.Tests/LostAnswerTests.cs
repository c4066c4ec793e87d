using System.Net.Http.Json;
using System.Text.Json;
using TenantAtlas.Restore.V1;
using TenantAtlas.Runs.V1;
using static TenantAtlas.RestoreService.Tests.RestoreRoundTripTests;
using static TenantAtlas.Testing.Suite.DomainSuiteFixture;

namespace TenantAtlas.RestoreService.Tests;

/// <summary>
/// Lost create answers on an eventually consistent Graph (INTUNE.md "Traps"): every create's answer is lost after Graph
/// stored it, Graph lists new policies only after a lag longer than the read-backs, and it stores defaults the body did not
/// send. Reconciling by identity never creates anything twice, over a run of restores.
/// </summary>
public sealed class LostAnswerTests(RestoreSuiteFixture suite) : IClassFixture<RestoreSuiteFixture>
{
    private const string Owner = "lag-owner";

    /// <summary>What Graph stores beside a created policy's body (the beta scope-tag fields with the default tag).</summary>
    private static readonly object GraphDefaults = new { supportsScopeTags = true, roleScopeTagIds = new[] { "0" } };

    [Fact]
    public async Task EveryCreateAnswerLost_UnderListLag_AndServerDefaults_NoPolicyIsCreatedTwice_OverARunOfRestores()
    {
        var (setOfA, tenantB, entraB) = await TenantsAsync();
        // Every POST create (policies and templates) is stored, then its connection cut; new policies are listed 3 s late.
        await suite.SetGraphFaultsAsync(entraB, new { dropResponseAfterWrite = new { count = 1_000, method = "POST", operation = "create" }, listLagSeconds = 3 });
        var api = suite.RestoreApi(UserToken(Owner));

        var first = await CreateAndPreviewAsync(api, tenantB, setOfA, new Restore.V1.RestoreOptions { AllowBroadTargets = true });
        Assert.Equal(8, first.Counts.Create);
        await api.ExecuteRestoreAsync(new ExecuteRestoreRequest { RestoreId = first.RestoreId, PlanHash = first.PlanHash });
        var firstRun = await suite.WaitForCompletionAsync(first.ExecuteRunId, TimeSpan.FromSeconds(120));

        // Graph listed none of them during the read-backs: each stays NEEDS_RECONCILE, never POSTed a second time.
        var items = await ItemsAsync(api, first.RestoreId);
        Assert.All(items, i =>
        {
            Assert.Equal(RestoreItemResult.NeedsReconcile, i.Result);
            Assert.Equal(["create_sent", "create_uncertain", "needs_reconcile"], i.Journal.Select(j => j.Step));
            Assert.Equal("restore.needs_reconcile", i.FailureCode);
        });
        Assert.Equal(RunOutcome.Failed, firstRun.Outcome);
        Assert.Equal(8, await StoredPolicyCreatesAsync(entraB, perNameAtMost: 1));

        // Once Graph lists them, another restore of the same set sees each policy there and creates none.
        using var graph = await suite.GraphHttpAsync(entraB);
        await Eventually.UntilAsync(async () => await ListedAsync(graph), listed => listed == 8, TimeSpan.FromSeconds(30), "B lists the 8 policies");
        var second = await CreateAndPreviewAsync(api, tenantB, setOfA, new Restore.V1.RestoreOptions { AllowBroadTargets = true });
        Assert.Equal(0, second.Counts.Create);
        await api.ExecuteRestoreAsync(new ExecuteRestoreRequest { RestoreId = second.RestoreId, PlanHash = second.PlanHash });
        await suite.WaitForCompletionAsync(second.ExecuteRunId, TimeSpan.FromSeconds(120));

        Assert.Equal(8, await StoredPolicyCreatesAsync(entraB, perNameAtMost: 1));
        await suite.AssertNoActiveRunsAsync();
    }

    [Fact]
    public async Task EveryCreateAnswerLost_WithoutListLag_EachCreateIsFoundByIdentity_DespiteServerDefaults_AndNoneIsSentTwice()
    {
        // Graph stores values the body did not carry: a read-back that needed the exact content would miss every one.
        var (setOfA, tenantB, entraB) = await TenantsAsync();
        await suite.SetGraphFaultsAsync(entraB, new { dropResponseAfterWrite = new { count = 1_000, method = "POST", operation = "create" } });
        var api = suite.RestoreApi(UserToken(Owner));

        var restore = await CreateAndPreviewAsync(api, tenantB, setOfA, new Restore.V1.RestoreOptions { AllowBroadTargets = true });
        await api.ExecuteRestoreAsync(new ExecuteRestoreRequest { RestoreId = restore.RestoreId, PlanHash = restore.PlanHash });
        var run = await suite.WaitForCompletionAsync(restore.ExecuteRunId, TimeSpan.FromSeconds(120));

        Assert.Equal(RunOutcome.Succeeded, run.Outcome);
        Assert.All(await ItemsAsync(api, restore.RestoreId), i =>
        {
            Assert.Equal(RestoreItemResult.Created, i.Result);
            Assert.Equal(["create_sent", "create_uncertain", "reconciled", "assigned", "verified"], i.Journal.Select(j => j.Step));
        });
        Assert.Equal(8, await StoredPolicyCreatesAsync(entraB, perNameAtMost: 1));
        await suite.AssertNoActiveRunsAsync();
    }

    /// <summary>A backup of tenant A (8 policies, compliance with notification templates) and an empty tenant B with A's group names and Graph's defaults.</summary>
    private async Task<(string SetOfA, string TenantB, string EntraB)> TenantsAsync()
    {
        var (workspaceId, tenantA, _, _) = await suite.CreateTenantAsync(Owner, deviceConfigurations: 6, compliancePolicies: 2);
        await suite.SyncGroupsAsync(Owner, tenantA);
        var groupsOfA = await suite.CachedGroupsAsync(Owner, tenantA);
        var setOfA = await suite.BackUpAsync(Owner, tenantA);
        var (tenantB, entraB, _) = await suite.AddEmptyTenantAsync(Owner, workspaceId, groupsOfA.Values.Distinct(), createDefaults: GraphDefaults);
        await suite.SyncGroupsAsync(Owner, tenantB);
        return (setOfA.BackupSetId, tenantB, entraB);
    }

    /// <summary>The policy creates Graph stored; fails when any display name was created more than <paramref name="perNameAtMost"/> times.</summary>
    private async Task<int> StoredPolicyCreatesAsync(string entraTenantId, int perNameAtMost)
    {
        var creates = (await suite.GraphRequestsAsync(entraTenantId)).GetProperty("writeRequests").EnumerateArray()
            .Where(w => IsPolicyCreate(w) && w.GetProperty("stored").GetBoolean()).Select(w => w.GetProperty("policyId").GetString()!).ToList();
        using var graph = await suite.GraphHttpAsync(entraTenantId);
        var names = new List<string>();
        foreach (var collection in new[] { "deviceConfigurations", "deviceCompliancePolicies" })
        {
            foreach (var id in creates)
            {
                using var response = await graph.GetAsync($"/v1.0/deviceManagement/{collection}/{id}");
                if (response.IsSuccessStatusCode)
                {
                    names.Add((await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("displayName").GetString()!);
                }
            }
        }
        Assert.All(names.GroupBy(n => n), g => Assert.True(g.Count() <= perNameAtMost, $"'{g.Key}' was created {g.Count()} times"));
        return creates.Count;
    }

    private static async Task<int> ListedAsync(HttpClient graph)
    {
        var configurations = await graph.GetFromJsonAsync<JsonElement>("/v1.0/deviceManagement/deviceConfigurations");
        var compliance = await graph.GetFromJsonAsync<JsonElement>("/v1.0/deviceManagement/deviceCompliancePolicies");
        return configurations.GetProperty("value").GetArrayLength() + compliance.GetProperty("value").GetArrayLength();
    }
}
