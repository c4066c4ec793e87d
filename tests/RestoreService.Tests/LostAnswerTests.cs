using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using Grpc.Core;
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

    [Fact]
    public async Task ALaterRestoreOfALostCreate_AsksTheUser_AdoptOneOrCreateAnew_AndNeverCreatesAgainByGuess()
    {
        var (setOfA, tenantB, entraB) = await TenantsAsync();
        // Every create is stored and its answer lost; Graph lists new policies an hour late, so no read-back finds one.
        await suite.SetGraphFaultsAsync(entraB, new { dropResponseAfterWrite = new { count = 1_000, method = "POST", operation = "create" }, listLagSeconds = 3_600 });
        var api = suite.RestoreApi(UserToken(Owner));
        var first = await CreateAndPreviewAsync(api, tenantB, setOfA, new Restore.V1.RestoreOptions { AllowBroadTargets = true });
        await api.ExecuteRestoreAsync(new ExecuteRestoreRequest { RestoreId = first.RestoreId, PlanHash = first.PlanHash });
        await suite.WaitForCompletionAsync(first.ExecuteRunId, TimeSpan.FromSeconds(120));
        Assert.All(await ItemsAsync(api, first.RestoreId), i => Assert.Equal(RestoreItemResult.NeedsReconcile, i.Result));

        // Still unlisted: a later restore of the same policies asks about every one, and executing it is refused, nothing written.
        await suite.SetGraphFaultsAsync(entraB, new { listLagSeconds = 3_600 });
        var second = await CreateAndPreviewAsync(api, tenantB, setOfA, new Restore.V1.RestoreOptions { AllowBroadTargets = true });
        Assert.Equal(0, second.Counts.Create);
        var asked = await ItemsAsync(api, second.RestoreId);
        Assert.All(asked, i =>
        {
            Assert.Equal("undecided_reference", i.BlockedReason);
            var lost = Assert.Single(i.References, r => r.Kind == "lost_create");
            Assert.Equal(("undecided", $"{first.RestoreId}/{i.ItemId}"), (lost.Decision, lost.SourceValue));
            Assert.Empty(lost.Candidates);
        });
        var writes = await WriteCountAsync(entraB);
        var refused = await FailsWith(StatusCode.FailedPrecondition, () => api.ExecuteRestoreAsync(new ExecuteRestoreRequest
        {
            RestoreId = second.RestoreId, PlanHash = second.PlanHash,
        }).ResponseAsync);
        Assert.Contains("wait for your decision", refused.Status.Detail, StringComparison.Ordinal);

        // Graph lists them now. The admin deleted one of them in the portal, and made a second policy of another one's name.
        await suite.SetGraphFaultsAsync(entraB, new { });
        using var graph = await suite.GraphHttpAsync(entraB);
        var byName = await ListedByNameAsync(graph);
        var gone = asked.First(i => i.OdataType.Contains("Configuration", StringComparison.Ordinal));
        var twin = asked.First(i => i.ItemId != gone.ItemId && i.OdataType.Contains("Configuration", StringComparison.Ordinal));
        using (var deleted = await graph.DeleteAsync($"/v1.0/deviceManagement/deviceConfigurations/{byName[gone.DisplayName].Single()}"))
        {
            Assert.True(deleted.IsSuccessStatusCode);
        }
        var lostCreateOfTwin = byName[twin.DisplayName].Single();
        var copy = JsonNode.Parse(await graph.GetStringAsync($"/v1.0/deviceManagement/deviceConfigurations/{lostCreateOfTwin}"))!.AsObject();
        foreach (var readOnly in new[] { "id", "createdDateTime", "lastModifiedDateTime", "version" })
        {
            copy.Remove(readOnly);
        }
        using (var made = await graph.PostAsync("/v1.0/deviceManagement/deviceConfigurations",
            new StringContent(copy.ToJsonString(), System.Text.Encoding.UTF8, "application/json")))
        {
            Assert.True(made.IsSuccessStatusCode, await made.Content.ReadAsStringAsync());
        }
        writes = await WriteCountAsync(entraB);

        await api.PreviewRestoreAsync(new PreviewRestoreRequest { RestoreId = second.RestoreId });
        second = await PreviewedAsync(api, second.RestoreId);
        var plan = (await ItemsAsync(api, second.RestoreId)).ToDictionary(i => i.ItemId);
        // One listed policy of its name and type, created since: that is the lost create, adopted (updated, not created).
        Assert.All(plan.Values.Where(i => i.ItemId != gone.ItemId && i.ItemId != twin.ItemId), i =>
        {
            Assert.NotEqual(RestoreAction.Create, i.Action);
            Assert.NotEqual(RestoreAction.Blocked, i.Action);
            var lost = Assert.Single(i.References, r => r.Kind == "lost_create");
            Assert.Equal(("mapped", i.TargetPolicyId), (lost.Decision, lost.TargetValue));
        });
        // None listed: it may only be created anew, by decision. Two listed: one is adopted, by decision.
        Assert.Empty(Assert.Single(plan[gone.ItemId].References, r => r.Kind == "lost_create" && r.Decision == "undecided").Candidates);
        var twins = Assert.Single(plan[twin.ItemId].References, r => r.Kind == "lost_create" && r.Decision == "undecided").Candidates;
        Assert.Equal(2, twins.Count);
        Assert.Contains(lostCreateOfTwin, twins);

        // A policy that is not a candidate (here: the deleted one's name-sake in the source tenant) is refused, nothing changed.
        var notCandidate = await FailsWith(StatusCode.InvalidArgument, () => api.SetReferenceDecisionsAsync(new SetReferenceDecisionsRequest
        {
            RestoreId = second.RestoreId,
            Decisions = { new ReferenceDecisionChoice { ItemId = twin.ItemId, Kind = "lost_create", Choice = ReferenceChoice.Map, TargetValue = twin.SourcePolicyId } },
        }).ResponseAsync);
        Assert.Contains("decisions[0].target_value", notCandidate.Status.Detail, StringComparison.Ordinal);
        await FailsWith(StatusCode.InvalidArgument, () => api.SetReferenceDecisionsAsync(new SetReferenceDecisionsRequest
        {
            RestoreId = second.RestoreId,
            Decisions = { new ReferenceDecisionChoice { ItemId = twin.ItemId, Kind = "lost_create", Choice = ReferenceChoice.Drop } },
        }).ResponseAsync);

        var decided = await api.SetReferenceDecisionsAsync(new SetReferenceDecisionsRequest
        {
            RestoreId = second.RestoreId,
            Decisions =
            {
                new ReferenceDecisionChoice { ItemId = twin.ItemId, Kind = "lost_create", Choice = ReferenceChoice.Map, TargetValue = lostCreateOfTwin },
                new ReferenceDecisionChoice { ItemId = gone.ItemId, Kind = "lost_create", Choice = ReferenceChoice.Create },
            },
        });
        second = await PreviewedAsync(api, decided.Restore.RestoreId);
        plan = (await ItemsAsync(api, second.RestoreId)).ToDictionary(i => i.ItemId);
        Assert.Equal(RestoreAction.Create, plan[gone.ItemId].Action);
        Assert.Equal(lostCreateOfTwin, plan[twin.ItemId].TargetPolicyId);
        Assert.Equal(writes, await WriteCountAsync(entraB));

        await api.ExecuteRestoreAsync(new ExecuteRestoreRequest { RestoreId = second.RestoreId, PlanHash = second.PlanHash });
        var run = await suite.WaitForCompletionAsync(second.ExecuteRunId, TimeSpan.FromSeconds(120));
        Assert.Equal(RunOutcome.Succeeded, run.Outcome);
        // The one policy created is the one the admin said was not there; every other stands on the create that was lost.
        var created = (await suite.GraphRequestsAsync(entraB)).GetProperty("writeRequests").EnumerateArray().Skip(writes)
            .Where(w => IsPolicyCreate(w) && w.GetProperty("stored").GetBoolean()).ToList();
        Assert.Single(created);
        Assert.Single((await ListedByNameAsync(graph))[gone.DisplayName]);

        // Settled: a third restore asks nothing and creates nothing.
        var third = await CreateAndPreviewAsync(api, tenantB, setOfA, new Restore.V1.RestoreOptions { AllowBroadTargets = true });
        Assert.All(await ItemsAsync(api, third.RestoreId), i => Assert.DoesNotContain(i.References, r => r.Kind == "lost_create"));
        Assert.Equal(0, third.Counts.Create);
        await api.CancelRestoreAsync(new CancelRestoreRequest { RestoreId = third.RestoreId });
        await suite.AssertNoActiveRunsAsync();
    }

    private async Task<int> WriteCountAsync(string entraTenantId) =>
        (await suite.GraphRequestsAsync(entraTenantId)).GetProperty("writeRequests").GetArrayLength();

    private static async Task<Dictionary<string, List<string>>> ListedByNameAsync(HttpClient graph)
    {
        var listed = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        foreach (var collection in new[] { "deviceConfigurations", "deviceCompliancePolicies" })
        {
            foreach (var policy in (await graph.GetFromJsonAsync<JsonElement>($"/v1.0/deviceManagement/{collection}")).GetProperty("value").EnumerateArray())
            {
                var name = policy.GetProperty("displayName").GetString()!;
                (listed.TryGetValue(name, out var ids) ? ids : listed[name] = []).Add(policy.GetProperty("id").GetString()!);
            }
        }
        return listed;
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
