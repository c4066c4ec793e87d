using TenantAtlas.TenantGraph;
using System.Text.Json;
using TenantAtlas.Backup.V1;
using TenantAtlas.Inventory.V1;
using TenantAtlas.Runs.V1;
using static TenantAtlas.Testing.Suite.DomainSuiteFixture;

namespace TenantAtlas.BackupService.Tests;

/// <summary>
/// backup_set.add_policies against the Graph emulator through the real GraphServiceClient, on real PostgreSQL and Redis:
/// paging, $batch, throttling, failing items, secrets, completeness and content dedupe.
/// </summary>
public sealed class BackupCaptureTests(BackupSuiteFixture suite) : IClassFixture<BackupSuiteFixture>
{
    private static readonly PolicySelection AllPolicies = new() { Families = { PolicyFamily.DeviceConfigurations, PolicyFamily.CompliancePolicies } };

    [Fact]
    public async Task Capture_PagedOverThreePages_StoresEveryPolicyAsRawGraphJsonWithItsAssignments_AndTheSetIsComplete()
    {
        var (_, tenantId, entraTenantId, policyIds) = await suite.CreateTenantAsync("paging-owner", deviceConfigurations: 25, compliancePolicies: 5, pageSize: 10);
        // The second page fails once with a 500 (which the SDK does not retry): the capture retries that page alone.
        await suite.SetGraphFaultsAsync(entraTenantId, new { failPageOnce = new { collection = "deviceConfigurations", page = 2, status = 500 } });

        var (set, run) = await CaptureAsync("paging-owner", tenantId, AllPolicies);

        Assert.Equal(RunOutcome.Succeeded, run.Outcome);
        Assert.Equal(30, run.Counts.Succeeded);
        Assert.Equal(30, run.Counts.Total);
        Assert.Equal(BackupSetStatus.Complete, set.Status);
        Assert.Equal(30, set.ItemCount);
        Assert.All(set.Coverage, c => Assert.True(c.ListComplete && c.Listed == c.Captured, $"{c.Family}: {c.Listed} listed, {c.Captured} captured"));
        Assert.Equal(25, set.Coverage.Single(c => c.Family == PolicyFamily.DeviceConfigurations).Captured);
        var items = await ItemsAsync("paging-owner", set.BackupSetId);
        Assert.Equal(policyIds.Order(), items.Select(i => i.PolicyId).Order());
        Assert.All(items, i => Assert.Equal(BackupItemOutcome.Captured, i.Outcome));

        var configuration = await ContentAsync("paging-owner", set.BackupSetId, items.First(i => i.Family == PolicyFamily.DeviceConfigurations));
        Assert.StartsWith("#microsoft.graph.", configuration.GetProperty("@odata.type").GetString());
        Assert.Equal(2, configuration.GetProperty("assignments").GetArrayLength());
        var compliance = await ContentAsync("paging-owner", set.BackupSetId, items.First(i => i.Family == PolicyFamily.CompliancePolicies));
        var actions = compliance.GetProperty("scheduledActionsForRule")[0].GetProperty("scheduledActionConfigurations");
        Assert.Contains(actions.EnumerateArray(), a => a.GetProperty("actionType").GetString() == "block");
        // Three list pages of device configurations, one of compliance policies: listed once each from the first page;
        // the failed page was asked for again, not the whole list.
        var requests = await suite.GraphRequestsAsync(entraTenantId);
        Assert.Equal(1, requests.GetProperty("collectionReads").GetProperty("deviceConfigurations").GetInt32());
        Assert.Equal(1, requests.GetProperty("byStatus").GetProperty("500").GetInt32());
        await suite.AssertNoActiveRunsAsync();
    }

    [Fact]
    public async Task Recapture_OfAnUnchangedTenant_StoresNoNewContent_AndItemsKeepTheirHashes()
    {
        var (_, tenantId, _, _) = await suite.CreateTenantAsync("dedupe-owner", deviceConfigurations: 12, compliancePolicies: 3);
        var (first, _) = await CaptureAsync("dedupe-owner", tenantId, AllPolicies);
        var contents = await ContentRowsAsync(tenantId);

        var (second, run) = await CaptureAsync("dedupe-owner", tenantId, AllPolicies);

        Assert.Equal(RunOutcome.Succeeded, run.Outcome);
        Assert.Equal(15L, contents);
        Assert.Equal(contents, await ContentRowsAsync(tenantId));
        var hashes = (await ItemsAsync("dedupe-owner", first.BackupSetId)).ToDictionary(i => i.PolicyId, i => i.ContentHash);
        Assert.All(await ItemsAsync("dedupe-owner", second.BackupSetId), i => Assert.Equal(hashes[i.PolicyId], i.ContentHash));
    }

    [Fact]
    public async Task FailingItems_AreFailedItemsWithTheirCode_TheRunPartiallySucceeds_AndTheSetHasWarnings()
    {
        var (_, tenantId, entraTenantId, policyIds) = await suite.CreateTenantAsync("failing-owner", deviceConfigurations: 8, compliancePolicies: 2);
        var failing = new[] { policyIds[1], policyIds[9] };
        await suite.SetGraphFaultsAsync(entraTenantId, new { failingItemIds = failing, failingStatus = 500 });

        var (set, run) = await CaptureAsync("failing-owner", tenantId, AllPolicies);

        Assert.Equal(RunOutcome.PartiallySucceeded, run.Outcome);
        Assert.Equal(8, run.Counts.Succeeded);
        Assert.Equal(2, run.Counts.Failed);
        Assert.Equal(failing.Order(), run.Failures.Select(f => f.Item).Order());
        Assert.All(run.Failures, f => Assert.Equal("graph.item_unreadable", f.Code));
        Assert.Equal(BackupSetStatus.CompletedWithWarnings, set.Status);
        var failed = await ItemsAsync("failing-owner", set.BackupSetId, BackupItemOutcome.Failed);
        Assert.Equal(failing.Order(), failed.Select(i => i.PolicyId).Order());
        Assert.All(failed, i => Assert.Empty(i.ContentHash));
    }

    [Fact]
    public async Task ThrottleStorm_IsWaitedOut_AndEveryPolicyIsCaptured()
    {
        var (_, tenantId, entraTenantId, _) = await suite.CreateTenantAsync("storm-owner", deviceConfigurations: 6, compliancePolicies: 2);
        await suite.SetGraphFaultsAsync(entraTenantId, new { throttle = new { count = 5, retryAfterSeconds = 1 } });

        var (set, run) = await CaptureAsync("storm-owner", tenantId, AllPolicies);

        Assert.Equal(RunOutcome.Succeeded, run.Outcome);
        Assert.Equal(8, run.Counts.Succeeded);
        Assert.Equal(BackupSetStatus.Complete, set.Status);
        Assert.Equal(5, (await suite.GraphRequestsByStatusAsync(entraTenantId))["429"]);
    }

    [Fact]
    public async Task TenantRequestBudget_ThrottlesBatchSubRequests_WhichAreRetriedAfterTheirRetryAfter()
    {
        var (_, tenantId, entraTenantId, _) = await suite.CreateTenantAsync("budget-owner", deviceConfigurations: 1, compliancePolicies: 0);
        await suite.DefineGraphTenantAsync(entraTenantId, new
        {
            clientId = GraphClientId, clientSecret = GraphClientSecret, deviceConfigurations = 30, compliancePolicies = 0, pageSize = 10,
            requestBudget = 12, budgetWindowSeconds = 2,
        });

        var (set, run) = await CaptureAsync("budget-owner", tenantId, new PolicySelection { Families = { PolicyFamily.DeviceConfigurations } });

        Assert.Equal(RunOutcome.Succeeded, run.Outcome);
        Assert.Equal(30, run.Counts.Succeeded);
        Assert.Equal(BackupSetStatus.Complete, set.Status);
        Assert.True((await suite.GraphRequestsByStatusAsync(entraTenantId)).GetValueOrDefault("429") > 0, "the budget throttled some requests");
    }

    [Fact]
    public async Task UnknownPolicyId_IsAFailedItem_GraphNotFound_NotAFailedRun()
    {
        var (_, tenantId, _, policyIds) = await suite.CreateTenantAsync("unknown-owner", deviceConfigurations: 3, compliancePolicies: 1);
        var unknown = Guid.NewGuid().ToString();

        var (set, run) = await CaptureAsync("unknown-owner", tenantId, new PolicySelection { PolicyIds = { policyIds[0], policyIds[3], unknown } });

        Assert.Equal(RunOutcome.PartiallySucceeded, run.Outcome);
        Assert.Equal(2, run.Counts.Succeeded);
        Assert.Equal("graph.not_found", run.Failures.Single().Code);
        Assert.Equal(unknown, run.Failures.Single().Item);
        Assert.Equal(3, set.ItemCount);
        Assert.Equal(BackupSetStatus.CompletedWithWarnings, set.Status);
    }

    [Fact]
    public async Task Secrets_AreRedactedBeforeStoring_NeitherTheDatabaseNorTheLogsHoldThem_AndThePlainTextCallIsNeverMade()
    {
        var (_, tenantId, entraTenantId, _) = await suite.CreateTenantAsync("secrets-owner", deviceConfigurations: 1, compliancePolicies: 0);
        var tenant = await suite.DefineGraphTenantAsync(entraTenantId, new
        {
            clientId = GraphClientId, clientSecret = GraphClientSecret, deviceConfigurations = 12, compliancePolicies = 2,
            encryptedOmaSettingsEvery = 3, wifiEvery = 4, seed = 11,
        });
        var secrets = tenant.GetProperty("secrets").EnumerateArray().Select(s => s.GetString()!).ToList();

        var (set, run) = await CaptureAsync("secrets-owner", tenantId, AllPolicies);

        Assert.Equal(RunOutcome.Succeeded, run.Outcome);
        Assert.True(secrets.Count >= 6, $"the emulated tenant holds {secrets.Count} secrets");
        var everything = await suite.BackupScalarAsync<string>("""
            SELECT coalesce((SELECT string_agg(content, '') FROM backup.policy_contents), '')
                || coalesce((SELECT string_agg(display_name || coalesce(failure_message, '') || "references"::text, '') FROM backup.backup_items), '')
                || coalesce((SELECT string_agg(display_name || coverage::text, '') FROM backup.backup_sets), '')
            """);
        var logs = string.Join('\n', suite.Logs.Lines);
        Assert.Contains("policies captured", logs, StringComparison.Ordinal);
        Assert.All(secrets, secret =>
        {
            Assert.DoesNotContain(secret, everything, StringComparison.Ordinal);
            Assert.DoesNotContain(secret, logs, StringComparison.Ordinal);
        });
        Assert.Equal(0, (await suite.GraphRequestsAsync(entraTenantId)).GetProperty("plainTextSecretReads").GetInt32());
        var items = await ItemsAsync("secrets-owner", set.BackupSetId);
        var custom = items.First(i => i.OdataType == "#microsoft.graph.windows10CustomConfiguration");
        var wifi = items.First(i => i.OdataType == "#microsoft.graph.windowsWifiConfiguration");
        Assert.Equal(1, custom.RedactedSecrets);
        Assert.Equal(1, wifi.RedactedSecrets);
        // Graph answered the encrypted OMA value masked ("****"): nothing of it is known, and the marker says so.
        var encrypted = (await ContentAsync("secrets-owner", set.BackupSetId, custom)).GetProperty("omaSettings")[0];
        Assert.Equal("<redacted: masked by Graph>", encrypted.GetProperty("value").GetString());
        Assert.True(encrypted.GetProperty("isEncrypted").GetBoolean());
        Assert.StartsWith("<redacted sha256:", (await ContentAsync("secrets-owner", set.BackupSetId, wifi)).GetProperty("preSharedKey").GetString());
    }

    // Graph refuses the very first page (403): the capture cannot proceed, and its set says so instead of "capturing" for ever.
    [Fact]
    public async Task CaptureFailingOnItsFirstPage_FailsItsRun_AndItsSetIsFailed_NotCapturing()
    {
        var (_, tenantId, entraTenantId, _) = await suite.CreateTenantAsync("first-page-owner", deviceConfigurations: 6, compliancePolicies: 0, pageSize: 4);
        await suite.SetGraphFaultsAsync(entraTenantId, new { failPageOnce = new { collection = "deviceConfigurations", page = 1, status = 403 } });

        var (set, run) = await CaptureAsync("first-page-owner", tenantId, new PolicySelection { Families = { PolicyFamily.DeviceConfigurations } });

        Assert.Equal(RunOutcome.Failed, run.Outcome);
        Assert.Equal("graph.unauthorized", Assert.Single(run.Failures).Code);
        Assert.Equal(BackupSetStatus.Failed, set.Status);
        Assert.Equal(0, set.ItemCount);
    }

    [Fact]
    public async Task CompliancePolicyWithoutItsBlockAction_IsAFailedItem_ItCouldNeverBeRestored()
    {
        var (_, tenantId, entraTenantId, _) = await suite.CreateTenantAsync("block-owner", deviceConfigurations: 1, compliancePolicies: 1);
        var tenant = await suite.DefineGraphTenantAsync(entraTenantId, new
        {
            clientId = GraphClientId, clientSecret = GraphClientSecret, deviceConfigurations = 0, compliancePolicies = 4,
            complianceWithoutBlockActionEvery = 2,
        });
        var withoutBlock = tenant.GetProperty("compliancePolicyIds").EnumerateArray().Select(e => e.GetString()!).Where((_, i) => (i + 1) % 2 == 0).ToList();

        var (set, run) = await CaptureAsync("block-owner", tenantId, new PolicySelection { Families = { PolicyFamily.CompliancePolicies } });

        Assert.Equal(RunOutcome.PartiallySucceeded, run.Outcome);
        Assert.Equal(withoutBlock.Order(), run.Failures.Select(f => f.Item).Order());
        Assert.All(run.Failures, f => Assert.Equal("backup.incomplete_compliance_actions", f.Code));
        Assert.Equal(BackupSetStatus.CompletedWithWarnings, set.Status);
    }

    private async Task<(BackupSet Set, Run Run)> CaptureAsync(string owner, string tenantId, PolicySelection selection)
    {
        var api = suite.BackupApi(UserToken(owner));
        var set = (await api.CreateBackupSetAsync(new CreateBackupSetRequest { TenantId = tenantId, DisplayName = $"Backup {Guid.NewGuid():N}" })).BackupSet;
        var started = await api.AddPoliciesAsync(new AddPoliciesRequest { BackupSetId = set.BackupSetId, Selection = selection });
        Assert.True(started.Created);
        Assert.Equal("backup_set.add_policies", started.Run.Type);
        var run = await suite.WaitForCompletionAsync(started.Run.RunId, TimeSpan.FromSeconds(60));
        return ((await api.GetBackupSetAsync(new GetBackupSetRequest { BackupSetId = set.BackupSetId })).BackupSet, run);
    }

    private async Task<List<BackupItem>> ItemsAsync(string owner, string backupSetId, BackupItemOutcome outcome = BackupItemOutcome.Unspecified)
    {
        var api = suite.BackupApi(UserToken(owner));
        var items = new List<BackupItem>();
        var token = string.Empty;
        do
        {
            var page = await api.ListBackupItemsAsync(new ListBackupItemsRequest { BackupSetId = backupSetId, Outcome = outcome, PageSize = 7, PageToken = token });
            items.AddRange(page.Items);
            token = page.NextPageToken;
        }
        while (token.Length > 0);
        return items;
    }

    private async Task<JsonElement> ContentAsync(string owner, string backupSetId, BackupItem item)
    {
        var answer = await suite.BackupApi(UserToken(owner)).GetBackupItemAsync(new GetBackupItemRequest { BackupSetId = backupSetId, ItemId = item.ItemId });
        return JsonDocument.Parse(answer.ContentJson).RootElement.Clone();
    }

    private Task<long> ContentRowsAsync(string tenantId) =>
        suite.BackupScalarAsync<long>("SELECT count(*) FROM backup.policy_contents WHERE tenant_id = @t", ("t", Guid.Parse(tenantId)));
}
