using System.Diagnostics;
using System.Text.RegularExpressions;
using Microsoft.Playwright;
using Xunit.Abstractions;

namespace TenantAtlas.AppHost.Tests;

/// <summary>
/// What an operator does with the README's run command: start a sync in the Operations UI, follow its trace link
/// into the Aspire dashboard and see the run as one trace across the gateway, InventoryService, RunsService, the
/// relay's publish and the worker; then Ctrl-C, after which no process of the suite is left.
/// </summary>
public sealed partial class DashboardTests(BrowserFixture browser, ITestOutputHelper output) : IClassFixture<BrowserFixture>
{
    [Fact]
    public async Task SyncStartedInTheUi_IsOneTraceAcrossTheServicesInTheDashboard_AndCtrlCLeavesNoProcess()
    {
        using var appHost = await AppHostProcess.StartAsync();
        var dashboardUrl = appHost.Value("dashboard");

        // The Operations UI, signed in through a sign-in link like the dashboard's.
        var ui = await browser.NewPageAsync();
        await ui.GotoAsync($"{appHost.Value("gatewayHttp")}/#token={appHost.Value("ownerToken")}");
        await ui.GetByTestId("start-sync").ClickAsync();
        var detail = ui.GetByTestId("run-detail");
        await Assertions.Expect(detail.GetByTestId("status-badge").First).ToHaveTextAsync(
            new Regex("succeeded", RegexOptions.IgnoreCase), new LocatorAssertionsToHaveTextOptions { Timeout = 90_000 });
        var traceLink = await detail.GetByTestId("trace-link").GetAttributeAsync("href");
        Assert.StartsWith($"{dashboardUrl}/traces/detail/", traceLink, StringComparison.Ordinal);

        // The dashboard, signed in with the login link the AppHost prints; spans arrive in export batches.
        var dashboard = await browser.Browser.NewPageAsync(new BrowserNewPageOptions { ViewportSize = new ViewportSize { Width = 1600, Height = 2400 } });
        await dashboard.GotoAsync(appHost.DashboardLoginUrl, new PageGotoOptions { WaitUntil = WaitUntilState.NetworkIdle });
        var spans = await Eventually.UntilAsync(async () =>
        {
            await dashboard.GotoAsync(traceLink!, new PageGotoOptions { WaitUntil = WaitUntilState.NetworkIdle });
            await dashboard.GetByText("Total spans").WaitForAsync(new LocatorWaitForOptions { Timeout = 15_000 });
            return SpanRows(await dashboard.InnerTextAsync("body"));
        }, HasTheWholeRun, TimeSpan.FromSeconds(60), "the dashboard shows the run's spans of every service");
        await dashboard.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(BrowserFixture.Screenshots, "dashboard-trace.png") });
        output.WriteLine(string.Join('\n', spans.Select(s => $"{s.Resource}: {s.Name}")));

        await dashboard.GotoAsync(dashboardUrl + "/", new PageGotoOptions { WaitUntil = WaitUntilState.NetworkIdle });
        foreach (var resource in SuiteApp.Resources)
        {
            // A resource's row: its name, then its state.
            await Assertions.Expect(dashboard.GetByRole(AriaRole.Row).Filter(new LocatorFilterOptions { HasTextRegex = new Regex($"^\\s*{resource}(?![a-z-])") }))
                .ToContainTextAsync("Running");
        }
        await dashboard.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(BrowserFixture.Screenshots, "dashboard-resources.png") });

        var processes = AppProcesses.Find(appHost.DataDirectory, appHost.Process.Id);
        output.WriteLine($"processes of the suite:\n{processes}");
        var stopping = Stopwatch.StartNew();
        await appHost.SignalAsync("INT");
        await appHost.Process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(60));
        var survivors = await processes.WaitAllGoneAsync(TimeSpan.FromSeconds(30));
        output.WriteLine($"Ctrl-C: the AppHost exited with {appHost.Process.ExitCode}; every process gone after {stopping.Elapsed.TotalSeconds:0.0} s");

        Assert.Equal(0, appHost.Process.ExitCode);
        Assert.True(survivors.Count == 0, "processes left after Ctrl-C:\n" + string.Join("\n", survivors.Select(p => $"{p.Pid} {p.CommandLine}")));
    }

    /// <summary>The gateway's request, InventoryService's start, RunsService's EnsureRun, the relay's publish and the worker's processing.</summary>
    private static bool HasTheWholeRun(IReadOnlyList<(string Name, string Resource)> spans) =>
        spans.Any(s => s.Resource == "gateway" && s.Name.Contains("inventory:sync", StringComparison.Ordinal))
        && spans.Any(s => s.Resource == "inventory" && s.Name.Contains("inventory:sync", StringComparison.Ordinal))
        && spans.Any(s => s.Resource == "runs" && s.Name.Contains("RunsService/EnsureRun", StringComparison.Ordinal))
        && spans.Any(s => s.Resource == "runs" && s.Name.Contains("ops:inventory", StringComparison.Ordinal))
        && spans.Any(s => s.Resource == "inventory" && s.Name.Contains("ops:inventory", StringComparison.Ordinal));

    /// <summary>The trace page lists each span as its name, then its resource, on lines of their own.</summary>
    private static List<(string Name, string Resource)> SpanRows(string pageText)
    {
        string[] resources = ["gateway", "inventory", "runs", "graph-emulator"];
        var lines = pageText.Split('\n', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        return [.. lines.Zip(lines.Skip(1)).Where(pair => resources.Contains(pair.Second)).Select(pair => (pair.First, pair.Second))];
    }
}
