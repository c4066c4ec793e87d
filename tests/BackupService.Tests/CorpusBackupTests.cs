using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using TenantAtlas.Backup.V1;
using TenantAtlas.Inventory.V1;
using TenantAtlas.PolicyCorpus;
using TenantAtlas.Runs.V1;
using Xunit.Abstractions;
using static TenantAtlas.Testing.Suite.DomainSuiteFixture;

namespace TenantAtlas.BackupService.Tests;

/// <summary>
/// A backup of a tenant holding the corpus (a policy of every v1.0 type, every writable property set; tests/PolicyCorpus):
/// every value is stored byte for byte, and every secret the emulator knows the tenant holds (from Graph's documentation,
/// its own table) is redacted — ordinary settings whose names speak of passwords among the kept ones.
/// </summary>
public sealed class CorpusBackupTests(BackupSuiteFixture suite, ITestOutputHelper output) : IClassFixture<BackupSuiteFixture>
{
    [Fact]
    public async Task BackupOfTheCorpus_KeepsEveryValueOfEveryType_AndRedactsExactlyTheSecrets()
    {
        var (_, tenantId, entraTenantId, _) = await suite.CreateTenantAsync("corpus-owner", deviceConfigurations: 0, compliancePolicies: 0);
        using var admin = suite.EmulatorAdmin();
        var tenant = await admin.GetFromJsonAsync<JsonElement>($"/emulator/tenants/{entraTenantId}");
        var groups = tenant.GetProperty("groupIds").EnumerateArray().Select(g => g.GetString()!).ToList();
        var corpus = Corpus.Generate(new CorpusOptions
        {
            NotificationTemplateId = tenant.GetProperty("notificationMessageTemplateIds")[0].GetString()!, CcGroupIds = [groups[3], groups[4]],
        });
        using var graph = await suite.GraphHttpAsync(entraTenantId);
        var seeded = await CorpusSeeder.SeedAsync(graph, corpus, _ => CorpusAssignments.EveryKind(groups[0], groups[1], groups[2], Guid.NewGuid().ToString()));
        var secrets = (await admin.GetFromJsonAsync<JsonElement>($"/emulator/tenants/{entraTenantId}")).GetProperty("secrets")
            .EnumerateArray().Select(s => s.GetString()!).ToHashSet(StringComparer.Ordinal);

        var api = suite.BackupApi(UserToken("corpus-owner"));
        var set = (await api.CreateBackupSetAsync(new CreateBackupSetRequest { TenantId = tenantId, DisplayName = "The corpus" })).BackupSet;
        var started = await api.AddPoliciesAsync(new AddPoliciesRequest
        {
            BackupSetId = set.BackupSetId, Selection = new PolicySelection { Families = { PolicyFamily.DeviceConfigurations, PolicyFamily.CompliancePolicies } },
        });
        var run = await suite.WaitForCompletionAsync(started.Run.RunId, TimeSpan.FromSeconds(60));

        Assert.Equal(RunOutcome.Succeeded, run.Outcome);
        Assert.Equal(corpus.Count, run.Counts.Succeeded);
        var differences = new List<string>();
        foreach (var policy in seeded)
        {
            var item = (await api.ListBackupItemsAsync(new ListBackupItemsRequest { BackupSetId = set.BackupSetId, PageSize = 500 })).Items
                .Single(i => i.PolicyId == policy.Id);
            var content = (JsonObject)JsonNode.Parse((await api.GetBackupItemAsync(new GetBackupItemRequest { BackupSetId = set.BackupSetId, ItemId = item.ItemId })).ContentJson)!;
            differences.AddRange(CorpusComparison.Differences(policy.Policy, content, secrets));
            var targets = content["assignments"]!.AsArray().Select(a => a!["target"]!.ToJsonString()).Order(StringComparer.Ordinal);
            if (!targets.SequenceEqual(policy.Assignments.Select(a => a!["target"]!.ToJsonString()).Order(StringComparer.Ordinal)))
            {
                differences.Add($"{policy.Policy.ODataType} /assignments: {string.Join(", ", targets)}");
            }
        }
        output.WriteLine($"{corpus.Count} types, {corpus.Sum(p => p.SettingPaths.Count)} values, {secrets.Count} secrets");
        Assert.True(differences.Count == 0, string.Join('\n', differences));
        var stored = await suite.BackupScalarAsync<string>("SELECT coalesce(string_agg(content, ''), '') FROM backup.policy_contents");
        Assert.All(secrets, secret => Assert.DoesNotContain(secret, stored, StringComparison.Ordinal));
        await suite.AssertNoActiveRunsAsync();
    }
}
