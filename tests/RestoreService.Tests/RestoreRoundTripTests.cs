using System.Text.Json;
using System.Text.Json.Nodes;
using Grpc.Core;
using TenantAtlas.Restore.V1;
using TenantAtlas.Runs.V1;
using static TenantAtlas.Testing.Suite.DomainSuiteFixture;

namespace TenantAtlas.RestoreService.Tests;

/// <summary>
/// Restores against the Graph emulator through the real GraphServiceClient, on real PostgreSQL and Redis: the cross-tenant
/// round trip, a create whose answer is lost, and the adapter run at every step.
/// </summary>
public sealed class RestoreRoundTripTests(RestoreSuiteFixture suite) : IClassFixture<RestoreSuiteFixture>
{
    [Fact]
    public async Task RoundTrip_BackupOfA_RestoredIntoB_WithGroupsOfTheSameNames_BacksUpEqualItemByItem_IdsMapped()
    {
        // Tenant A: 50 policies, each assigned to 2 of 10 groups (every fourth to all devices), compliance actions with CC lists.
        var (workspaceId, tenantA, _, _) = await suite.CreateTenantAsync("roundtrip-owner", deviceConfigurations: 40, compliancePolicies: 10);
        await suite.SyncGroupsAsync("roundtrip-owner", tenantA);
        var groupsOfA = await suite.CachedGroupsAsync("roundtrip-owner", tenantA);
        var setOfA = await suite.BackUpAsync("roundtrip-owner", tenantA);
        var contentsOfA = await suite.BackupContentsAsync("roundtrip-owner", setOfA.BackupSetId);
        Assert.Equal(50, contentsOfA.Count);
        var referencedGroups = contentsOfA.SelectMany(c => GroupIds(c.Content)).Distinct().ToList();
        Assert.True(referencedGroups.Count >= 10, $"the source references {referencedGroups.Count} groups");

        // Tenant B: no policies; groups of the same names with other ids.
        var (tenantB, entraB, groupsOfB) = await suite.AddEmptyTenantAsync("roundtrip-owner", workspaceId, groupsOfA.Values.Distinct());
        await suite.SyncGroupsAsync("roundtrip-owner", tenantB);
        var api = suite.RestoreApi(UserToken("roundtrip-owner"));

        var restore = await CreateAndPreviewAsync(api, tenantB, setOfA.BackupSetId, new RestoreOptions { AllowBroadTargets = true });

        Assert.True(restore.CrossTenant);
        Assert.Equal(50, restore.Counts.Create);
        Assert.All(restore.GroupMappings, m => Assert.Equal(GroupMappingState.MappedByName, m.State));
        Assert.Equal(referencedGroups.Order(), restore.GroupMappings.Select(m => m.SourceGroupId).Order());
        Assert.All(restore.GroupMappings, m => Assert.Equal(groupsOfB[groupsOfA[m.SourceGroupId]], m.TargetGroupId));
        var adapter = await suite.WaitForRunAsync(restore.ExecuteRunId, r => r.Status == RunStatus.Queued);
        Assert.Equal("restore.execute", adapter.Type);
        Assert.True(adapter.DispatchHeld);
        Assert.Equal(restore.RestoreId, adapter.Context.Fields["restore_run_id"].StringValue);
        var items = await ItemsAsync(api, restore.RestoreId);
        var compliance = items.First(i => i.Family == Inventory.V1.PolicyFamily.CompliancePolicies);
        Assert.Contains(compliance.Calls, c => c.Method == "POST" && c.Step == "create");
        Assert.Contains(compliance.References, r => r.Kind == "group" && r.Decision == "mapped" && r.Detail.StartsWith("notification CC list", StringComparison.Ordinal));
        Assert.Equal(0, (await suite.GraphRequestsAsync(entraB)).GetProperty("writes").GetInt32());

        var executed = await api.ExecuteRestoreAsync(new ExecuteRestoreRequest { RestoreId = restore.RestoreId, PlanHash = restore.PlanHash });
        Assert.Equal(restore.ExecuteRunId, executed.Run.RunId);
        var run = await suite.WaitForCompletionAsync(restore.ExecuteRunId, TimeSpan.FromSeconds(120));
        var done = (await api.GetRestoreAsync(new GetRestoreRequest { RestoreId = restore.RestoreId })).Restore;

        Assert.Equal(RestoreStatus.Completed, done.Status);
        Assert.Equal(RunOutcome.Succeeded, run.Outcome);
        Assert.Equal(50, run.Counts.Succeeded);
        Assert.Equal(50, done.Counts.Created);
        Assert.All(await ItemsAsync(api, restore.RestoreId), i =>
        {
            Assert.Equal(RestoreItemResult.Created, i.Result);
            Assert.Equal(["create_sent", "created", "assigned", "verified"], i.Journal.Select(j => j.Step));
            Assert.All(i.Journal.Where(j => j.Step is "created" or "assigned"), j => Assert.NotEmpty(j.RequestId));
            Assert.Equal("matches the plan", i.Journal[^1].Detail);
        });

        // A's notification templates were created in B (B had none), each once.
        Assert.All(done.TemplateMappings, t => Assert.Equal(TemplateMappingState.Create, t.State));
        Assert.All(done.TemplateMappings, t => Assert.NotEmpty(t.TargetTemplateId));
        var templatesOfB = (await suite.GraphRequestsAsync(entraB)).GetProperty("writeRequests").EnumerateArray()
            .Where(w => w.GetProperty("collection").GetString() == "notificationMessageTemplates" && w.GetProperty("operation").GetString() == "create").ToList();
        Assert.Equal(done.TemplateMappings.Count, templatesOfB.Count);

        // Back up B: every policy of A is there once, equal to A's with A's group and template ids replaced by B's.
        var setOfB = await suite.BackUpAsync("roundtrip-owner", tenantB);
        var contentsOfB = await suite.BackupContentsAsync("roundtrip-owner", setOfB.BackupSetId);
        Assert.Equal(50, contentsOfB.Count);
        var idMap = groupsOfA.ToDictionary(g => g.Key, g => groupsOfB[g.Value], StringComparer.OrdinalIgnoreCase);
        foreach (var template in done.TemplateMappings)
        {
            idMap[template.SourceTemplateId] = template.TargetTemplateId;
        }
        var restored = contentsOfB.ToLookup(c => (c.Item.DisplayName, c.Item.OdataType));
        foreach (var (item, content) in contentsOfA)
        {
            var counterpart = Assert.Single(restored[(item.DisplayName, item.OdataType)]);
            Assert.Equal(Canonical(content, idMap), Canonical(counterpart.Content, null));
            Assert.NotEqual(item.PolicyId, counterpart.Item.PolicyId);
        }
        await suite.AssertNoActiveRunsAsync();
    }

    [Fact]
    public async Task ACreateWhoseAnswerIsLost_IsNeedsReconcile_ThenFoundByReadingBack_AndNothingIsCreatedTwice()
    {
        var (workspaceId, tenantA, _, _) = await suite.CreateTenantAsync("reconcile-owner", deviceConfigurations: 6, compliancePolicies: 2);
        await suite.SyncGroupsAsync("reconcile-owner", tenantA);
        var groupsOfA = await suite.CachedGroupsAsync("reconcile-owner", tenantA);
        var setOfA = await suite.BackUpAsync("reconcile-owner", tenantA);
        var (tenantB, entraB, _) = await suite.AddEmptyTenantAsync("reconcile-owner", workspaceId, groupsOfA.Values.Distinct());
        await suite.SyncGroupsAsync("reconcile-owner", tenantB);
        var api = suite.RestoreApi(UserToken("reconcile-owner"));
        var restore = await CreateAndPreviewAsync(api, tenantB, setOfA.BackupSetId, new RestoreOptions { AllowBroadTargets = true });
        // The next two creates are stored by "Graph", then the connection is cut before the answer.
        await suite.SetGraphFaultsAsync(entraB, new { dropResponseAfterWrite = new { count = 2, method = "POST", collection = "deviceConfigurations", operation = "create" } });

        await api.ExecuteRestoreAsync(new ExecuteRestoreRequest { RestoreId = restore.RestoreId, PlanHash = restore.PlanHash });
        var run = await suite.WaitForCompletionAsync(restore.ExecuteRunId, TimeSpan.FromSeconds(90));

        Assert.Equal(RunOutcome.Succeeded, run.Outcome);
        var items = await ItemsAsync(api, restore.RestoreId);
        Assert.All(items, i => Assert.Equal(RestoreItemResult.Created, i.Result));
        var reconciled = items.Where(i => i.Journal.Any(j => j.Step == "create_uncertain")).ToList();
        Assert.Equal(2, reconciled.Count);
        Assert.All(reconciled, i =>
        {
            Assert.Equal(["create_sent", "create_uncertain", "reconciled", "assigned", "verified"], i.Journal.Select(j => j.Step));
            Assert.StartsWith("found on read-back", i.Journal[2].Detail, StringComparison.Ordinal);
        });
        // One POST per policy: the two lost answers were not followed by a second create.
        var requests = await suite.GraphRequestsAsync(entraB);
        Assert.Equal(8, requests.GetProperty("writeRequests").EnumerateArray().Count(IsPolicyCreate));
        var setOfB = await suite.BackUpAsync("reconcile-owner", tenantB);
        Assert.Equal(8, setOfB.ItemCount);
        await suite.AssertNoActiveRunsAsync();
    }

    [Fact]
    public async Task AWorkerStoppedMidExecute_IsTakenOverByAnother_ThatResumesFromTheJournal_AndEveryPolicyIsCreatedOnce()
    {
        var (workspaceId, tenantA, _, _) = await suite.CreateTenantAsync("resume-owner", deviceConfigurations: 16, compliancePolicies: 4);
        await suite.SyncGroupsAsync("resume-owner", tenantA);
        var groupsOfA = await suite.CachedGroupsAsync("resume-owner", tenantA);
        var setOfA = await suite.BackUpAsync("resume-owner", tenantA);
        var (tenantB, entraB, _) = await suite.AddEmptyTenantAsync("resume-owner", workspaceId, groupsOfA.Values.Distinct());
        await suite.SyncGroupsAsync("resume-owner", tenantB);
        var restore = await CreateAndPreviewAsync(suite.RestoreApi(UserToken("resume-owner")), tenantB, setOfA.BackupSetId,
            new RestoreOptions { AllowBroadTargets = true });
        // Slow Graph, so the execution is mid-way when its worker goes.
        await suite.SetGraphFaultsAsync(entraB, new { latencyMs = 150 });

        var executing = await suite.RestoreApi(UserToken("resume-owner")).ExecuteRestoreAsync(new ExecuteRestoreRequest { RestoreId = restore.RestoreId, PlanHash = restore.PlanHash });
        // A second execute while it runs is the same execution.
        var again = await suite.RestoreApi(UserToken("resume-owner")).ExecuteRestoreAsync(new ExecuteRestoreRequest { RestoreId = restore.RestoreId, PlanHash = restore.PlanHash });
        Assert.Equal(executing.Run.RunId, again.Run.RunId);
        Assert.True(again.Restore.Status is RestoreStatus.Queued or RestoreStatus.Running, $"the restore is {again.Restore.Status}");
        await Eventually.UntilAsync(async () => (await ItemsAsync(suite.RestoreApi(UserToken("resume-owner")), restore.RestoreId))
            .Count(i => i.Result == RestoreItemResult.Created), created => created >= 4, TimeSpan.FromSeconds(60), "four items are restored");
        // Mid-way, the restore and its adapter run both say running.
        Assert.Equal(RestoreStatus.Running, (await suite.RestoreApi(UserToken("resume-owner")).GetRestoreAsync(new GetRestoreRequest { RestoreId = restore.RestoreId })).Restore.Status);
        Assert.Equal(RunStatus.Running, (await suite.WaitForRunAsync(restore.ExecuteRunId, _ => true)).Status);
        await suite.ReplaceRestoreHostAsync();
        var run = await suite.WaitForCompletionAsync(restore.ExecuteRunId, TimeSpan.FromSeconds(120));
        var api = suite.RestoreApi(UserToken("resume-owner"));

        Assert.Equal(RunOutcome.Succeeded, run.Outcome);
        Assert.Equal(RestoreStatus.Completed, (await api.GetRestoreAsync(new GetRestoreRequest { RestoreId = restore.RestoreId })).Restore.Status);
        var items = await ItemsAsync(api, restore.RestoreId);
        Assert.All(items, i => Assert.Equal(RestoreItemResult.Created, i.Result));
        // Every policy was created once: one stored create per item, whatever the stop cut off.
        var creates = (await suite.GraphRequestsAsync(entraB)).GetProperty("writeRequests").EnumerateArray()
            .Where(w => IsPolicyCreate(w) && w.GetProperty("stored").GetBoolean()).ToList();
        Assert.Equal(20, creates.Count);
        var setOfB = await suite.BackUpAsync("resume-owner", tenantB);
        Assert.Equal(20, setOfB.ItemCount);
        Assert.Equal(items.Select(i => i.TargetPolicyId).Order(), creates.Select(c => c.GetProperty("policyId").GetString()).Order());
        await suite.AssertNoActiveRunsAsync();
    }

    // Seed 054's mapping both ways: CancelRun on a restore's execution run cancels the restore. Held (previewed, nothing
    // written): RunsService completes the run at once and the restore follows. Running: the handler lets the item in
    // flight finish, stops before the next one, and the restore and its run both end cancelled with what was written.
    [Fact]
    public async Task CancelRun_OfAHeldExecution_CancelsTheRestore_AndMidExecution_StopsBetweenItems_KeepingWhatWasWritten()
    {
        var (workspaceId, tenantA, _, _) = await suite.CreateTenantAsync("cancel-owner", deviceConfigurations: 16, compliancePolicies: 4);
        await suite.SyncGroupsAsync("cancel-owner", tenantA);
        var groupsOfA = await suite.CachedGroupsAsync("cancel-owner", tenantA);
        var setOfA = await suite.BackUpAsync("cancel-owner", tenantA);
        var (tenantB, entraB, _) = await suite.AddEmptyTenantAsync("cancel-owner", workspaceId, groupsOfA.Values.Distinct());
        await suite.SyncGroupsAsync("cancel-owner", tenantB);
        var api = suite.RestoreApi(UserToken("cancel-owner"));
        var runs = suite.Runs(UserToken("cancel-owner"));

        var held = await CreateAndPreviewAsync(api, tenantB, setOfA.BackupSetId, new RestoreOptions { AllowBroadTargets = true });
        var heldCancel = await runs.CancelRunAsync(new CancelRunRequest { RunId = held.ExecuteRunId });
        Assert.Equal(RunOutcome.Cancelled, heldCancel.Run.Outcome);
        var heldAfter = await Eventually.UntilAsync(async () => (await api.GetRestoreAsync(new GetRestoreRequest { RestoreId = held.RestoreId })).Restore,
            r => r.Status == RestoreStatus.Cancelled, TimeSpan.FromSeconds(10), "the previewed restore follows its cancelled run");
        Assert.Equal("restore.cancelled", heldAfter.FailureCode);
        await FailsWith(StatusCode.FailedPrecondition, () => api.ExecuteRestoreAsync(new ExecuteRestoreRequest { RestoreId = held.RestoreId, PlanHash = held.PlanHash }).ResponseAsync);

        var restore = await CreateAndPreviewAsync(api, tenantB, setOfA.BackupSetId, new RestoreOptions { AllowBroadTargets = true });
        await suite.SetGraphFaultsAsync(entraB, new { latencyMs = 150 });
        await api.ExecuteRestoreAsync(new ExecuteRestoreRequest { RestoreId = restore.RestoreId, PlanHash = restore.PlanHash });
        await Eventually.UntilAsync(async () => (await ItemsAsync(api, restore.RestoreId)).Count(i => i.Result == RestoreItemResult.Created),
            created => created >= 3, TimeSpan.FromSeconds(60), "three items are restored");
        var cancel = await runs.CancelRunAsync(new CancelRunRequest { RunId = restore.ExecuteRunId });
        var run = await suite.WaitForCompletionAsync(restore.ExecuteRunId, TimeSpan.FromSeconds(15));
        await suite.SetGraphFaultsAsync(entraB, new { latencyMs = 0 });

        Assert.Equal(RunStatus.Running, cancel.Run.Status);
        Assert.Equal(RunOutcome.Cancelled, run.Outcome);
        Assert.Empty(run.Failures);
        var after = (await api.GetRestoreAsync(new GetRestoreRequest { RestoreId = restore.RestoreId })).Restore;
        Assert.Equal(RestoreStatus.Cancelled, after.Status);
        var items = await ItemsAsync(api, restore.RestoreId);
        var created = items.Where(i => i.Result == RestoreItemResult.Created).ToList();
        Assert.InRange(created.Count, 3, 19);
        Assert.Equal(created.Count, run.Counts.Succeeded);
        // Nothing was cut off mid-write: every item is created or was never attempted.
        Assert.All(items, i => Assert.True(i.Result is RestoreItemResult.Created or RestoreItemResult.Pending, $"{i.DisplayName}: {i.Result}"));
        var creates = (await suite.GraphRequestsAsync(entraB)).GetProperty("writeRequests").EnumerateArray()
            .Where(w => IsPolicyCreate(w) && w.GetProperty("stored").GetBoolean()).ToList();
        Assert.Equal(created.Select(i => i.TargetPolicyId).Order(), creates.Select(c => c.GetProperty("policyId").GetString()).Order());
        await suite.AssertNoActiveRunsAsync();
    }

    [Fact]
    public async Task ADryRun_WritesNothing_AndSaysWhatItWouldDo_ThenUnderAWriteBudgetTighterThanItsPace_EveryThrottledWriteIsWaitedOutAndSentAgain()
    {
        var (workspaceId, tenantA, _, _) = await suite.CreateTenantAsync("budget-owner", deviceConfigurations: 10, compliancePolicies: 2);
        await suite.SyncGroupsAsync("budget-owner", tenantA);
        var groupsOfA = await suite.CachedGroupsAsync("budget-owner", tenantA);
        var setOfA = await suite.BackUpAsync("budget-owner", tenantA);
        // Graph allows 8 writes per 4 s here: the restore paces for Intune's 100 per 20 s, so Graph answers 429s.
        var (tenantB, entraB, _) = await suite.AddEmptyTenantAsync("budget-owner", workspaceId, groupsOfA.Values.Distinct(), writeBudget: 8, writeBudgetWindowSeconds: 4);
        await suite.SyncGroupsAsync("budget-owner", tenantB);
        var api = suite.RestoreApi(UserToken("budget-owner"));

        var dry = await CreateAndPreviewAsync(api, tenantB, setOfA.BackupSetId, new RestoreOptions { DryRun = true, AllowBroadTargets = true });
        await api.ExecuteRestoreAsync(new ExecuteRestoreRequest { RestoreId = dry.RestoreId, PlanHash = dry.PlanHash });
        var dryRun = await suite.WaitForCompletionAsync(dry.ExecuteRunId, TimeSpan.FromSeconds(60));

        Assert.Equal(RunOutcome.Succeeded, dryRun.Outcome);
        Assert.Equal(12, dryRun.Counts.Skipped);
        Assert.All(await ItemsAsync(api, dry.RestoreId), i =>
        {
            Assert.Equal(RestoreItemResult.DryRun, i.Result);
            Assert.StartsWith("Would create: POST /deviceManagement/", Assert.Single(i.Journal).Detail, StringComparison.Ordinal);
        });
        Assert.Equal(0, (await suite.GraphRequestsAsync(entraB)).GetProperty("writes").GetInt32());

        var restore = await CreateAndPreviewAsync(api, tenantB, setOfA.BackupSetId, new RestoreOptions { AllowBroadTargets = true });
        await api.ExecuteRestoreAsync(new ExecuteRestoreRequest { RestoreId = restore.RestoreId, PlanHash = restore.PlanHash });
        var run = await suite.WaitForCompletionAsync(restore.ExecuteRunId, TimeSpan.FromSeconds(120));

        Assert.Equal(RunOutcome.Succeeded, run.Outcome);
        Assert.Empty(run.Failures);
        Assert.All(await ItemsAsync(api, restore.RestoreId), i => Assert.Equal(RestoreItemResult.Created, i.Result));
        var requests = await suite.GraphRequestsAsync(entraB);
        Assert.True(requests.GetProperty("byStatus").TryGetProperty("429", out var throttled) && throttled.GetInt32() > 0,
            $"Graph never throttled the restore: {requests}");
        var writes = requests.GetProperty("writeRequests").EnumerateArray().ToList();
        Assert.Equal(12, writes.Count(w => IsPolicyCreate(w) && w.GetProperty("stored").GetBoolean()));
        Assert.Equal(12, writes.Count(w => w.GetProperty("operation").GetString() == "assign" && w.GetProperty("stored").GetBoolean()));
        await suite.AssertNoActiveRunsAsync();
    }

    [Fact]
    public async Task SameTenant_AfterAChange_PreviewShowsTheDiffAsJsonPointers_ExecuteUpdatesOnlyThatPolicy_AndTheRestIsIdentical()
    {
        var (_, tenantId, entraTenantId, policyIds) = await suite.CreateTenantAsync("update-owner", deviceConfigurations: 5, compliancePolicies: 1);
        await suite.SyncGroupsAsync("update-owner", tenantId);
        var set = await suite.BackUpAsync("update-owner", tenantId);
        using (var admin = suite.EmulatorAdmin())
        {
            var changed = await admin.PatchAsync($"/emulator/tenants/{entraTenantId}/policies/deviceConfigurations/{policyIds[0]}",
                new StringContent("""{"description":"changed outside the backup"}""", System.Text.Encoding.UTF8, "application/json"));
            changed.EnsureSuccessStatusCode();
        }
        var api = suite.RestoreApi(UserToken("update-owner"));

        var restore = await CreateAndPreviewAsync(api, tenantId, set.BackupSetId, new RestoreOptions());

        Assert.False(restore.CrossTenant);
        Assert.Equal(1, restore.Counts.Update);
        Assert.Equal(5, restore.Counts.SkipIdentical);
        Assert.All(restore.GroupMappings, m => Assert.Equal(GroupMappingState.MappedById, m.State));
        var update = (await ItemsAsync(api, restore.RestoreId)).Single(i => i.Action == RestoreAction.Update);
        Assert.Equal(policyIds[0], update.TargetPolicyId);
        var change = Assert.Single(update.Changes);
        Assert.Equal("/description", change.Path);
        Assert.Equal("\"changed outside the backup\"", change.Current);
        Assert.Equal(["PATCH"], update.Calls.Select(c => c.Method));

        await api.ExecuteRestoreAsync(new ExecuteRestoreRequest { RestoreId = restore.RestoreId, PlanHash = restore.PlanHash });
        var run = await suite.WaitForCompletionAsync(restore.ExecuteRunId, TimeSpan.FromSeconds(60));

        Assert.Equal(RunOutcome.Succeeded, run.Outcome);
        Assert.Equal(1, run.Counts.Succeeded);
        Assert.Equal(5, run.Counts.Skipped);
        var requests = await suite.GraphRequestsAsync(entraTenantId);
        Assert.Equal(1, requests.GetProperty("writes").GetInt32());
        var again = await CreateAndPreviewAsync(api, tenantId, set.BackupSetId, new RestoreOptions());
        Assert.Equal(6, again.Counts.SkipIdentical);
        await api.CancelRestoreAsync(new CancelRestoreRequest { RestoreId = again.RestoreId });
        await suite.AssertNoActiveRunsAsync();
    }

    /// <summary>Creates a restore and waits for its preview.</summary>
    internal static async Task<Restore.V1.Restore> CreateAndPreviewAsync(Restore.V1.RestoreService.RestoreServiceClient api, string targetTenantId,
        string backupSetId, RestoreOptions options, params string[] itemIds)
    {
        var created = (await api.CreateRestoreAsync(new CreateRestoreRequest
        {
            TargetTenantId = targetTenantId, BackupSetId = backupSetId, Options = options, ItemIds = { itemIds },
        })).Restore;
        Assert.Equal(RestoreStatus.Draft, created.Status);
        var previewing = await api.PreviewRestoreAsync(new PreviewRestoreRequest { RestoreId = created.RestoreId });
        Assert.Equal(RestoreStatus.Previewing, previewing.Restore.Status);
        return await PreviewedAsync(api, created.RestoreId);
    }

    internal static Task<Restore.V1.Restore> PreviewedAsync(Restore.V1.RestoreService.RestoreServiceClient api, string restoreId) =>
        Eventually.UntilAsync(async () => (await api.GetRestoreAsync(new GetRestoreRequest { RestoreId = restoreId })).Restore,
            r => r.Status != RestoreStatus.Previewing, TimeSpan.FromSeconds(60), $"restore {restoreId} is previewed")
            .ContinueWith(t =>
            {
                Assert.True(t.Result.Status == RestoreStatus.Previewed, $"preview ended {t.Result.Status}: {t.Result.FailureCode} {t.Result.FailureMessage}");
                return t.Result;
            }, TaskScheduler.Default);

    internal static async Task<List<RestoreItem>> ItemsAsync(Restore.V1.RestoreService.RestoreServiceClient api, string restoreId)
    {
        var items = new List<RestoreItem>();
        var token = string.Empty;
        do
        {
            var page = await api.ListRestoreItemsAsync(new ListRestoreItemsRequest { RestoreId = restoreId, PageSize = 500, PageToken = token });
            items.AddRange(page.Items);
            token = page.NextPageToken;
        }
        while (token.Length > 0);
        return items;
    }

    /// <summary>A create of a policy in the emulator's write log (a restore also creates the notification templates it needs).</summary>
    internal static bool IsPolicyCreate(JsonElement write) =>
        write.GetProperty("operation").GetString() == "create"
        && write.GetProperty("collection").GetString() is "deviceConfigurations" or "deviceCompliancePolicies";

    /// <summary>The group ids a stored policy references: assignment targets and compliance CC lists.</summary>
    private static IEnumerable<string> GroupIds(JsonElement content)
    {
        foreach (var assignment in content.GetProperty("assignments").EnumerateArray())
        {
            if (assignment.GetProperty("target").TryGetProperty("groupId", out var groupId) && groupId.ValueKind == JsonValueKind.String)
            {
                yield return groupId.GetString()!;
            }
        }
        if (content.TryGetProperty("scheduledActionsForRule", out var rules))
        {
            foreach (var id in rules.EnumerateArray().SelectMany(r => r.GetProperty("scheduledActionConfigurations").EnumerateArray())
                .SelectMany(c => c.GetProperty("notificationMessageCCList").EnumerateArray()))
            {
                yield return id.GetString()!;
            }
        }
    }

    /// <summary>
    /// A stored policy as the round trip compares it, written here independently of the service: without what Graph owns
    /// (ids, dates, version, annotations), assignments as their sorted targets, group ids mapped when a map is given.
    /// </summary>
    private static string Canonical(JsonElement content, IReadOnlyDictionary<string, string>? groupIdMap)
    {
        var node = JsonNode.Parse(content.GetRawText())!.AsObject();
        foreach (var owned in new[] { "id", "createdDateTime", "lastModifiedDateTime", "version" })
        {
            node.Remove(owned);
        }
        var text = Sorted(node, inActions: false)!.ToJsonString();
        foreach (var (from, to) in groupIdMap ?? new Dictionary<string, string>())
        {
            text = text.Replace(from, to, StringComparison.OrdinalIgnoreCase);
        }
        // Assignments sort by their mapped target.
        var parsed = JsonNode.Parse(text)!.AsObject();
        parsed["assignments"] = new JsonArray([.. parsed["assignments"]!.AsArray().Select(a => a!["target"]!.DeepClone())
            .OrderBy(t => t!.ToJsonString(), StringComparer.Ordinal)]);
        return parsed.ToJsonString();
    }

    private static JsonNode? Sorted(JsonNode? node, bool inActions) => node switch
    {
        JsonObject obj => new JsonObject(obj
            .Where(p => !(p.Key.Contains("@odata.", StringComparison.Ordinal) && p.Key != "@odata.type") && !(inActions && p.Key == "id"))
            .OrderBy(p => p.Key, StringComparer.Ordinal)
            .Select(p => KeyValuePair.Create(p.Key, Sorted(p.Value, inActions || p.Key == "scheduledActionsForRule")))),
        JsonArray array => new JsonArray([.. array.Select(i => Sorted(i, inActions))]),
        _ => node?.DeepClone(),
    };
}
