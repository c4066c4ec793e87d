using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Playwright;

namespace TenantAtlas.AppHost.Tests;

/// <summary>
/// The Operations UI's backup pages in a real (headless) browser, against the running suite: backup sets (create,
/// items, an item's stored JSON, compare), schedules (create with the server's validation, next fire times, run now,
/// edit, delete), drift findings after a policy changed, and what a Readonly user is not offered. Tests that change
/// data use a tenant of their own, so the demo tenant stays as the other tests expect.
/// </summary>
[Collection(SharedSuite.Name)]
public sealed class BackupUiTests(SuiteApp suite, BrowserFixture browser) : IClassFixture<BrowserFixture>
{
    private static readonly string Screenshots = BrowserFixture.Screenshots;
    private static readonly TimeSpan CaptureWithin = TimeSpan.FromSeconds(120);
    private static readonly string[] AllFamilies = ["POLICY_FAMILY_DEVICE_CONFIGURATIONS", "POLICY_FAMILY_COMPLIANCE_POLICIES"];
    private static readonly string[] SetsNewestFirst = ["After the change", "Before the change"];
    private static readonly string[] ScheduleActions = ["run-now", "edit-schedule", "delete-schedule"];

    private static LocatorAssertionsToHaveTextOptions Within(TimeSpan time) => new() { Timeout = (float)time.TotalMilliseconds };

    private async Task<IPage> SignedInAsync(string token, string? tenantName = null, string? tenantId = null)
    {
        var page = await browser.NewPageAsync();
        await page.GotoAsync(new Uri(suite.GatewayUrl, "/").ToString());
        await page.GetByTestId("token-input").FillAsync(token);
        await page.GetByTestId("sign-in").ClickAsync();
        await Assertions.Expect(page.GetByTestId("workspace-select")).ToContainTextAsync("Contoso");
        if (tenantName is not null && tenantId is not null)
        {
            await Assertions.Expect(page.GetByTestId("tenant-select")).ToContainTextAsync(tenantName);
            await page.GetByTestId("tenant-select").SelectOptionAsync(tenantId);
        }
        return page;
    }

    private async Task GotoAsync(IPage page, string fragment) => await page.GotoAsync(new Uri(suite.GatewayUrl, "/" + fragment).ToString());

    private async Task<string> FirstDeviceConfigurationAsync(string entraTenantId) =>
        (await suite.GraphEmulatorAsync(HttpMethod.Get, $"/emulator/tenants/{entraTenantId}"))
            .GetProperty("deviceConfigurationIds").EnumerateArray().First().GetString()!;

    private static async Task CreateSetInTheUiAsync(IPage page, string name)
    {
        await page.GetByTestId("nav-backup-sets").ClickAsync();
        await Assertions.Expect(page.GetByTestId("new-backup-set-form")).ToBeVisibleAsync();
        await page.GetByTestId("new-backup-set-name").FillAsync(name);
        await page.GetByTestId("new-backup-set").ClickAsync();
        await Assertions.Expect(page.GetByTestId("backup-set-name")).ToHaveTextAsync(name);
        await Assertions.Expect(page.GetByTestId("backup-set-status")).ToHaveTextAsync("complete", Within(CaptureWithin));
    }

    [Fact]
    public async Task BackupSets_CreateOne_ItsItemsComplete_AnItemsStoredJsonOpens_AndTwoSetsCompare()
    {
        var (entraTenantId, tenantId) = await suite.AddTenantAsync("UI backup sets", deviceConfigurations: 4, compliancePolicies: 2);
        var page = await SignedInAsync(suite.OwnerToken, "UI backup sets", tenantId);

        await CreateSetInTheUiAsync(page, "Before the change");

        var items = page.GetByTestId("backup-item");
        await Assertions.Expect(items).ToHaveCountAsync(6);
        foreach (var outcome in await page.GetByTestId("backup-item-outcome").AllTextContentsAsync())
        {
            Assert.Equal("captured", outcome.Trim());
        }
        await Assertions.Expect(page.GetByTestId("coverage-row")).ToHaveCountAsync(2);
        await Assertions.Expect(page.GetByTestId("coverage-list")).ToContainTextAsync("4 of 4 captured");
        await Assertions.Expect(page.GetByTestId("coverage-list")).ToContainTextAsync("2 of 2 captured");

        await items.First.ClickAsync();
        var json = page.GetByTestId("item-raw-json");
        await Assertions.Expect(json).ToBeVisibleAsync();
        await Assertions.Expect(json).ToContainTextAsync("\"@odata.type\"");
        await Assertions.Expect(json).ToContainTextAsync("\"assignments\"");
        // Pretty-printed: one property a line, indented.
        Assert.Contains("\n  \"", await json.TextContentAsync() ?? string.Empty, StringComparison.Ordinal);
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(Screenshots, "backup-set.png"), FullPage = true });

        var policyId = await FirstDeviceConfigurationAsync(entraTenantId);
        await suite.GraphEmulatorAsync(HttpMethod.Patch, $"/emulator/tenants/{entraTenantId}/policies/deviceConfigurations/{policyId}",
            new { description = "changed for the compare test" });
        await CreateSetInTheUiAsync(page, "After the change");

        await Assertions.Expect(page.GetByTestId("compare-select")).ToContainTextAsync("Before the change");
        await page.GetByTestId("compare").ClickAsync();
        await Assertions.Expect(page.GetByTestId("compare-summary")).ToHaveTextAsync("0 added · 0 removed · 1 changed · 5 unchanged");
        var finding = page.GetByTestId("compare-finding");
        await Assertions.Expect(finding).ToHaveCountAsync(1);
        await Assertions.Expect(finding.GetByTestId("finding-kind")).ToHaveTextAsync("changed");
        await Assertions.Expect(finding).ToContainTextAsync(policyId);
        await Assertions.Expect(finding.GetByTestId("finding-path").First).ToHaveTextAsync("/description");
        await Assertions.Expect(finding.GetByTestId("finding-values").First).ToContainTextAsync("\"changed for the compare test\"");
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(Screenshots, "backup-set-compare.png"), FullPage = true });

        // The list shows both, newest first.
        await page.GetByTestId("back-to-backup-sets").ClickAsync();
        await Assertions.Expect(page.GetByTestId("backup-set-link")).ToHaveTextAsync(SetsNewestFirst);
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(Screenshots, "backup-sets.png"), FullPage = true });
    }

    [Fact]
    public async Task Schedules_ABadCronIsRefusedWithTheServersMessage_ASavedOneShowsNextFireTimes_RunNowLinksBackToItsSet()
    {
        var (_, tenantId) = await suite.AddTenantAsync("UI schedules", deviceConfigurations: 3, compliancePolicies: 1);
        var page = await SignedInAsync(suite.OwnerToken, "UI schedules", tenantId);

        await page.GetByTestId("nav-schedules").ClickAsync();
        await Assertions.Expect(page.GetByTestId("schedules-empty")).ToBeVisibleAsync();
        await page.GetByTestId("new-schedule").ClickAsync();
        await page.GetByTestId("schedule-name").FillAsync("UI nightly");
        await page.GetByTestId("schedule-cron").FillAsync("61 * * * *");
        await page.GetByTestId("schedule-timezone").FillAsync("Europe/Berlin");
        await page.GetByTestId("schedule-keep-last").FillAsync("3");
        await page.GetByTestId("save-schedule").ClickAsync();
        var formError = page.GetByTestId("schedule-form-error");
        await Assertions.Expect(formError).ToBeVisibleAsync();
        await Assertions.Expect(formError).ToContainTextAsync("cron_expression");
        await Assertions.Expect(page.GetByTestId("schedule-form-page")).ToBeVisibleAsync();
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(Screenshots, "schedule-form-invalid.png"), FullPage = true });

        await page.GetByTestId("schedule-cron").FillAsync("0 3 * * *");
        await page.GetByTestId("save-schedule").ClickAsync();
        await Assertions.Expect(page.GetByTestId("schedule-title")).ToHaveTextAsync("UI nightly");
        await Assertions.Expect(page.GetByTestId("schedule-when")).ToHaveTextAsync("0 3 * * * (Europe/Berlin)");
        await Assertions.Expect(page.GetByTestId("next-fire-time")).ToHaveCountAsync(5);
        await Assertions.Expect(page.GetByTestId("schedule-retention")).ToHaveTextAsync("Keep the last 3");
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(Screenshots, "schedule.png"), FullPage = true });
        var scheduleId = (await page.GetByTestId("schedule-id").TextContentAsync())!.Trim();

        await page.GetByTestId("run-now").ClickAsync();
        var detail = page.GetByTestId("run-detail");
        await Assertions.Expect(detail.GetByTestId("detail-type")).ToHaveTextAsync("backup_schedule.run_now");
        await Assertions.Expect(detail.GetByTestId("status-badge")).ToHaveTextAsync("succeeded", Within(CaptureWithin));
        var runId = (await detail.GetByTestId("detail-run-id").TextContentAsync())!.Trim();
        await Assertions.Expect(detail.GetByTestId("related-schedule")).ToHaveAttributeAsync("href", $"#/schedules/{scheduleId}");
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(Screenshots, "schedule-run.png"), FullPage = true });
        await detail.GetByTestId("related-backup-set").ClickAsync();
        await Assertions.Expect(page.GetByTestId("backup-set-id")).ToHaveTextAsync(runId);
        await Assertions.Expect(page.GetByTestId("backup-set-status")).ToHaveTextAsync("complete");
        await Assertions.Expect(page.GetByTestId("backup-item")).ToHaveCountAsync(4);

        // Back to the schedule from its set; edit it; delete it (after the confirm step).
        await page.GetByTestId("backup-set-schedule-link").ClickAsync();
        await Assertions.Expect(page.GetByTestId("schedule-title")).ToHaveTextAsync("UI nightly");
        await page.GetByTestId("edit-schedule").ClickAsync();
        await Assertions.Expect(page.GetByTestId("schedule-cron")).ToHaveValueAsync("0 3 * * *");
        await page.GetByTestId("schedule-keep-last").FillAsync("4");
        await page.GetByTestId("save-schedule").ClickAsync();
        await Assertions.Expect(page.GetByTestId("schedule-retention")).ToHaveTextAsync("Keep the last 4");
        await page.GetByTestId("delete-schedule").ClickAsync();
        await Assertions.Expect(page.GetByTestId("delete-confirm")).ToBeVisibleAsync();
        await page.GetByTestId("delete-confirm-yes").ClickAsync();
        await Assertions.Expect(page.GetByTestId("schedules-page")).ToBeVisibleAsync();
        await Assertions.Expect(page.GetByTestId("schedules-empty")).ToBeVisibleAsync();
    }

    [Fact]
    public async Task PartiallySucceededScheduleRun_OffersRetry_WhichRecapturesIntoTheSameSet()
    {
        var (entraTenantId, tenantId) = await suite.AddTenantAsync("UI retry", deviceConfigurations: 3, compliancePolicies: 1);
        using var owner = suite.Gateway(suite.OwnerToken);
        using var created = await owner.PostAsJsonAsync($"/v1/tenants/{tenantId}/backup-schedules", new
        {
            definition = new
            {
                displayName = "UI retry", cronExpression = "0 3 * * *", timeZone = "UTC",
                selection = new { families = AllFamilies }, retention = new { keepLast = 3 }, enabled = false,
            },
        });
        created.EnsureSuccessStatusCode();
        var scheduleId = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("schedule").GetProperty("scheduleId").GetString()!;
        var failing = await FirstDeviceConfigurationAsync(entraTenantId);
        await suite.GraphEmulatorAsync(HttpMethod.Put, $"/emulator/tenants/{entraTenantId}/faults", new { failingItemIds = new[] { failing }, failingStatus = 500 });
        var page = await SignedInAsync(suite.OwnerToken, "UI retry", tenantId);
        var detail = page.GetByTestId("run-detail");
        try
        {
            await GotoAsync(page, $"#/schedules/{scheduleId}");
            await Assertions.Expect(page.GetByTestId("next-fire-empty")).ToBeVisibleAsync();
            await page.GetByTestId("run-now").ClickAsync();
            await Assertions.Expect(detail.GetByTestId("status-badge")).ToHaveTextAsync("partially_succeeded", Within(CaptureWithin));
        }
        finally
        {
            await suite.GraphEmulatorAsync(HttpMethod.Delete, $"/emulator/tenants/{entraTenantId}/faults");
        }
        var firstRunId = (await detail.GetByTestId("detail-run-id").TextContentAsync())!.Trim();
        await Assertions.Expect(detail.GetByTestId("failure-item")).ToContainTextAsync(failing);

        await detail.GetByTestId("retry-run").ClickAsync();
        await Assertions.Expect(detail.GetByTestId("detail-type")).ToHaveTextAsync("backup_schedule.retry");
        await Assertions.Expect(detail.GetByTestId("status-badge")).ToHaveTextAsync("succeeded", Within(CaptureWithin));
        await Assertions.Expect(detail.GetByTestId("related-backup-set")).ToHaveAttributeAsync("href", $"#/backup-sets/{firstRunId}");
        await Assertions.Expect(detail.GetByTestId("retry-run")).ToBeHiddenAsync();
        await detail.GetByTestId("related-backup-set").ClickAsync();
        await Assertions.Expect(page.GetByTestId("backup-set-status")).ToHaveTextAsync("complete");
    }

    [Fact]
    public async Task Drift_AfterAPolicyChangedInTheTenant_ListsTheChangeWithItsPointerAndValues()
    {
        var (entraTenantId, tenantId) = await suite.AddTenantAsync("UI drift", deviceConfigurations: 3, compliancePolicies: 1);
        using var owner = suite.Gateway(suite.OwnerToken);
        using var created = await owner.PostAsJsonAsync($"/v1/tenants/{tenantId}/backup-sets", new { displayName = "Baseline" });
        created.EnsureSuccessStatusCode();
        var setId = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("backupSet").GetProperty("backupSetId").GetString()!;
        using var added = await owner.PostAsJsonAsync($"/v1/backup-sets/{setId}:addPolicies",
            new { selection = new { families = AllFamilies } });
        added.EnsureSuccessStatusCode();
        var captureRunId = (await added.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("run").GetProperty("runId").GetString()!;
        await SuiteApp.CompletedRunAsync(owner, captureRunId, CaptureWithin);
        var policyId = await FirstDeviceConfigurationAsync(entraTenantId);
        await suite.GraphEmulatorAsync(HttpMethod.Patch, $"/emulator/tenants/{entraTenantId}/policies/deviceConfigurations/{policyId}",
            new { description = "drifted" });

        var page = await SignedInAsync(suite.OwnerToken, "UI drift", tenantId);
        await GotoAsync(page, $"#/backup-sets/{setId}");
        await Assertions.Expect(page.GetByTestId("backup-set-name")).ToHaveTextAsync("Baseline");
        // The set's latest run links back to the capture, whose Related section links to the set.
        await Assertions.Expect(page.GetByTestId("backup-set-run-link")).ToHaveAttributeAsync("href", $"#/runs/{captureRunId}");
        await page.GetByTestId("check-drift").ClickAsync();

        var detail = page.GetByTestId("run-detail");
        await Assertions.Expect(detail.GetByTestId("detail-type")).ToHaveTextAsync("drift.generate");
        await Assertions.Expect(detail.GetByTestId("status-badge")).ToHaveTextAsync("succeeded", Within(CaptureWithin));
        await Assertions.Expect(detail.GetByTestId("related-baseline")).ToHaveAttributeAsync("href", $"#/backup-sets/{setId}");
        await detail.GetByTestId("related-drift-findings").ClickAsync();

        await Assertions.Expect(page.GetByTestId("drift-summary")).ToHaveTextAsync("0 added · 0 removed · 1 changed");
        var finding = page.GetByTestId("drift-finding");
        await Assertions.Expect(finding).ToHaveCountAsync(1);
        await Assertions.Expect(finding.GetByTestId("finding-kind")).ToHaveTextAsync("changed");
        await Assertions.Expect(finding).ToContainTextAsync(policyId);
        await Assertions.Expect(finding.GetByTestId("finding-path").First).ToHaveTextAsync("/description");
        await Assertions.Expect(finding.GetByTestId("finding-values").First).ToContainTextAsync("→ \"drifted\"");
        await Assertions.Expect(page.GetByTestId("drift-baseline-link")).ToHaveAttributeAsync("href", $"#/backup-sets/{setId}");
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(Screenshots, "drift-findings.png"), FullPage = true });

        // The capture run's Related section links to its set.
        await GotoAsync(page, $"#/runs/{captureRunId}");
        await Assertions.Expect(detail.GetByTestId("related-backup-set")).ToHaveAttributeAsync("href", $"#/backup-sets/{setId}");
    }

    [Fact]
    public async Task Readonly_IsOfferedNoCreateRunNowOrDriftActions()
    {
        using var owner = suite.Gateway(suite.OwnerToken);
        var schedules = await owner.GetFromJsonAsync<JsonElement>($"/v1/tenants/{suite.TenantId}/backup-schedules");
        var scheduleId = schedules.GetProperty("schedules").EnumerateArray().First().GetProperty("scheduleId").GetString();

        var page = await SignedInAsync(suite.ReaderToken);

        await page.GetByTestId("nav-backup-sets").ClickAsync();
        await Assertions.Expect(page.GetByTestId("backup-sets-page")).ToBeVisibleAsync();
        await Assertions.Expect(page.GetByTestId("new-backup-set-form")).ToBeHiddenAsync();
        await page.GetByTestId("nav-schedules").ClickAsync();
        await Assertions.Expect(page.GetByTestId("schedules-page")).ToBeVisibleAsync();
        await Assertions.Expect(page.GetByTestId("new-schedule")).ToBeHiddenAsync();
        await GotoAsync(page, $"#/schedules/{scheduleId}");
        await Assertions.Expect(page.GetByTestId("schedule-page")).ToBeVisibleAsync();
        // A Readonly user may not even view backups: the server's refusal shows, and no action is offered.
        await Assertions.Expect(page.GetByTestId("error-message")).ToBeVisibleAsync();
        foreach (var action in ScheduleActions)
        {
            await Assertions.Expect(page.GetByTestId(action)).ToBeHiddenAsync();
        }
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(Screenshots, "schedule-readonly.png"), FullPage = true });
        Assert.Contains($"#/schedules/{scheduleId}", page.Url, StringComparison.Ordinal);
    }
}
