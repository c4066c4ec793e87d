using System.Net.Http.Json;
using System.Text.Json;

namespace TenantAtlas.AppHost.Tests;

/// <summary>BackupService in the running suite: the demo schedule fires on its own, and its backup is readable through the gateway.</summary>
[Collection(SharedSuite.Name)]
public sealed class BackupDemoTests(SuiteApp suite)
{
    [Fact]
    public async Task DemoSchedule_Fires_AndItsBackupSetHoldsTheDemoTenantsPolicies()
    {
        using var owner = suite.Gateway(suite.OwnerToken);
        var schedules = await owner.GetFromJsonAsync<JsonElement>($"/v1/tenants/{suite.TenantId}/backup-schedules");
        var schedule = schedules.GetProperty("schedules").EnumerateArray().Single(s => s.GetProperty("displayName").GetString() == "Demo: every two minutes");
        Assert.Equal(5, schedule.GetProperty("nextFireTimes").GetArrayLength());

        // Every two minutes, looked for every 15 s: the first slot comes within about 2.5 minutes of the suite's start.
        var run = await Eventually.UntilAsync(
            async () => (await owner.GetFromJsonAsync<JsonElement>(
                    $"/v1/workspaces/{suite.WorkspaceId}/runs?tenantId={suite.TenantId}&types=backup_schedule.scheduled"))
                .GetProperty("runs").EnumerateArray().Select(r => r.Clone())
                .FirstOrDefault(r => r.GetProperty("status").GetString() == "RUN_STATUS_COMPLETED"),
            r => r.ValueKind == JsonValueKind.Object, TimeSpan.FromMinutes(4), "the demo schedule fires and its run succeeds");
        var set = (await owner.GetFromJsonAsync<JsonElement>($"/v1/backup-sets/{run.GetProperty("runId").GetString()}")).GetProperty("backupSet");

        Assert.Equal("RUN_OUTCOME_SUCCEEDED", run.GetProperty("outcome").GetString());
        Assert.Equal("System", run.GetProperty("initiator").GetProperty("name").GetString());
        Assert.Equal("BACKUP_SET_STATUS_COMPLETE", set.GetProperty("status").GetString());
        // The demo tenant's 40 device configurations and 12 compliance policies.
        Assert.Equal(52, set.GetProperty("itemCount").GetInt32());
        Assert.Equal(schedule.GetProperty("scheduleId").GetString(), set.GetProperty("scheduleId").GetString());
    }
}
