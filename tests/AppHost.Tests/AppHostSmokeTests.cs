using System.Net.Http.Json;
using System.Text.Json;

namespace TenantAtlas.AppHost.Tests;

/// <summary>
/// The README's run command, end to end: the AppHost brings the whole suite up on an empty data directory, an
/// inventory sync started through the gateway's public REST API completes, its trace holds spans of RunsService and
/// InventoryService, and Ctrl-C (SIGINT) or SIGTERM leaves no process behind.
/// </summary>
public sealed class AppHostSmokeTests
{
    [Theory]
    [InlineData("INT")]
    [InlineData("TERM")]
    public async Task Suite_StartsHealthy_CompletesASyncWithOneTrace_AndStopsEverythingOnSignal(string signal)
    {
        using var appHost = await AppHostProcess.StartAsync();
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
        http.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", appHost.Url("ownerToken"));

        using var start = await http.PostAsJsonAsync($"{appHost.Url("gatewayHttp")}/v1/tenants/{appHost.Url("tenantId")}/inventory:sync", new { });
        var startBody = await start.Content.ReadAsStringAsync();
        Assert.True(start.IsSuccessStatusCode, $"start failed: {(int)start.StatusCode} {startBody}\n{appHost.Tail}");
        var runId = JsonDocument.Parse(startBody).RootElement.GetProperty("run").GetProperty("runId").GetString()!;

        var run = await EventuallyAsync(async () => JsonDocument.Parse(await http.GetStringAsync($"{appHost.Url("gatewayHttp")}/v1/runs/{runId}")).RootElement.GetProperty("run"),
            r => r.GetProperty("status").GetString() == "RUN_STATUS_COMPLETED", TimeSpan.FromSeconds(90));
        Assert.True(run.GetProperty("status").GetString() == "RUN_STATUS_COMPLETED", $"run never completed: {run}\n{appHost.Tail}");
        Assert.Equal("RUN_OUTCOME_SUCCEEDED", run.GetProperty("outcome").GetString());

        var traceId = run.GetProperty("traceId").GetString()!;
        var services = await EventuallyAsync(async () =>
        {
            var trace = JsonDocument.Parse(await http.GetStringAsync($"{appHost.Url("tracesApi")}/{traceId}")).RootElement;
            return trace.GetProperty("spans").EnumerateArray().Select(s => s.GetProperty("serviceName").GetString() ?? string.Empty).ToHashSet();
        }, s => s.Contains("runs") && s.Contains("inventory"), TimeSpan.FromSeconds(30));
        Assert.Contains("runs", services);
        Assert.Contains("inventory", services);

        var pids = appHost.Ready.GetProperty("pids").EnumerateObject().Select(p => p.Value.GetInt32()).ToList();
        Assert.NotEmpty(pids);
        await appHost.SignalAsync(signal);
        using var stopped = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await appHost.Process.WaitForExitAsync(stopped.Token);
        Assert.Equal(0, appHost.Process.ExitCode);
        await Task.Delay(500);
        Assert.DoesNotContain(pids, AppHostProcess.IsAlive);
        Assert.Empty(appHost.LeftoverProcesses());
    }

    internal static async Task<T> EventuallyAsync<T>(Func<Task<T>> probe, Func<T, bool> done, TimeSpan within)
    {
        var deadline = DateTime.UtcNow + within;
        while (true)
        {
            try
            {
                var value = await probe();
                if (done(value) || DateTime.UtcNow > deadline)
                {
                    return value;
                }
            }
            catch (HttpRequestException) when (DateTime.UtcNow < deadline)
            {
                // Not there yet.
            }
            await Task.Delay(250);
        }
    }
}
