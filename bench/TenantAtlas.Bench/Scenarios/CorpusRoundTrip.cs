using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using TenantAtlas.Access.V1;
using TenantAtlas.Backup.V1;
using TenantAtlas.Bench.Report;
using TenantAtlas.Inventory.V1;
using TenantAtlas.PolicyCorpus;
using TenantAtlas.Restore.V1;
using TenantAtlas.Runs.V1;

namespace TenantAtlas.Bench.Scenarios;

/// <summary>
/// Scenario 8's second part (issue 24): the corpus round trip as a benchmark — copies of the policy corpus (a policy of every
/// v1.0 type, every writable property set; tests/PolicyCorpus) with assignments of every target kind are captured from a
/// tenant whose Graph enforces Intune's request budget (1,000 / 20 s), then restored into an empty tenant that enforces
/// the write budget (100 / 20 s), filters dropped by decision and secrets given. Each side is judged against its budget's
/// floor (<see cref="RestoreScenario.BudgetFloor"/>: the first window's requests are free), and the target is backed up
/// and compared with the corpus value by value: the duplicates and the lost values must be 0.
/// </summary>
internal static class CorpusRoundTrip
{
    private const string Scenario = "8. Corpus round trip (every v1.0 type), budgets enforced";
    private const int RequestBudget = 1_000;

    public static async Task RunAsync(BenchOptions options, BenchReport report, RestoreScenario.Suite suite, AccessService.AccessServiceClient access,
        string workspace, string owner)
    {
        var copies = options.Quick ? 1 : 6;
        var source = await RestoreScenario.RegisterAsync(access, workspace, suite.Emulator, "Bench corpus source", new
        {
            clientId = RestoreScenario.ClientId, clientSecret = RestoreScenario.ClientSecret, deviceConfigurations = 0, compliancePolicies = 0,
            groups = 10, notificationMessageTemplates = 1, seed = 31, requestBudget = RequestBudget, budgetWindowSeconds = RestoreScenario.BudgetWindowSeconds,
            // Seeding is the admin's setup, not measured: only the capture's reads are held to a budget here.
            writeBudget = 0,
        });
        var groups = source.Definition.GetProperty("groupIds").EnumerateArray().Select(g => g.GetString()!).ToList();
        var template = source.Definition.GetProperty("notificationMessageTemplateIds")[0].GetString()!;
        var corpora = Enumerable.Range(1, copies).Select(copy => Corpus.Generate(new CorpusOptions
        {
            NamePrefix = $"Corpus {copy}", NotificationTemplateId = template, CcGroupIds = [groups[3], groups[4]],
        })).ToList();
        using (var graph = await CorpusSeeder.SignInAsync(suite.Emulator.BaseAddress!, source.EntraTenantId, RestoreScenario.ClientId, RestoreScenario.ClientSecret))
        {
            foreach (var corpus in corpora)
            {
                await CorpusSeeder.SeedAsync(graph, corpus, _ => CorpusAssignments.EveryKind(groups[0], groups[1], groups[2], Guid.NewGuid().ToString()));
            }
        }
        var policies = corpora.Sum(c => c.Count);
        var inventory = new InventoryService.InventoryServiceClient(suite.Channel("inventory", owner));
        await RestoreScenario.CompleteAsync(suite, (await inventory.StartDirectoryGroupsSyncAsync(new StartDirectoryGroupsSyncRequest { TenantId = source.TenantId })).Run.RunId);
        var names = (await inventory.SearchDirectoryGroupsAsync(new SearchDirectoryGroupsRequest { TenantId = source.TenantId, PageSize = 200 })).Groups
            .ToDictionary(g => g.GroupId, g => g.DisplayName);

        // Capture, under the request budget.
        var readsBefore = await ServedAsync(suite.Emulator, source.EntraTenantId);
        var backup = new Backup.V1.BackupService.BackupServiceClient(suite.Channel("backup", owner));
        var watch = Stopwatch.StartNew();
        var set = await CaptureAsync(suite, backup, source.TenantId, "Bench corpus");
        var captureTime = watch.Elapsed;
        var reads = await ServedAsync(suite.Emulator, source.EntraTenantId) - readsBefore;
        var readFloor = RestoreScenario.BudgetFloor(reads, RequestBudget, RestoreScenario.BudgetWindowSeconds);

        // Restore into an empty tenant with the write budget.
        var target = await RestoreScenario.RegisterAsync(access, workspace, suite.Emulator, "Bench corpus target", new
        {
            clientId = RestoreScenario.ClientId, clientSecret = RestoreScenario.ClientSecret, deviceConfigurations = 0, compliancePolicies = 0,
            groups = 1, notificationMessageTemplates = 0, seed = 32, writeBudget = RestoreScenario.BudgetWrites, writeBudgetWindowSeconds = RestoreScenario.BudgetWindowSeconds,
        });
        foreach (var id in target.Definition.GetProperty("groupIds").EnumerateArray())
        {
            (await suite.Emulator.DeleteAsync($"/emulator/tenants/{target.EntraTenantId}/groups/{id.GetString()}")).EnsureSuccessStatusCode();
        }
        var targetGroups = new Dictionary<string, string>();
        foreach (var name in names.Values.Distinct())
        {
            var created = await suite.Emulator.PostAsJsonAsync($"/emulator/tenants/{target.EntraTenantId}/groups", new { displayName = name });
            targetGroups[name] = (await created.EnsureSuccessStatusCode().Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!;
        }
        await RestoreScenario.CompleteAsync(suite, (await inventory.StartDirectoryGroupsSyncAsync(new StartDirectoryGroupsSyncRequest { TenantId = target.TenantId })).Run.RunId);
        var restores = new Restore.V1.RestoreService.RestoreServiceClient(suite.Channel("restore", owner));
        var restore = (await restores.CreateRestoreAsync(new CreateRestoreRequest
        {
            TargetTenantId = target.TenantId, BackupSetId = set, Options = new Restore.V1.RestoreOptions { AllowBroadTargets = true },
        })).Restore;
        var previewed = await PreviewAsync(suite, restores, (await restores.PreviewRestoreAsync(new PreviewRestoreRequest { RestoreId = restore.RestoreId })).Run.RunId, restore.RestoreId);
        var items = await ItemsAsync(restores, restore.RestoreId);
        // The source's filters cannot be mapped into another tenant: the decision, as a user would take it, is to drop them.
        var decided = await restores.SetReferenceDecisionsAsync(new SetReferenceDecisionsRequest
        {
            RestoreId = restore.RestoreId,
            Decisions = { items.Where(i => i.References.Any(r => r.Kind == "assignment_filter")).Select(i => new ReferenceDecisionChoice { ItemId = i.ItemId, Kind = "assignment_filter", Choice = ReferenceChoice.Drop }) },
        });
        previewed = await PreviewAsync(suite, restores, decided.Run.RunId, restore.RestoreId);
        items = await ItemsAsync(restores, restore.RestoreId);
        var byName = corpora.SelectMany(c => c).ToDictionary(p => p.DisplayName);
        var secrets = items.SelectMany(i => i.SecretPaths.Select(path => new SecretValue { ItemId = i.ItemId, Path = path, Value = Corpus.ValueAt(byName[i.DisplayName].Json, path) })).ToList();

        var writesBefore = await WrittenAsync(suite.Emulator, target.EntraTenantId);
        watch.Restart();
        await restores.ExecuteRestoreAsync(new ExecuteRestoreRequest { RestoreId = restore.RestoreId, PlanHash = previewed.PlanHash, Secrets = { secrets } });
        var run = await RestoreScenario.CompleteAsync(suite, previewed.ExecuteRunId);
        var restoreTime = watch.Elapsed;
        var writesAfter = await WrittenAsync(suite.Emulator, target.EntraTenantId);
        if (run.Outcome != RunOutcome.Succeeded)
        {
            throw new InvalidOperationException($"The corpus restore ended {run.Outcome}: {string.Join("; ", run.Failures.Select(f => f.Message))}");
        }
        var writes = writesAfter.Stored - writesBefore.Stored;
        var writeFloor = RestoreScenario.BudgetFloor(writes, RestoreScenario.BudgetWrites, RestoreScenario.BudgetWindowSeconds);

        // The target as a backup holds it, against the corpus as it must be there.
        var done = (await restores.GetRestoreAsync(new GetRestoreRequest { RestoreId = restore.RestoreId })).Restore;
        var createdTemplate = done.TemplateMappings.Single().TargetTemplateId;
        var targetSecrets = (await suite.Emulator.GetFromJsonAsync<JsonElement>($"/emulator/tenants/{target.EntraTenantId}")).GetProperty("secrets")
            .EnumerateArray().Select(s => s.GetString()!).ToHashSet(StringComparer.Ordinal);
        var targetSet = await CaptureAsync(suite, backup, target.TenantId, "Bench corpus, restored");
        var lost = 0;
        foreach (var item in await ContentsAsync(backup, targetSet))
        {
            var copy = int.Parse(item.DisplayName.Split(' ')[1], System.Globalization.CultureInfo.InvariantCulture);
            var expected = Corpus.Generate(new CorpusOptions
            {
                NamePrefix = $"Corpus {copy}", NotificationTemplateId = createdTemplate, CcGroupIds = [targetGroups[names[groups[3]]], targetGroups[names[groups[4]]]],
            }).Single(p => p.DisplayName == item.DisplayName);
            lost += CorpusComparison.Differences(expected, item.Content, targetSecrets).Count;
        }
        var duplicates = writesAfter.PolicyCreates - writesBefore.PolicyCreates - policies;

        // Within the first window the budget costs nothing: no floor to judge against.
        double? captureRatio = readFloor > TimeSpan.Zero ? readFloor / captureTime : null;
        report.Add(new BenchRow(Scenario, $"capture of {policies} policies ({reads} Graph requests), policies/s",
            new Figure(policies / captureTime.TotalSeconds, "policies/s"),
            $"the request budget's floor: ({RestoreScenario.Windows(reads, RequestBudget)} windows of {RequestBudget} − the first, free) × {RestoreScenario.BudgetWindowSeconds} s",
            new Figure(readFloor.TotalSeconds == 0 ? double.NaN : policies / readFloor.TotalSeconds, "policies/s"), captureRatio, "within the budget (no target below one window)", null));
        report.Add(new BenchRow(Scenario, $"restore of {policies} policies into an empty tenant ({writes} writes), policies/s",
            new Figure(policies / restoreTime.TotalSeconds, "policies/s"),
            $"the write budget's floor: ({RestoreScenario.Windows(writes, RestoreScenario.BudgetWrites)} windows of {RestoreScenario.BudgetWrites} − the first, free) × {RestoreScenario.BudgetWindowSeconds} s",
            new Figure(writeFloor.TotalSeconds == 0 ? double.NaN : policies / writeFloor.TotalSeconds, "policies/s"),
            writeFloor.TotalSeconds == 0 ? null : writeFloor / restoreTime, "≥ 0.8× the floor's speed", writeFloor.TotalSeconds == 0 ? null : writeFloor / restoreTime >= 0.8));
        report.Add(new BenchRow(Scenario, "duplicate policies in the target", new Figure(duplicates, "policies"), null, null, null, "0", duplicates == 0));
        report.Add(new BenchRow(Scenario, $"values lost or changed of {corpora.Sum(c => c.Sum(p => p.SettingPaths.Count))}", new Figure(lost, "values"), null, null, null, "0", lost == 0));
        report.AddFact($"Scenario 8, corpus: {copies} × {corpora[0].Count} types; capture {captureTime.TotalSeconds:0.0} s, restore {restoreTime.TotalSeconds:0.0} s " +
            $"({writes} writes: policies, assignments, the template and its messages); {secrets.Count} secret values given at execute " +
            $"({targetSecrets.Count} distinct, each now in the target).");
    }

    private static async Task<string> CaptureAsync(RestoreScenario.Suite suite, Backup.V1.BackupService.BackupServiceClient backup, string tenantId, string name)
    {
        var set = (await backup.CreateBackupSetAsync(new CreateBackupSetRequest { TenantId = tenantId, DisplayName = name })).BackupSet;
        var run = await RestoreScenario.CompleteAsync(suite, (await backup.AddPoliciesAsync(new AddPoliciesRequest
        {
            BackupSetId = set.BackupSetId, Selection = new PolicySelection { Families = { PolicyFamily.DeviceConfigurations, PolicyFamily.CompliancePolicies } },
        })).Run.RunId);
        return run.Outcome == RunOutcome.Succeeded ? set.BackupSetId : throw new InvalidOperationException($"The capture of {name} ended {run.Outcome}.");
    }

    private static async Task<Restore.V1.Restore> PreviewAsync(RestoreScenario.Suite suite, Restore.V1.RestoreService.RestoreServiceClient restores, string runId, string restoreId)
    {
        await RestoreScenario.CompleteAsync(suite, runId);
        var restore = (await restores.GetRestoreAsync(new GetRestoreRequest { RestoreId = restoreId })).Restore;
        return restore.Status == RestoreStatus.Previewed ? restore : throw new InvalidOperationException($"The preview ended {restore.Status}: {restore.FailureMessage}");
    }

    private static async Task<List<RestoreItem>> ItemsAsync(Restore.V1.RestoreService.RestoreServiceClient restores, string restoreId)
    {
        var items = new List<RestoreItem>();
        var token = string.Empty;
        do
        {
            var page = await restores.ListRestoreItemsAsync(new ListRestoreItemsRequest { RestoreId = restoreId, PageSize = 500, PageToken = token });
            items.AddRange(page.Items);
            token = page.NextPageToken;
        }
        while (token.Length > 0);
        return items;
    }

    private static async Task<List<(string DisplayName, JsonObject Content)>> ContentsAsync(Backup.V1.BackupService.BackupServiceClient backup, string setId)
    {
        var contents = new List<(string, JsonObject)>();
        var token = string.Empty;
        do
        {
            var page = await backup.ListBackupItemsAsync(new ListBackupItemsRequest { BackupSetId = setId, PageSize = 500, PageToken = token });
            foreach (var item in page.Items)
            {
                var content = (await backup.GetBackupItemAsync(new GetBackupItemRequest { BackupSetId = setId, ItemId = item.ItemId })).ContentJson;
                contents.Add((item.DisplayName, (JsonObject)JsonNode.Parse(content)!));
            }
            token = page.NextPageToken;
        }
        while (token.Length > 0);
        return contents;
    }

    /// <summary>Graph requests the tenant served (sub-requests of a $batch each count, as against Graph's budget), 429s excepted.</summary>
    private static async Task<int> ServedAsync(HttpClient emulator, string entraTenantId)
    {
        var log = await emulator.GetFromJsonAsync<JsonElement>($"/emulator/tenants/{entraTenantId}/requests");
        var throttled = log.GetProperty("byStatus").TryGetProperty("429", out var count) ? count.GetInt32() : 0;
        return log.GetProperty("total").GetInt32() - throttled;
    }

    private sealed record Written(int Stored, int PolicyCreates);

    private static async Task<Written> WrittenAsync(HttpClient emulator, string entraTenantId)
    {
        var log = await emulator.GetFromJsonAsync<JsonElement>($"/emulator/tenants/{entraTenantId}/requests");
        var creates = log.GetProperty("writeRequests").EnumerateArray().Count(w => w.GetProperty("operation").GetString() == "create"
            && w.GetProperty("stored").GetBoolean() && w.GetProperty("collection").GetString() is "deviceConfigurations" or "deviceCompliancePolicies");
        return new Written(log.GetProperty("writes").GetInt32(), creates);
    }
}
