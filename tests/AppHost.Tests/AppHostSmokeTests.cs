using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json;
using TenantAtlas.Testing;

namespace TenantAtlas.AppHost.Tests;

/// <summary>
/// The README's run command, end to end: the AppHost brings the whole suite up on an empty data directory, an
/// inventory sync started through the gateway's public REST API completes, its trace holds spans of RunsService and
/// InventoryService, and Ctrl-C (SIGINT) or SIGTERM leaves no process behind.
/// </summary>
public sealed class AppHostSmokeTests
{
    private static readonly TimeSpan UpWithin = TimeSpan.FromMinutes(3);

    [Theory]
    [InlineData("INT")]
    [InlineData("TERM")]
    public async Task Suite_StartsHealthy_CompletesASyncWithOneTrace_AndStopsEverythingOnSignal(string signal)
    {
        var dataDir = Directory.CreateTempSubdirectory("tenantatlas-apphost-").FullName;
        // The postgres user must be able to reach its data directory below this one.
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(dataDir, (UnixFileMode)0b111_101_101);
        }
        var output = new ConcurrentQueue<string>();
        using var appHost = StartAppHost(dataDir, output);
        try
        {
            var ready = await WaitForReadyAsync(appHost, output);
            using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
            http.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", ready.GetProperty("ownerToken").GetString());

            using var start = await http.PostAsJsonAsync($"{ready.GetProperty("gatewayHttp").GetString()}/v1/tenants/{ready.GetProperty("tenantId").GetString()}/inventory:sync", new { });
            var startBody = await start.Content.ReadAsStringAsync();
            Assert.True(start.IsSuccessStatusCode, $"start failed: {(int)start.StatusCode} {startBody}\n{Tail(output)}");
            var runId = JsonDocument.Parse(startBody).RootElement.GetProperty("run").GetProperty("runId").GetString()!;

            var run = await EventuallyAsync(async () => JsonDocument.Parse(await http.GetStringAsync($"{ready.GetProperty("gatewayHttp").GetString()}/v1/runs/{runId}")).RootElement.GetProperty("run"),
                r => r.GetProperty("status").GetString() == "RUN_STATUS_COMPLETED", TimeSpan.FromSeconds(90));
            Assert.True(run.GetProperty("status").GetString() == "RUN_STATUS_COMPLETED", $"run never completed: {run}\n{Tail(output)}");
            Assert.Equal("RUN_OUTCOME_SUCCEEDED", run.GetProperty("outcome").GetString());

            var services = await EventuallyAsync(() => TraceServicesAsync(http, ready, runId, run.GetProperty("traceId").GetString()!),
                s => s.Contains("runs") && s.Contains("inventory"), TimeSpan.FromSeconds(30));
            Assert.Contains("runs", services);
            Assert.Contains("inventory", services);

            var pids = ready.GetProperty("pids").EnumerateObject().Select(p => p.Value.GetInt32()).ToList();
            Assert.NotEmpty(pids);
            using (var interrupt = Process.Start("kill", [$"-{signal}", appHost.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
            {
                await interrupt.WaitForExitAsync();
            }
            using var stopped = new CancellationTokenSource(TimeSpan.FromSeconds(60));
            await appHost.WaitForExitAsync(stopped.Token);
            Assert.Equal(0, appHost.ExitCode);
            await Task.Delay(500);
            Assert.DoesNotContain(pids, IsAlive);
            Assert.Empty(Process.GetProcesses().Where(p => CommandLine(p).Contains(dataDir, StringComparison.Ordinal)).Select(p => p.Id));
        }
        finally
        {
            if (!appHost.HasExited)
            {
                appHost.Kill(entireProcessTree: true);
            }
            foreach (var process in Process.GetProcesses().Where(p => CommandLine(p).Contains(dataDir, StringComparison.Ordinal)))
            {
                process.Kill(entireProcessTree: true);
            }
            Directory.Delete(dataDir, recursive: true);
        }
    }

    private static Process StartAppHost(string dataDir, ConcurrentQueue<string> output)
    {
        var configuration = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar)).Parent!.Name;
        var assembly = Path.Combine(ServiceProcess.RepositoryRoot(), "src", "AppHost", "bin", configuration, "net10.0", "AppHost.dll");
        // Started the way a terminal starts it: with SIGINT at its default disposition. (A shell's background job
        // inherits SIGINT as ignored, and a .NET process cannot catch a signal it was started with ignored.)
        var startInfo = new ProcessStartInfo("python3") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        startInfo.ArgumentList.Add("-c");
        startInfo.ArgumentList.Add("import os, signal, sys; signal.signal(signal.SIGINT, signal.SIG_DFL); os.execvp(sys.argv[1], sys.argv[1:])");
        startInfo.ArgumentList.Add("dotnet");
        startInfo.ArgumentList.Add(assembly);
        startInfo.ArgumentList.Add("--data-dir");
        startInfo.ArgumentList.Add(dataDir);
        startInfo.Environment.Remove("OTEL_EXPORTER_OTLP_ENDPOINT");
        var process = Process.Start(startInfo)!;
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) { output.Enqueue(e.Data); } };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) { output.Enqueue(e.Data); } };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    private static async Task<JsonElement> WaitForReadyAsync(Process appHost, ConcurrentQueue<string> output)
    {
        var deadline = DateTime.UtcNow + UpWithin;
        while (DateTime.UtcNow < deadline)
        {
            if (output.FirstOrDefault(l => l.StartsWith("READY ", StringComparison.Ordinal)) is { } line)
            {
                return JsonDocument.Parse(line["READY ".Length..]).RootElement;
            }
            if (appHost.HasExited)
            {
                Assert.Fail($"the AppHost exited ({appHost.ExitCode}) before the suite was up:\n{Tail(output)}");
            }
            await Task.Delay(250);
        }
        throw new TimeoutException($"the suite was not up within {UpWithin}:\n{Tail(output)}");
    }

    /// <summary>The service names in the run's trace, from the development OTLP endpoint.</summary>
    private static async Task<HashSet<string>> TraceServicesAsync(HttpClient http, JsonElement ready, string runId, string traceId)
    {
        var trace = JsonDocument.Parse(await http.GetStringAsync($"{ready.GetProperty("tracesApi").GetString()}/{traceId}")).RootElement;
        return [.. trace.GetProperty("spans").EnumerateArray().Select(s => s.GetProperty("serviceName").GetString() ?? string.Empty)];
    }

    private static async Task<T> EventuallyAsync<T>(Func<Task<T>> probe, Func<T, bool> done, TimeSpan within)
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

    private static bool IsAlive(int pid)
    {
        var status = $"/proc/{pid}/status";
        // A zombie has exited; it only waits to be reaped by PID 1.
        return File.Exists(status) && !File.ReadAllText(status).Contains("State:\tZ", StringComparison.Ordinal);
    }

    private static string CommandLine(Process process)
    {
        try
        {
            var path = $"/proc/{process.Id}/cmdline";
            return File.Exists(path) && !File.ReadAllText($"/proc/{process.Id}/status").Contains("State:\tZ", StringComparison.Ordinal)
                ? File.ReadAllText(path).Replace('\0', ' ') : string.Empty;
        }
        catch (IOException)
        {
            return string.Empty;
        }
    }

    private static string Tail(ConcurrentQueue<string> output) => string.Join('\n', output.TakeLast(80));
}
