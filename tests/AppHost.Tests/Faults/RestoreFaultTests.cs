using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json;
using TenantAtlas.Access.V1;
using TenantAtlas.AppHost.Demo;
using TenantAtlas.Runs.V1;
using Xunit.Abstractions;

namespace TenantAtlas.AppHost.Tests.Faults;

/// <summary>
/// The RestoreService process killed (SIGKILL) in the middle of executing a restore, then started again by the
/// orchestrator: its run is taken over once the claim lapses, resumes from each item's journal (a create that may have
/// landed is read back, not sent again), and every policy exists once in the target.
/// </summary>
public sealed class RestoreFaultTests(FaultSuite faults, ITestOutputHelper output) : FaultScenario(faults, output)
{
    private const int Policies = 12;
    private static readonly string[] AllFamilies = ["POLICY_FAMILY_DEVICE_CONFIGURATIONS", "POLICY_FAMILY_COMPLIANCE_POLICIES"];

    [Fact]
    public async Task RestoreWorkerKilledMidExecute_RestartedBySupervisor_ResumesFromTheJournal_EveryPolicyCreatedOnce()
    {
        using var owner = Suite.Gateway(Suite.OwnerToken);
        var (_, sourceTenant) = await Suite.AddTenantAsync("Fault: restore source", deviceConfigurations: Policies - 2, compliancePolicies: 2);
        await CompleteAsync(owner, await PostAsync(owner, $"/v1/tenants/{sourceTenant}/directory-groups:sync", new { }));
        var set = await PostAsync(owner, $"/v1/tenants/{sourceTenant}/backup-sets", new { displayName = "Fault: before the restore" });
        var setId = set.GetProperty("backupSet").GetProperty("backupSetId").GetString()!;
        await CompleteAsync(owner, await PostAsync(owner, $"/v1/backup-sets/{setId}:addPolicies", new { selection = new { families = AllFamilies } }));
        var names = (await owner.GetFromJsonAsync<JsonElement>($"/v1/tenants/{sourceTenant}/directory-groups?pageSize=200"))
            .GetProperty("groups").EnumerateArray().Select(g => g.GetProperty("displayName").GetString()!).Distinct().ToList();

        // The target: no policies, groups of the same names, and a slow Graph so the execution is mid-way at the kill.
        var entraTarget = Guid.NewGuid().ToString();
        var defined = await Suite.GraphEmulatorAsync(HttpMethod.Put, $"/emulator/tenants/{entraTarget}", new
        {
            clientId = DemoData.GraphClientId, clientSecret = DemoData.GraphClientSecret,
            deviceConfigurations = 0, compliancePolicies = 0, assignmentsPerPolicy = 0, groups = 1, notificationMessageTemplates = 0, seed = 31,
        });
        foreach (var id in defined.GetProperty("groupIds").EnumerateArray())
        {
            await Suite.GraphEmulatorAsync(HttpMethod.Delete, $"/emulator/tenants/{entraTarget}/groups/{id.GetString()}");
        }
        foreach (var name in names)
        {
            await Suite.GraphEmulatorAsync(HttpMethod.Post, $"/emulator/tenants/{entraTarget}/groups", new { displayName = name });
        }
        using var channel = Suite.RunsChannel(Suite.OwnerToken);
        var targetTenant = (await new AccessService.AccessServiceClient(channel).RegisterTenantAsync(new RegisterTenantRequest
        {
            WorkspaceId = Suite.WorkspaceId, EntraTenantId = entraTarget, DisplayName = "Fault: restore target",
        })).Tenant.TenantId;
        await CompleteAsync(owner, await PostAsync(owner, $"/v1/tenants/{targetTenant}/directory-groups:sync", new { }));
        await Suite.GraphEmulatorAsync(HttpMethod.Put, $"/emulator/tenants/{entraTarget}/faults", new { latencyMs = 300 });

        var restore = (await PostAsync(owner, $"/v1/tenants/{targetTenant}/restores",
            new { backupSetId = setId, options = new { allowBroadTargets = true } })).GetProperty("restore");
        var restoreId = restore.GetProperty("restoreId").GetString()!;
        await CompleteAsync(owner, await PostAsync(owner, $"/v1/restores/{restoreId}:preview", new { }));
        var previewed = (await owner.GetFromJsonAsync<JsonElement>($"/v1/restores/{restoreId}")).GetProperty("restore");
        Assert.Equal("RESTORE_STATUS_PREVIEWED", previewed.GetProperty("status").GetString());
        var runId = previewed.GetProperty("executeRunId").GetString()!;
        await PostAsync(owner, $"/v1/restores/{restoreId}:execute", new { planHash = previewed.GetProperty("planHash").GetString() });

        // Mid-way: some items done, not all.
        var createdAtKill = await Eventually.UntilAsync(async () => Created(await ItemsAsync(owner, restoreId)), n => n >= 3, TimeSpan.FromSeconds(90), "three items are restored");
        var victim = Faults.InstancesOf("restore").Single();
        var pid = FaultSuite.ServiceProcessOf(victim);
        FaultSuite.Signal(pid, "KILL");
        var sinceKill = Stopwatch.StartNew();
        await Faults.StartAsync(victim);
        var run = await CompletedOrNullAsync(runId, TimeSpan.FromSeconds(180));
        var completion = run is null ? (TimeSpan?)null : sinceKill.Elapsed;

        var items = await ItemsAsync(owner, restoreId);
        var creates = (await Suite.GraphEmulatorAsync(HttpMethod.Get, $"/emulator/tenants/{entraTarget}/requests"))
            .GetProperty("writeRequests").EnumerateArray()
            // Policy creates: the restore also creates the notification templates the compliance policies use.
            .Count(w => w.GetProperty("operation").GetString() == "create" && w.GetProperty("stored").GetBoolean()
                && w.GetProperty("collection").GetString() is "deviceConfigurations" or "deviceCompliancePolicies");
        var status = (await owner.GetFromJsonAsync<JsonElement>($"/v1/restores/{restoreId}")).GetProperty("restore").GetProperty("status").GetString();
        Record(new FaultResult("RestoreService SIGKILL mid-execute (restarted)",
            $"completed {(completion is { } c ? FaultReport.Seconds(c) : "never")} after the kill",
            Lost: run is { Outcome: not RunOutcome.Succeeded } || Created(items) != Policies ? 1 : 0,
            Duplicated: Math.Max(0, creates - Policies),
            Stuck: run is null ? 1 : 0,
            $"{Policies} policies; {createdAtKill} created just before the kill; restore {status}; run {run?.Outcome}; {creates} creates stored in the target"));
        Assert.NotNull(run);
        Assert.Equal(RunOutcome.Succeeded, run.Outcome);
        Assert.Equal("RESTORE_STATUS_COMPLETED", status);
        Assert.Equal(Policies, Created(items));
        Assert.Equal(Policies, creates);
    }

    private static int Created(JsonElement items) =>
        items.GetProperty("items").EnumerateArray().Count(i => i.TryGetProperty("result", out var r) && r.GetString() == "RESTORE_ITEM_RESULT_CREATED");

    private static Task<JsonElement> ItemsAsync(HttpClient gateway, string restoreId) =>
        gateway.GetFromJsonAsync<JsonElement>($"/v1/restores/{restoreId}/items?pageSize=500");

    private static async Task<JsonElement> PostAsync(HttpClient gateway, string path, object body)
    {
        using var response = await gateway.PostAsJsonAsync(path, body);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"POST {path} failed: {(int)response.StatusCode} {text}");
        return JsonDocument.Parse(text).RootElement.Clone();
    }

    private static async Task CompleteAsync(HttpClient gateway, JsonElement started) =>
        await SuiteApp.CompletedRunAsync(gateway, started.GetProperty("run").GetProperty("runId").GetString()!, TimeSpan.FromSeconds(120));
}
