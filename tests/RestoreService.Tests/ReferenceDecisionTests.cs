using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Grpc.Core;
using TenantAtlas.Restore.V1;
using TenantAtlas.Runs.V1;
using static TenantAtlas.RestoreService.Tests.RestoreRoundTripTests;
using static TenantAtlas.Testing.Suite.DomainSuiteFixture;

namespace TenantAtlas.RestoreService.Tests;

/// <summary>
/// What a restore cannot map on its own waits for the user: assignment filters and scope tags into another tenant (Graph
/// v1.0 can neither map nor create them), secrets (never in a backup), notification templates, and the assignments an
/// update would remove. A foreign id is never written; bad decisions and bad secrets are refused before anything is.
/// </summary>
public sealed class ReferenceDecisionTests(RestoreSuiteFixture suite) : IClassFixture<RestoreSuiteFixture>
{
    private const string ProductKey = "VK7JG-NPHTM-C97JM-9MPGT-3V66T";

    [Fact]
    public async Task IntoAnotherTenant_FiltersScopeTagsAndSecretsWaitForDecisions_BadOnesAreRefused_AndNoForeignIdIsWritten()
    {
        var a = await SourceAsync("decide-owner");
        var (tenantB, entraB, _) = await suite.AddEmptyTenantAsync("decide-owner", a.WorkspaceId, a.GroupNames.Values.Distinct());
        await suite.SyncGroupsAsync("decide-owner", tenantB);
        var api = suite.RestoreApi(UserToken("decide-owner"));

        var restore = await CreateAndPreviewAsync(api, tenantB, a.SetId, new Restore.V1.RestoreOptions());
        var items = (await ItemsAsync(api, restore.RestoreId)).ToDictionary(i => i.DisplayName);

        var scoped = items["Scoped"];
        Assert.Equal("undecided_reference", scoped.BlockedReason);
        Assert.Contains(scoped.References, r => r.Kind == "assignment_filter" && r.Decision == "undecided" && r.SourceValue == a.FilterId);
        Assert.Contains(scoped.References, r => r.Kind == "scope_tag" && r.Decision == "undecided" && r.SourceValue == "0,7");
        Assert.Equal(["/productKey"], items["Keyed"].SecretPaths);
        Assert.Contains(items["Keyed"].References, r => r.Kind == "secret" && r.Decision == "required" && r.SourceValue == "/productKey");
        Assert.Contains(items["Plain"].References, r => r.Kind == "broad_target" && r.Decision == "skipped");
        var template = Assert.Single(restore.TemplateMappings);
        Assert.Equal(TemplateMappingState.Create, template.State);

        // Undecided: executing is refused, naming the item.
        var undecided = await FailsWith(StatusCode.FailedPrecondition, () => api.ExecuteRestoreAsync(new ExecuteRestoreRequest
        {
            RestoreId = restore.RestoreId, PlanHash = restore.PlanHash,
        }).ResponseAsync);
        Assert.Contains("'Scoped'", undecided.Status.Detail, StringComparison.Ordinal);
        // Bad decisions: an unknown kind, a choice the kind does not take, a template of another tenant (A's own).
        await FailsWith(StatusCode.InvalidArgument, () => api.SetReferenceDecisionsAsync(new SetReferenceDecisionsRequest
        {
            RestoreId = restore.RestoreId, Decisions = { new ReferenceDecisionChoice { ItemId = scoped.ItemId, Kind = "policy", Choice = ReferenceChoice.Drop } },
        }).ResponseAsync);
        await FailsWith(StatusCode.InvalidArgument, () => api.SetReferenceDecisionsAsync(new SetReferenceDecisionsRequest
        {
            RestoreId = restore.RestoreId, Decisions = { new ReferenceDecisionChoice { ItemId = scoped.ItemId, Kind = "scope_tag", Choice = ReferenceChoice.Remove } },
        }).ResponseAsync);
        var foreign = await FailsWith(StatusCode.InvalidArgument, () => api.SetReferenceDecisionsAsync(new SetReferenceDecisionsRequest
        {
            RestoreId = restore.RestoreId,
            Decisions = { new ReferenceDecisionChoice { Kind = "notification_template", SourceValue = template.SourceTemplateId, Choice = ReferenceChoice.Map, TargetValue = a.TemplateId } },
        }).ResponseAsync);
        Assert.Contains("not a notification template of the target tenant", foreign.Status.Detail, StringComparison.Ordinal);

        var decided = await api.SetReferenceDecisionsAsync(new SetReferenceDecisionsRequest
        {
            RestoreId = restore.RestoreId,
            Decisions =
            {
                new ReferenceDecisionChoice { ItemId = scoped.ItemId, Kind = "assignment_filter", Choice = ReferenceChoice.Drop },
                new ReferenceDecisionChoice { ItemId = scoped.ItemId, Kind = "scope_tag", Choice = ReferenceChoice.Drop },
            },
        });
        restore = await PreviewedAsync(api, decided.Restore.RestoreId);
        items = (await ItemsAsync(api, restore.RestoreId)).ToDictionary(i => i.DisplayName);
        Assert.Equal(RestoreAction.Create, items["Scoped"].Action);
        Assert.Contains(items["Scoped"].References, r => r.Kind == "scope_tag" && r.Decision == "dropped");

        // Bad secrets: for an item that needs none, for a path the item does not need, for an item of no restore of this one.
        foreach (var bad in new[]
        {
            new SecretValue { ItemId = items["Plain"].ItemId, Path = "/productKey", Value = "x" },
            new SecretValue { ItemId = items["Keyed"].ItemId, Path = "/displayName", Value = "x" },
            new SecretValue { ItemId = Guid.NewGuid().ToString(), Path = "/productKey", Value = "x" },
        })
        {
            await FailsWith(StatusCode.InvalidArgument, () => api.ExecuteRestoreAsync(new ExecuteRestoreRequest
            {
                RestoreId = restore.RestoreId, PlanHash = restore.PlanHash, Secrets = { bad },
            }).ResponseAsync);
        }
        Assert.Equal(0, (await suite.GraphRequestsAsync(entraB)).GetProperty("writes").GetInt32());

        // Executed without the secret: that item is blocked, the rest restored.
        await api.ExecuteRestoreAsync(new ExecuteRestoreRequest { RestoreId = restore.RestoreId, PlanHash = restore.PlanHash });
        var run = await suite.WaitForCompletionAsync(restore.ExecuteRunId, TimeSpan.FromSeconds(90));
        items = (await ItemsAsync(api, restore.RestoreId)).ToDictionary(i => i.DisplayName);
        Assert.Equal(RunOutcome.PartiallySucceeded, run.Outcome);
        Assert.Equal(RestoreItemResult.Blocked, items["Keyed"].Result);
        Assert.Equal("restore.blocked.secret_required", items["Keyed"].FailureCode);
        Assert.All(items.Values.Where(i => i.DisplayName != "Keyed"), i => Assert.Equal(RestoreItemResult.Created, i.Result));

        // The second restore of the secret-bearing item, decided "without its secret": created with no product key.
        var keyed = await CreateAndPreviewAsync(api, tenantB, a.SetId, new Restore.V1.RestoreOptions(), items["Keyed"].ItemId);
        var withoutKey = await api.SetReferenceDecisionsAsync(new SetReferenceDecisionsRequest
        {
            RestoreId = keyed.RestoreId, Decisions = { new ReferenceDecisionChoice { ItemId = items["Keyed"].ItemId, Kind = "secret", Choice = ReferenceChoice.Drop } },
        });
        keyed = await PreviewedAsync(api, withoutKey.Restore.RestoreId);
        Assert.Empty(Assert.Single(await ItemsAsync(api, keyed.RestoreId)).SecretPaths);
        await api.ExecuteRestoreAsync(new ExecuteRestoreRequest { RestoreId = keyed.RestoreId, PlanHash = keyed.PlanHash });
        Assert.Equal(RunOutcome.Succeeded, (await suite.WaitForCompletionAsync(keyed.ExecuteRunId, TimeSpan.FromSeconds(60))).Outcome);

        // B: everything restored, and nothing of A: no scope tag 7, no filter of A, no template or group of A, no key.
        var b = await suite.GraphContentsAsync(entraB);
        Assert.Contains("\"Keyed\"", b, StringComparison.Ordinal);
        Assert.Contains("\"Scoped\"", b, StringComparison.Ordinal);
        Assert.DoesNotContain(ProductKey, b, StringComparison.Ordinal);
        Assert.DoesNotContain("\"7\"]", b, StringComparison.Ordinal);
        Assert.All(a.ForeignIds, id => Assert.DoesNotContain(id, b, StringComparison.OrdinalIgnoreCase));
        await suite.AssertNoActiveRunsAsync();
    }

    [Fact]
    public async Task IntoTheSameTenant_ItsOwnFiltersAndScopeTagsAreKept_AndAnUpdateKeepsItsOwnAssignmentsUnlessTheirRemovalIsConfirmed()
    {
        var a = await SourceAsync("same-owner");
        using var graph = await suite.GraphHttpAsync(a.EntraTenantId);
        (await graph.DeleteAsync($"/v1.0/deviceManagement/deviceConfigurations/{a.Ids["Scoped"]}")).EnsureSuccessStatusCode();
        // An assignment the backup does not hold: the admin added it to "Plain" since.
        var own = new JsonObject { ["target"] = new JsonObject { ["@odata.type"] = "#microsoft.graph.exclusionGroupAssignmentTarget", ["groupId"] = a.Groups[2] } };
        await PostAsync(graph, $"/v1.0/deviceManagement/deviceConfigurations/{a.Ids["Plain"]}/assign",
            new JsonObject { ["assignments"] = new JsonArray(AllDevices(), own) });
        var api = suite.RestoreApi(UserToken("same-owner"));

        var restore = await CreateAndPreviewAsync(api, a.TenantId, a.SetId, new Restore.V1.RestoreOptions());
        var items = (await ItemsAsync(api, restore.RestoreId)).ToDictionary(i => i.DisplayName);

        Assert.Equal(RestoreAction.Create, items["Scoped"].Action);
        Assert.Contains(items["Scoped"].References, r => r.Kind == "assignment_filter" && r.Decision == "kept");
        Assert.Contains(items["Scoped"].References, r => r.Kind == "scope_tag" && r.Decision == "kept");
        // The target's own assignment stays, so "Plain" is as the source would have it: nothing to write.
        Assert.Equal(RestoreAction.SkipIdentical, items["Plain"].Action);
        Assert.Contains(items["Plain"].References, r => r.Kind == "assignment_removal" && r.Decision == "kept"
            && r.SourceValue == $"#microsoft.graph.exclusionGroupAssignmentTarget {a.Groups[2]}");
        // "Keyed" still holds its key in A (the same salted marker as the backup's): identical, so no secret is asked for.
        Assert.Equal(RestoreAction.SkipIdentical, items["Keyed"].Action);
        Assert.Empty(items["Keyed"].SecretPaths);
        await api.ExecuteRestoreAsync(new ExecuteRestoreRequest { RestoreId = restore.RestoreId, PlanHash = restore.PlanHash });
        Assert.Equal(RunOutcome.Succeeded, (await suite.WaitForCompletionAsync(restore.ExecuteRunId, TimeSpan.FromSeconds(60))).Outcome);
        var recreated = (await ItemsAsync(api, restore.RestoreId)).Single(i => i.DisplayName == "Scoped").TargetPolicyId;
        var scoped = await graph.GetFromJsonAsync<JsonElement>($"/v1.0/deviceManagement/deviceConfigurations/{recreated}");
        Assert.Equal(["0", "7"], scoped.GetProperty("roleScopeTagIds").EnumerateArray().Select(t => t.GetString()));
        var filtered = await graph.GetFromJsonAsync<JsonElement>($"/v1.0/deviceManagement/deviceConfigurations/{recreated}/assignments");
        Assert.Equal(a.FilterId, Assert.Single(filtered.GetProperty("value").EnumerateArray()).GetProperty("target").GetProperty("deviceAndAppManagementAssignmentFilterId").GetString());

        // Confirmed: the update replaces the target's set with the source's.
        var confirm = await CreateAndPreviewAsync(api, a.TenantId, a.SetId, new Restore.V1.RestoreOptions(), items["Plain"].ItemId);
        var confirmed = await api.SetReferenceDecisionsAsync(new SetReferenceDecisionsRequest
        {
            RestoreId = confirm.RestoreId, Decisions = { new ReferenceDecisionChoice { ItemId = items["Plain"].ItemId, Kind = "assignment_removal", Choice = ReferenceChoice.Remove } },
        });
        confirm = await PreviewedAsync(api, confirmed.Restore.RestoreId);
        var plain = Assert.Single(await ItemsAsync(api, confirm.RestoreId));
        Assert.Equal(RestoreAction.Update, plain.Action);
        Assert.Contains(plain.References, r => r.Kind == "assignment_removal" && r.Decision == "removed");
        await api.ExecuteRestoreAsync(new ExecuteRestoreRequest { RestoreId = confirm.RestoreId, PlanHash = confirm.PlanHash });
        Assert.Equal(RunOutcome.Succeeded, (await suite.WaitForCompletionAsync(confirm.ExecuteRunId, TimeSpan.FromSeconds(60))).Outcome);
        var assignments = await graph.GetFromJsonAsync<JsonElement>($"/v1.0/deviceManagement/deviceConfigurations/{a.Ids["Plain"]}/assignments");
        Assert.Equal(["#microsoft.graph.allDevicesAssignmentTarget"],
            assignments.GetProperty("value").EnumerateArray().Select(x => x.GetProperty("target").GetProperty("@odata.type").GetString()));
        await suite.AssertNoActiveRunsAsync();
    }

    // Issue 25's stuck restore: a restore that writes nothing (every item unchanged but one, which is blocked) has failures
    // and no success. Its status and its run's outcome come from one rule (skips are not successes): FAILED both, and the
    // run completes; before, the restore said PARTIAL, RunsService refused that outcome, and the run stayed running.
    [Fact]
    public async Task ARestoreThatWritesNothing_UnchangedItemsAndOneBlocked_EndsFailed_AndItsRunCompletes()
    {
        var a = await SourceAsync("nothing-owner");
        using var graph = await suite.GraphHttpAsync(a.EntraTenantId);
        (await graph.DeleteAsync($"/v1.0/deviceManagement/deviceConfigurations/{a.Ids["Keyed"]}")).EnsureSuccessStatusCode();
        var api = suite.RestoreApi(UserToken("nothing-owner"));

        var restore = await CreateAndPreviewAsync(api, a.TenantId, a.SetId, new Restore.V1.RestoreOptions());
        var items = (await ItemsAsync(api, restore.RestoreId)).ToDictionary(i => i.DisplayName);
        Assert.Equal(RestoreAction.Create, items["Keyed"].Action);
        Assert.Equal(["/productKey"], items["Keyed"].SecretPaths);
        Assert.All(items.Values.Where(i => i.DisplayName != "Keyed"), i => Assert.Equal(RestoreAction.SkipIdentical, i.Action));
        // Executed without the key: "Keyed" ends blocked, nothing else needed a write.
        var writes = (await suite.GraphRequestsAsync(a.EntraTenantId)).GetProperty("writes").GetInt32();
        await api.ExecuteRestoreAsync(new ExecuteRestoreRequest { RestoreId = restore.RestoreId, PlanHash = restore.PlanHash });

        var run = await suite.WaitForCompletionAsync(restore.ExecuteRunId, TimeSpan.FromSeconds(60));
        var done = (await api.GetRestoreAsync(new GetRestoreRequest { RestoreId = restore.RestoreId })).Restore;
        Assert.Equal(RunOutcome.Failed, run.Outcome);
        Assert.Equal((0L, 1L, 3L), (run.Counts.Succeeded, run.Counts.Failed, run.Counts.Skipped));
        Assert.Equal(RestoreStatus.Failed, done.Status);
        Assert.Contains(run.Failures, f => f.Code == "restore.blocked.secret_required");
        Assert.DoesNotContain(run.Failures, f => f.Code == Workers.RunJobProcessor.CompletionRefusedCode);
        Assert.Equal(0, (await suite.GraphRequestsAsync(a.EntraTenantId)).GetProperty("writes").GetInt32() - writes);
        await suite.AssertNoActiveRunsAsync();
    }

    /// <summary>Tenant A, written as an admin would through Graph, and backed up.</summary>
    private sealed record Source(string WorkspaceId, string TenantId, string EntraTenantId, string SetId, List<string> Groups, Dictionary<string, string> GroupNames,
        string FilterId, string TemplateId, Dictionary<string, string> Ids, List<string> ForeignIds);

    /// <summary>
    /// "Scoped" (scope tags 0 and 7, a filtered group assignment), "Keyed" (a product key), "Plain" (all devices) and
    /// "Notified" (a compliance policy whose notification uses A's template and CC's a group of A).
    /// </summary>
    private async Task<Source> SourceAsync(string owner)
    {
        var (workspaceId, tenantId, entraTenantId, _) = await suite.CreateTenantAsync(owner, deviceConfigurations: 0, compliancePolicies: 0);
        using var admin = suite.EmulatorAdmin();
        var summary = await admin.GetFromJsonAsync<JsonElement>($"/emulator/tenants/{entraTenantId}");
        var groups = summary.GetProperty("groupIds").EnumerateArray().Select(g => g.GetString()!).ToList();
        var templateId = summary.GetProperty("notificationMessageTemplateIds")[0].GetString()!;
        var filterId = Guid.NewGuid().ToString();
        using var graph = await suite.GraphHttpAsync(entraTenantId);
        var ids = new Dictionary<string, string>
        {
            ["Scoped"] = await CreateAsync(graph, "deviceConfigurations", new JsonObject
            {
                ["@odata.type"] = "#microsoft.graph.windows10GeneralConfiguration", ["displayName"] = "Scoped", ["passwordRequiredType"] = "numeric",
                ["roleScopeTagIds"] = new JsonArray("0", "7"),
            }, new JsonObject
            {
                ["target"] = new JsonObject
                {
                    ["@odata.type"] = "#microsoft.graph.groupAssignmentTarget", ["groupId"] = groups[0],
                    ["deviceAndAppManagementAssignmentFilterId"] = filterId, ["deviceAndAppManagementAssignmentFilterType"] = "include",
                },
            }),
            ["Keyed"] = await CreateAsync(graph, "deviceConfigurations", new JsonObject
            {
                ["@odata.type"] = "#microsoft.graph.editionUpgradeConfiguration", ["displayName"] = "Keyed", ["licenseType"] = "productKey",
                ["productKey"] = ProductKey, ["targetEdition"] = "windows10Enterprise",
            }, new JsonObject { ["target"] = new JsonObject { ["@odata.type"] = "#microsoft.graph.groupAssignmentTarget", ["groupId"] = groups[1] } }),
            ["Plain"] = await CreateAsync(graph, "deviceConfigurations", new JsonObject
            {
                ["@odata.type"] = "#microsoft.graph.iosGeneralDeviceConfiguration", ["displayName"] = "Plain", ["passcodeRequired"] = true,
            }, AllDevices()),
            ["Notified"] = await CreateAsync(graph, "deviceCompliancePolicies", new JsonObject
            {
                ["@odata.type"] = "#microsoft.graph.windows10CompliancePolicy", ["displayName"] = "Notified", ["bitLockerEnabled"] = true,
                ["scheduledActionsForRule"] = JsonNode.Parse($$"""
                    [{"ruleName":"PasswordRequired","scheduledActionConfigurations":[
                      {"actionType":"block","gracePeriodHours":0,"notificationTemplateId":"","notificationMessageCCList":[]},
                      {"actionType":"notification","gracePeriodHours":12,"notificationTemplateId":"{{templateId}}","notificationMessageCCList":["{{groups[3]}}"]}]}]
                    """),
            }, new JsonObject { ["target"] = new JsonObject { ["@odata.type"] = "#microsoft.graph.groupAssignmentTarget", ["groupId"] = groups[1] } }),
        };
        await suite.SyncGroupsAsync(owner, tenantId);
        var names = await suite.CachedGroupsAsync(owner, tenantId);
        var set = await suite.BackUpAsync(owner, tenantId);
        Assert.Equal(4, set.ItemCount);
        var templates = summary.GetProperty("notificationMessageTemplateIds").EnumerateArray().Select(t => t.GetString()!);
        return new Source(workspaceId, tenantId, entraTenantId, set.BackupSetId, groups, names, filterId, templateId, ids,
            [.. groups, .. templates, filterId, .. ids.Values]);
    }

    private static JsonObject AllDevices() => new() { ["target"] = new JsonObject { ["@odata.type"] = "#microsoft.graph.allDevicesAssignmentTarget" } };

    private static async Task<string> CreateAsync(HttpClient graph, string collection, JsonObject policy, JsonObject assignment)
    {
        var id = (await PostAsync(graph, $"/v1.0/deviceManagement/{collection}", policy))!["id"]!.GetValue<string>();
        await PostAsync(graph, $"/v1.0/deviceManagement/{collection}/{id}/assign", new JsonObject { ["assignments"] = new JsonArray(assignment) });
        return id;
    }

    private static async Task<JsonNode?> PostAsync(HttpClient graph, string path, JsonNode body)
    {
        using var response = await graph.PostAsync(path, new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json"));
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"POST {path}: {(int)response.StatusCode} {text}");
        return text.Length == 0 ? null : JsonNode.Parse(text);
    }
}
