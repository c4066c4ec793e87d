using Microsoft.Playwright;
using TenantAtlas.AppHost.Demo;

namespace TenantAtlas.AppHost.Tests;

/// <summary>Headless Chromium (Debian's, which scripts/test.sh installs; Playwright downloads no browser here).</summary>
public sealed class BrowserFixture : IAsyncLifetime
{
    public static readonly string Screenshots = Path.Combine(ServiceProcess.RepositoryRoot(), "TestResults", "screenshots");

    public IPlaywright Playwright { get; private set; } = null!;

    public IBrowser Browser { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Playwright = await Microsoft.Playwright.Playwright.CreateAsync();
        Browser = await Playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = "/usr/bin/chromium",
            Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
        });
        Directory.CreateDirectory(Screenshots);
    }

    public async Task DisposeAsync()
    {
        await Browser.DisposeAsync();
        Playwright.Dispose();
    }

    public Task<IPage> NewPageAsync() =>
        Browser.NewPageAsync(new BrowserNewPageOptions { ViewportSize = new ViewportSize { Width = 1400, Height = 900 } });
}

/// <summary>The Operations UI in a real (headless) browser, against the running suite through the gateway.</summary>
[Collection(SharedSuite.Name)]
public sealed class OperationsUiTests(SuiteApp suite, BrowserFixture browser) : IClassFixture<BrowserFixture>
{
    private static readonly string Screenshots = BrowserFixture.Screenshots;

    private async Task<IPage> SignedInAsync(string token, Action<IPage>? beforeSignIn = null)
    {
        var page = await browser.NewPageAsync();
        beforeSignIn?.Invoke(page);
        await page.GotoAsync(new Uri(suite.GatewayUrl, "/").ToString());
        await page.GetByTestId("token-input").FillAsync(token);
        await page.GetByTestId("sign-in").ClickAsync();
        await Assertions.Expect(page.GetByTestId("workspace-select")).ToContainTextAsync("Contoso");
        return page;
    }

    [Fact]
    public async Task Owner_StartsASync_WatchesItRunAndSucceed_FiltersTheList_OpensTheRun_AndIsNotified()
    {
        var entraTenantId = DemoData.EntraTenantId;
        await suite.GraphEmulatorAsync(HttpMethod.Put, $"/emulator/tenants/{entraTenantId}/faults", new { latencyMs = 150 });
        // The detail follows the run on its watch stream (no polling GET of the run while it changes), the list its workspace's.
        var runGets = new System.Collections.Concurrent.ConcurrentQueue<string>();
        var watchStreams = new System.Collections.Concurrent.ConcurrentQueue<string>();
        var page = await SignedInAsync(suite.OwnerToken, page => page.Request += (_, request) =>
        {
            var path = new Uri(request.Url).AbsolutePath;
            if (path.EndsWith(":watch", StringComparison.Ordinal))
            {
                watchStreams.Enqueue(path);
            }
            else if (System.Text.RegularExpressions.Regex.IsMatch(path, "^/v1/runs/[0-9a-f-]{36}$"))
            {
                runGets.Enqueue(path);
            }
        });

        await page.GetByTestId("start-sync").ClickAsync();
        var detail = page.GetByTestId("run-detail");
        await Assertions.Expect(detail).ToBeVisibleAsync();
        var seen = new List<string>();
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(90);
        while (DateTime.UtcNow < deadline && !seen.Contains("succeeded"))
        {
            var text = (await detail.GetByTestId("status-badge").First.TextContentAsync() ?? string.Empty).Trim().ToLowerInvariant();
            if (seen.LastOrDefault() != text)
            {
                seen.Add(text);
            }
            await Task.Delay(100);
        }
        await suite.GraphEmulatorAsync(HttpMethod.Delete, $"/emulator/tenants/{entraTenantId}/faults");
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(Screenshots, "run-detail.png"), FullPage = true });

        Assert.Contains("running", seen);
        Assert.Equal("succeeded", seen[^1]);
        var runPath = Assert.Single(runGets.Distinct());
        Assert.True(runGets.Count <= 2, $"the detail read the run {runGets.Count} times instead of watching it");
        Assert.Contains($"{runPath}:watch", watchStreams);
        Assert.Contains(watchStreams, w => w.EndsWith("/runs:watch", StringComparison.Ordinal));
        // The run's trace is one click away: the dashboard's trace page (under Aspire.Hosting.Testing there is no
        // dashboard, so the link is relative; DashboardTests follows it into the real one).
        var traceId = (await detail.GetByTestId("trace-id").TextContentAsync())?.Trim();
        Assert.Matches("^[0-9a-f]{32}$", traceId);
        Assert.Equal($"/traces/detail/{traceId}", await detail.GetByTestId("trace-link").GetAttributeAsync("href"));
        await page.GetByTestId("filter-bucket").SelectOptionAsync("STATUS_BUCKET_SUCCEEDED");
        // The list reloads asynchronously; wait until no row of another bucket is left.
        await Assertions.Expect(page.GetByTestId("run-list")).Not.ToContainTextAsync(
            new System.Text.RegularExpressions.Regex("partially_succeeded|failed|queued|running"));
        await Assertions.Expect(page.GetByTestId("run-row").First).ToBeVisibleAsync();
        foreach (var badge in await page.GetByTestId("run-row").GetByTestId("status-badge").AllTextContentsAsync())
        {
            Assert.Equal("succeeded", badge.Trim().ToLowerInvariant());
        }
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(Screenshots, "runs-list.png"), FullPage = true });
        await page.GetByTestId("run-row").First.ClickAsync();
        await Assertions.Expect(page.GetByTestId("run-detail")).ToContainTextAsync("inventory.sync");
        Assert.True(int.TryParse((await page.GetByTestId("unread-count").TextContentAsync())?.Trim(), out var unread) && unread >= 1,
            "the initiator has an unread notification");
        await Assertions.Expect(page.GetByTestId("notification-item").First).ToBeVisibleAsync();
    }

    [Fact]
    public async Task PartiallySucceededRun_ShowsItsItemFailures()
    {
        var entraTenantId = DemoData.EntraTenantId;
        var summary = await suite.GraphEmulatorAsync(HttpMethod.Get, $"/emulator/tenants/{entraTenantId}");
        var failing = summary.GetProperty("deviceConfigurationIds").EnumerateArray().Take(2).Select(e => e.GetString()!).ToArray();
        await suite.GraphEmulatorAsync(HttpMethod.Put, $"/emulator/tenants/{entraTenantId}/faults", new { failingItemIds = failing, failingStatus = 500 });
        try
        {
            var page = await SignedInAsync(suite.OwnerToken);
            await page.GetByTestId("start-sync").ClickAsync();
            var detail = page.GetByTestId("run-detail");
            await Assertions.Expect(detail.GetByTestId("status-badge").First).ToHaveTextAsync(new System.Text.RegularExpressions.Regex("partially", System.Text.RegularExpressions.RegexOptions.IgnoreCase),
                new LocatorAssertionsToHaveTextOptions { Timeout = 90_000 });
            var failures = await detail.GetByTestId("failure-item").AllTextContentsAsync();

            Assert.Equal(2, failures.Count);
            Assert.All(failing, id => Assert.Contains(failures, f => f.Contains(id, StringComparison.Ordinal)));
            Assert.All(failures, f => Assert.Contains("graph.item_unreadable", f, StringComparison.Ordinal));
        }
        finally
        {
            await suite.GraphEmulatorAsync(HttpMethod.Delete, $"/emulator/tenants/{entraTenantId}/faults");
        }
    }

    [Fact]
    public async Task Owner_CancelsARunningSync_FromItsDetail_AndSeesItEndCancelled()
    {
        var entraTenantId = DemoData.EntraTenantId;
        // Slow Graph, so the sync is still running when the button is pressed.
        await suite.GraphEmulatorAsync(HttpMethod.Put, $"/emulator/tenants/{entraTenantId}/faults", new { latencyMs = 1000 });
        try
        {
            var page = await SignedInAsync(suite.OwnerToken);
            page.Dialog += async (_, dialog) => await dialog.AcceptAsync();
            await page.GetByTestId("start-sync").ClickAsync();
            var detail = page.GetByTestId("run-detail");
            await Assertions.Expect(detail.GetByTestId("status-badge").First).ToHaveTextAsync("running",
                new LocatorAssertionsToHaveTextOptions { Timeout = 30_000 });

            var runId = (await detail.GetByTestId("detail-run-id").TextContentAsync())?.Trim();
            var cancel = await page.RunAndWaitForResponseAsync(() => detail.GetByTestId("cancel-run").ClickAsync(),
                response => response.Url.EndsWith(":cancel", StringComparison.Ordinal));
            Assert.Equal(200, cancel.Status);

            try
            {
                // Generous: CI runs other AppHosts beside this one on two cores.
                await Assertions.Expect(detail.GetByTestId("status-badge").First).ToHaveTextAsync("cancelled",
                    new LocatorAssertionsToHaveTextOptions { Timeout = 60_000 });
            }
            catch (PlaywrightException e)
            {
                // Say where it stuck: the run as RunsService has it now.
                using var http = new HttpClient { BaseAddress = suite.GatewayUrl };
                http.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", suite.OwnerToken);
                throw new Xunit.Sdk.XunitException($"{e.Message}{Environment.NewLine}The run now: {await http.GetStringAsync($"/v1/runs/{runId}")}");
            }
            await Assertions.Expect(detail.GetByTestId("detail-cancel")).ToContainTextAsync("Cancelled by");
            await Assertions.Expect(detail.GetByTestId("cancel-run")).ToBeHiddenAsync();
            await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(Screenshots, "run-cancelled.png"), FullPage = true });
        }
        finally
        {
            await suite.GraphEmulatorAsync(HttpMethod.Delete, $"/emulator/tenants/{entraTenantId}/faults");
        }
    }

    [Fact]
    public async Task Readonly_SeesNoStartAction_AndAForbiddenRunIsANotFoundPage()
    {
        using var owner = suite.Gateway(suite.OwnerToken);
        var runId = (await SuiteApp.StartSyncAsync(owner, suite.TenantId)).GetProperty("runId").GetString();

        var page = await SignedInAsync(suite.ReaderToken);

        await Assertions.Expect(page.GetByTestId("start-sync")).ToBeHiddenAsync();
        await page.GotoAsync(new Uri(suite.GatewayUrl, $"/#/runs/{runId}").ToString());
        await Assertions.Expect(page.GetByTestId("not-found")).ToBeVisibleAsync();
        Assert.Equal(0, await page.GetByTestId("run-detail").Locator("[data-testid=failure-item]").CountAsync());
    }

    [Fact]
    public async Task SignInLink_SignsInWithTheTokenInTheFragment_AndTakesItOutOfTheAddressBar()
    {
        var page = await browser.NewPageAsync();

        // The dashboard's "Operations UI as Owner" link on the gateway resource has this shape.
        await page.GotoAsync(new Uri(suite.GatewayUrl, "/#token=" + suite.OwnerToken).ToString());

        await Assertions.Expect(page.GetByTestId("workspace-select")).ToContainTextAsync("Contoso");
        await Assertions.Expect(page.GetByTestId("start-sync")).ToBeVisibleAsync();
        Assert.DoesNotContain(suite.OwnerToken, page.Url, StringComparison.Ordinal);
    }
}
