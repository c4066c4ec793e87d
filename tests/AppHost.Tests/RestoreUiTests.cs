using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Playwright;

namespace TenantAtlas.AppHost.Tests;

/// <summary>
/// The restore wizard in a real (headless) browser against the running suite: from a backup set to a preview, a
/// decision for a group the target no longer has, the plan executed, and the results. Uses a tenant of its own.
/// </summary>
[Collection(SharedSuite.Name)]
public sealed class RestoreUiTests(SuiteApp suite, BrowserFixture browser) : IClassFixture<BrowserFixture>
{
    private static readonly TimeSpan RunWithin = TimeSpan.FromSeconds(120);
    private static readonly string[] AllFamilies = ["POLICY_FAMILY_DEVICE_CONFIGURATIONS", "POLICY_FAMILY_COMPLIANCE_POLICIES"];
    private static readonly string[] DoneResults = ["updated", "unchanged"];

    private static LocatorAssertionsToHaveTextOptions Within(TimeSpan time) => new() { Timeout = (float)time.TotalMilliseconds };

    [Fact]
    public async Task Wizard_FromASet_PreviewsWithAMissingGroup_TheChoiceIsSaved_ThenTheRestoreIsExecutedAndItsResultsShown()
    {
        var (entraTenantId, tenantId) = await suite.AddTenantAsync("UI restore", deviceConfigurations: 3, compliancePolicies: 1);
        using var owner = suite.Gateway(suite.OwnerToken);
        // A backup of the tenant.
        var set = await PostAsync(owner, $"/v1/tenants/{tenantId}/backup-sets", new { displayName = "Before the restore" });
        var setId = set.GetProperty("backupSet").GetProperty("backupSetId").GetString()!;
        var capture = await PostAsync(owner, $"/v1/backup-sets/{setId}:addPolicies",
            new { selection = new { families = AllFamilies } });
        await SuiteApp.CompletedRunAsync(owner, capture.GetProperty("run").GetProperty("runId").GetString()!, RunWithin);
        // A group the backup's assignments use is deleted from the tenant, then the group cache is synced.
        var items = await owner.GetFromJsonAsync<JsonElement>($"/v1/backup-sets/{setId}/items");
        var first = items.GetProperty("items")[0].GetProperty("itemId").GetString()!;
        var item = await owner.GetFromJsonAsync<JsonElement>($"/v1/backup-sets/{setId}/items/{first}");
        var group = item.GetProperty("references").EnumerateArray().First(r => r.GetProperty("kind").GetString() == "group");
        var groupName = group.GetProperty("displayName").GetString()!;
        await suite.GraphEmulatorAsync(HttpMethod.Delete, $"/emulator/tenants/{entraTenantId}/groups/{group.GetProperty("id").GetString()}");
        var sync = await PostAsync(owner, $"/v1/tenants/{tenantId}/directory-groups:sync", new { });
        await SuiteApp.CompletedRunAsync(owner, sync.GetProperty("run").GetProperty("runId").GetString()!, RunWithin);

        var page = await browser.NewPageAsync();
        await page.GotoAsync(new Uri(suite.GatewayUrl, "/").ToString());
        await page.GetByTestId("token-input").FillAsync(suite.OwnerToken);
        await page.GetByTestId("sign-in").ClickAsync();
        await Assertions.Expect(page.GetByTestId("tenant-select")).ToContainTextAsync("UI restore");
        await page.GetByTestId("tenant-select").SelectOptionAsync(tenantId);
        await page.GetByTestId("nav-backup-sets").ClickAsync();
        await page.GetByTestId("backup-set-link").First.ClickAsync();
        await page.GetByTestId("restore-from-set").ClickAsync();

        // Source and target: the set is preselected, the target is this tenant.
        await Assertions.Expect(page.GetByTestId("restore-source-set")).ToHaveValueAsync(setId);
        await Assertions.Expect(page.GetByTestId("restore-source-item")).ToHaveCountAsync(4);
        await page.GetByTestId("create-restore").ClickAsync();

        // Preview: the deleted group needs a decision; Execute waits for it.
        await Assertions.Expect(page.GetByTestId("restore-status")).ToHaveTextAsync("previewed", Within(RunWithin));
        var choice = page.GetByTestId("group-choice").Filter(new LocatorFilterOptions { HasText = groupName });
        await Assertions.Expect(choice).ToHaveCountAsync(1);
        await Assertions.Expect(page.GetByTestId("execute-restore")).ToBeDisabledAsync();
        await Assertions.Expect(page.GetByTestId("execute-blockers")).ToContainTextAsync("need your choice");
        await Assertions.Expect(page.GetByTestId("restore-item-action").Filter(new LocatorFilterOptions { HasText = "unmapped_group" }).First).ToBeVisibleAsync();
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(BrowserFixture.Screenshots, "restore-preview.png"), FullPage = true });

        await choice.GetByLabel("Skip this group").CheckAsync();
        await page.GetByTestId("save-choices").ClickAsync();
        await Assertions.Expect(page.GetByTestId("restore-status")).ToHaveTextAsync("previewed", Within(RunWithin));
        await Assertions.Expect(page.GetByTestId("group-mapping-state").Filter(new LocatorFilterOptions { HasText = "skipped by your choice" })).ToHaveCountAsync(1);
        await Assertions.Expect(page.GetByTestId("choices-form")).ToBeHiddenAsync();

        // Execute: the items that assigned the deleted group are updated without it; the rest were identical.
        await page.GetByTestId("execute-restore").ClickAsync();
        await Assertions.Expect(page.GetByTestId("restore-status")).ToHaveTextAsync("completed", Within(RunWithin));
        var results = await page.GetByTestId("restore-item-result").AllTextContentsAsync();
        Assert.Equal(4, results.Count);
        Assert.Contains("updated", results);
        Assert.All(results, r => Assert.Contains(r, DoneResults));
        await Assertions.Expect(page.GetByTestId("restore-run-link")).ToBeVisibleAsync();
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(BrowserFixture.Screenshots, "restore-done.png"), FullPage = true });

        // The restore run in Monitoring links back to the restore.
        await page.GetByTestId("restore-run-link").ClickAsync();
        await Assertions.Expect(page.GetByTestId("related-restore")).ToBeVisibleAsync();
    }

    private static async Task<JsonElement> PostAsync(HttpClient gateway, string path, object body)
    {
        using var response = await gateway.PostAsJsonAsync(path, body);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"POST {path} failed: {(int)response.StatusCode} {text}");
        return JsonDocument.Parse(text).RootElement.Clone();
    }
}
