using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Playwright;

namespace TenantAtlas.AppHost.Tests;

/// <summary>The whole suite (AppHost) once for the browser tests; stopped with SIGTERM at the end.</summary>
public sealed class RunningSuiteFixture : IAsyncLifetime
{
    public AppHostProcess AppHost { get; private set; } = null!;

    public IPlaywright Playwright { get; private set; } = null!;

    public IBrowser Browser { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        AppHost = await AppHostProcess.StartAsync();
        Playwright = await Microsoft.Playwright.Playwright.CreateAsync();
        // Debian's Chromium (scripts/test.sh installs it); Playwright downloads no browser here.
        Browser = await Playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = "/usr/bin/chromium",
            Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
        });
    }

    public async Task DisposeAsync()
    {
        await Browser.DisposeAsync();
        Playwright.Dispose();
        await AppHost.SignalAsync("TERM");
        await AppHost.Process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(60));
        AppHost.Dispose();
    }

    /// <summary>Sets the demo tenant's Graph faults on the emulator.</summary>
    public async Task<JsonElement> GraphAsync(HttpMethod method, string path, object? body = null)
    {
        using var http = new HttpClient { BaseAddress = new Uri(AppHost.Url("graphEmulator")) };
        using var request = new HttpRequestMessage(method, path) { Content = body is null ? null : JsonContent.Create(body) };
        using var response = await http.SendAsync(request);
        response.EnsureSuccessStatusCode();
        var text = await response.Content.ReadAsStringAsync();
        return text.Length == 0 ? default : JsonDocument.Parse(text).RootElement.Clone();
    }
}

/// <summary>The Operations UI in a real (headless) browser, against the running suite through the gateway.</summary>
public sealed class OperationsUiTests(RunningSuiteFixture suite) : IClassFixture<RunningSuiteFixture>
{
    private static readonly string Screenshots = Path.Combine(TenantAtlas.Testing.ServiceProcess.RepositoryRoot(), "TestResults", "screenshots");

    private async Task<IPage> SignedInAsync(string tokenName)
    {
        var page = await suite.Browser.NewPageAsync(new BrowserNewPageOptions { ViewportSize = new ViewportSize { Width = 1280, Height = 900 } });
        await page.GotoAsync(suite.AppHost.Url("gatewayHttp") + "/");
        await page.GetByTestId("token-input").FillAsync(suite.AppHost.Url(tokenName));
        await page.GetByTestId("sign-in").ClickAsync();
        await Assertions.Expect(page.GetByTestId("workspace-select")).ToContainTextAsync("Contoso");
        return page;
    }

    [Fact]
    public async Task Owner_StartsASync_WatchesItRunAndSucceed_FiltersTheList_OpensTheRun_AndIsNotified()
    {
        var entraTenantId = suite.AppHost.Url("entraTenantId");
        await suite.GraphAsync(HttpMethod.Put, $"/emulator/tenants/{entraTenantId}/faults", new { latencyMs = 150 });
        var page = await SignedInAsync("ownerToken");

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
        await suite.GraphAsync(HttpMethod.Delete, $"/emulator/tenants/{entraTenantId}/faults");
        Directory.CreateDirectory(Screenshots);
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(Screenshots, "run-detail.png"), FullPage = true });

        Assert.Contains("running", seen);
        Assert.Equal("succeeded", seen[^1]);
        // The run's trace is one click away, in the AppHost's trace viewer.
        Assert.StartsWith(suite.AppHost.Url("traces") + "/", await detail.GetByTestId("trace-link").GetAttributeAsync("href"), StringComparison.Ordinal);
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
        var entraTenantId = suite.AppHost.Url("entraTenantId");
        var summary = await suite.GraphAsync(HttpMethod.Get, $"/emulator/tenants/{entraTenantId}");
        var failing = summary.GetProperty("deviceConfigurationIds").EnumerateArray().Take(2).Select(e => e.GetString()!).ToArray();
        await suite.GraphAsync(HttpMethod.Put, $"/emulator/tenants/{entraTenantId}/faults", new { failingItemIds = failing, failingStatus = 500 });
        try
        {
            var page = await SignedInAsync("ownerToken");
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
            await suite.GraphAsync(HttpMethod.Delete, $"/emulator/tenants/{entraTenantId}/faults");
        }
    }

    [Fact]
    public async Task Readonly_SeesNoStartAction_AndAForbiddenRunIsANotFoundPage()
    {
        using var http = new HttpClient();
        http.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", suite.AppHost.Url("ownerToken"));
        var list = JsonDocument.Parse(await http.GetStringAsync($"{suite.AppHost.Url("gatewayHttp")}/v1/workspaces/{suite.AppHost.Url("workspaceId")}/runs?pageSize=1")).RootElement;
        var runId = list.GetProperty("runs").EnumerateArray().Select(r => r.GetProperty("runId").GetString()).FirstOrDefault()
            ?? JsonDocument.Parse(await (await http.PostAsJsonAsync($"{suite.AppHost.Url("gatewayHttp")}/v1/tenants/{suite.AppHost.Url("tenantId")}/inventory:sync", new { }))
                .Content.ReadAsStringAsync()).RootElement.GetProperty("run").GetProperty("runId").GetString();

        var page = await SignedInAsync("readerToken");

        await Assertions.Expect(page.GetByTestId("start-sync")).ToBeHiddenAsync();
        await page.GotoAsync($"{suite.AppHost.Url("gatewayHttp")}/#/runs/{runId}");
        await Assertions.Expect(page.GetByTestId("not-found")).ToBeVisibleAsync();
        Assert.Equal(0, await page.GetByTestId("run-detail").Locator("[data-testid=failure-item]").CountAsync());
    }
}
