using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using TenantAtlas.PolicyCorpus;
using TenantAtlas.Restore.V1;
using TenantAtlas.Runs.V1;
using Xunit.Abstractions;
using static TenantAtlas.RestoreService.Tests.RestoreRoundTripTests;
using static TenantAtlas.Testing.Suite.DomainSuiteFixture;

namespace TenantAtlas.RestoreService.Tests;

/// <summary>
/// The corpus round trip (issue 24's oracle): tenant A holds a policy of every v1.0 type with every writable property set
/// (tests/PolicyCorpus) and assignments of every target kind; it is backed up, restored into tenant B, and B is backed up.
/// Every value of every type arrives, mapped where it is tenant-local, or is covered by a decision the preview showed;
/// the secrets arrive only because they were given to the execution; and no id of A is anywhere in B.
/// </summary>
public sealed class CorpusRoundTripTests(RestoreSuiteFixture suite, ITestOutputHelper output) : IClassFixture<RestoreSuiteFixture>
{
    private const string Owner = "corpus-restore-owner";

    [Fact]
    public async Task TheCorpus_BackedUpFromA_RestoredIntoB_BacksUpWithEveryValue_TheSecretsGiven_AndNoIdOfA()
    {
        var (workspaceId, tenantA, entraA, _) = await suite.CreateTenantAsync(Owner, deviceConfigurations: 0, compliancePolicies: 0);
        using var admin = suite.EmulatorAdmin();
        var summaryA = await admin.GetFromJsonAsync<JsonElement>($"/emulator/tenants/{entraA}");
        var groupsA = summaryA.GetProperty("groupIds").EnumerateArray().Select(g => g.GetString()!).ToList();
        var templateA = summaryA.GetProperty("notificationMessageTemplateIds")[0].GetString()!;
        var filterA = Guid.NewGuid().ToString();
        var corpusA = Corpus.Generate(new CorpusOptions { NotificationTemplateId = templateA, CcGroupIds = [groupsA[3], groupsA[4]] });
        using (var graphA = await suite.GraphHttpAsync(entraA))
        {
            await CorpusSeeder.SeedAsync(graphA, corpusA, _ => CorpusAssignments.EveryKind(groupsA[0], groupsA[1], groupsA[2], filterA));
        }
        var secretsOfA = (await admin.GetFromJsonAsync<JsonElement>($"/emulator/tenants/{entraA}")).GetProperty("secrets")
            .EnumerateArray().Select(s => s.GetString()!).ToHashSet(StringComparer.Ordinal);
        await suite.SyncGroupsAsync(Owner, tenantA);
        var namesA = await suite.CachedGroupsAsync(Owner, tenantA);
        var setA = await suite.BackUpAsync(Owner, tenantA);
        Assert.Equal(corpusA.Count, setA.ItemCount);

        var (tenantB, entraB, groupsB) = await suite.AddEmptyTenantAsync(Owner, workspaceId, namesA.Values.Distinct());
        await suite.SyncGroupsAsync(Owner, tenantB);
        var api = suite.RestoreApi(UserToken(Owner));
        var restore = await CreateAndPreviewAsync(api, tenantB, setA.BackupSetId, new Restore.V1.RestoreOptions { AllowBroadTargets = true });

        // What the preview asks: every item's filtered assignment (the filter is A's and v1.0 cannot map filters), A's template.
        var template = Assert.Single(restore.TemplateMappings);
        Assert.Equal(TemplateMappingState.Create, template.State);
        var items = await ItemsAsync(api, restore.RestoreId);
        Assert.All(items, i => Assert.Equal(RestoreItemResult.Pending, i.Result));
        Assert.All(items, i => Assert.Equal("undecided_reference", i.BlockedReason));
        var decided = await api.SetReferenceDecisionsAsync(new SetReferenceDecisionsRequest
        {
            RestoreId = restore.RestoreId,
            Decisions = { items.Select(i => new ReferenceDecisionChoice { ItemId = i.ItemId, Kind = "assignment_filter", Choice = ReferenceChoice.Drop }) },
        });
        restore = await PreviewedAsync(api, decided.Restore.RestoreId);
        items = await ItemsAsync(api, restore.RestoreId);
        Assert.Equal(corpusA.Count, restore.Counts.Create);
        Assert.All(items, i => Assert.Contains(i.References, r => r.Kind == "assignment_filter" && r.Decision == "dropped"));
        // The secrets — the documented keys of the v1.0 types, and OMA strings, which Intune keeps encrypted and shows
        // masked: asked for (each by its path), never shown. The test knows them from the corpus, as an admin would.
        var secretItems = items.Where(i => i.SecretPaths.Count > 0).ToList();
        Assert.Contains("/azureOperationalInsightsWorkspaceKey", secretItems.SelectMany(i => i.SecretPaths));
        Assert.Contains("/productKey", secretItems.SelectMany(i => i.SecretPaths));
        var secrets = secretItems.SelectMany(i => i.SecretPaths.Select(path => new SecretValue
        {
            ItemId = i.ItemId, Path = path, Value = Corpus.ValueAt(corpusA.Single(p => p.DisplayName == i.DisplayName).Json, path),
        })).ToList();
        Assert.Equal(secretsOfA.Order(StringComparer.Ordinal), secrets.Select(s => s.Value).Order(StringComparer.Ordinal));
        await api.ExecuteRestoreAsync(new ExecuteRestoreRequest { RestoreId = restore.RestoreId, PlanHash = restore.PlanHash, Secrets = { secrets } });
        var run = await suite.WaitForCompletionAsync(restore.ExecuteRunId, TimeSpan.FromSeconds(180));
        var done = (await api.GetRestoreAsync(new GetRestoreRequest { RestoreId = restore.RestoreId })).Restore;

        Assert.True(run.Outcome == RunOutcome.Succeeded, string.Join('\n', run.Failures.Select(f => $"{f.Item}: {f.Code} {f.Message}")));
        Assert.Equal(RestoreStatus.Completed, done.Status);
        var createdTemplate = Assert.Single(done.TemplateMappings).TargetTemplateId;
        Assert.NotEqual(templateA, createdTemplate);

        // B as a backup holds it: the corpus as it must be in B — A's template and groups replaced by B's — value by value.
        var secretsOfB = (await admin.GetFromJsonAsync<JsonElement>($"/emulator/tenants/{entraB}")).GetProperty("secrets")
            .EnumerateArray().Select(s => s.GetString()!).ToHashSet(StringComparer.Ordinal);
        Assert.Equal(secretsOfA.Order(StringComparer.Ordinal), secretsOfB.Order(StringComparer.Ordinal));
        var corpusB = Corpus.Generate(new CorpusOptions
        {
            NotificationTemplateId = createdTemplate, CcGroupIds = [groupsB[namesA[groupsA[3]]], groupsB[namesA[groupsA[4]]]],
        });
        var setB = await suite.BackUpAsync(Owner, tenantB);
        var contentsB = await suite.BackupContentsAsync(Owner, setB.BackupSetId);
        Assert.Equal(corpusB.Count, contentsB.Count);
        var differences = new List<string>();
        foreach (var expected in corpusB)
        {
            var (_, held) = Assert.Single(contentsB, c => c.Item.DisplayName == expected.DisplayName);
            var content = (JsonObject)JsonNode.Parse(held.GetRawText())!;
            differences.AddRange(CorpusComparison.Differences(expected, content, secretsOfB));
            var wanted = CorpusAssignments.EveryKind(groupsB[namesA[groupsA[0]]], groupsB[namesA[groupsA[1]]], groupsB[namesA[groupsA[2]]], filterA)
                .Select(a => (JsonObject)a!["target"]!).Select(t => { t.Remove("deviceAndAppManagementAssignmentFilterId"); t.Remove("deviceAndAppManagementAssignmentFilterType"); return t.ToJsonString(); })
                .Order(StringComparer.Ordinal).ToList();
            var got = content["assignments"]!.AsArray().Select(a => a!["target"]!.ToJsonString()).Order(StringComparer.Ordinal).ToList();
            if (!got.SequenceEqual(wanted))
            {
                differences.Add($"{expected.ODataType} /assignments: {string.Join(", ", got)}");
            }
        }
        output.WriteLine($"{corpusB.Count} types, {corpusB.Sum(p => p.SettingPaths.Count)} values round-tripped; {secretsOfB.Count} secrets given and written");
        Assert.True(differences.Count == 0, string.Join('\n', differences));

        // The secrets given were held for their writes only: in no database and no log of the suite.
        var restoreRows = await suite.RestoreScalarAsync<string>("""
            SELECT coalesce((SELECT string_agg(r::text, '') FROM restore.restore_runs r), '')
                || coalesce((SELECT string_agg(i::text, '') FROM restore.restore_items i), '')
                || coalesce((SELECT string_agg(t::text, '') FROM restore.restore_templates t), '')
            """);
        await using (var runs = new Npgsql.NpgsqlConnection(suite.RunsDb))
        {
            await runs.OpenAsync();
            await using var command = new Npgsql.NpgsqlCommand("SELECT coalesce(string_agg(r::text, ''), '') FROM runs.operation_runs r", runs);
            restoreRows += (string)(await command.ExecuteScalarAsync())!;
        }
        var logs = string.Join('\n', suite.Logs.Lines);
        Assert.All(secretsOfA, secret =>
        {
            Assert.DoesNotContain(secret, restoreRows, StringComparison.Ordinal);
            Assert.DoesNotContain(secret, logs, StringComparison.Ordinal);
        });

        // No id of A anywhere in B: policies, assignments, compliance actions, templates and their messages.
        var idsOfA = summaryA.GetProperty("groupIds").EnumerateArray().Concat(summaryA.GetProperty("notificationMessageTemplateIds").EnumerateArray())
            .Select(e => e.GetString()!).Append(filterA)
            .Concat((await admin.GetFromJsonAsync<JsonElement>($"/emulator/tenants/{entraA}")).GetProperty("deviceConfigurationIds").EnumerateArray().Select(e => e.GetString()!))
            .Concat((await admin.GetFromJsonAsync<JsonElement>($"/emulator/tenants/{entraA}")).GetProperty("compliancePolicyIds").EnumerateArray().Select(e => e.GetString()!))
            .ToList();
        var everythingInB = await suite.GraphContentsAsync(entraB);
        Assert.All(idsOfA, id => Assert.DoesNotContain(id, everythingInB, StringComparison.OrdinalIgnoreCase));
        await suite.AssertNoActiveRunsAsync();
    }
}
