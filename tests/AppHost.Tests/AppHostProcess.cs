using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text.Json;

namespace TenantAtlas.AppHost.Tests;

/// <summary>
/// The AppHost as its own process with the Aspire dashboard, as the README's run command starts it, on its own data
/// directory and on free ports (the dashboard's from the environment, every resource's chosen by DCP), so it runs
/// beside a developer's AppHost.
/// </summary>
public sealed class AppHostProcess : IDisposable
{
    private static readonly TimeSpan UpWithin = TimeSpan.FromMinutes(4);
    private readonly ConcurrentQueue<string> output = new();

    private AppHostProcess(string dataDirectory, Process process)
    {
        DataDirectory = dataDirectory;
        Process = process;
    }

    public string DataDirectory { get; }

    public Process Process { get; }

    /// <summary>The AppHost's machine-readable READY line (URLs, demo ids, tokens).</summary>
    public JsonElement Ready { get; private set; }

    /// <summary>The dashboard's sign-in link with its browser token, as the AppHost's banner prints it.</summary>
    public string DashboardLoginUrl { get; private set; } = string.Empty;

    public string Value(string name) => Ready.GetProperty(name).GetString()!;

    public string Tail => string.Join('\n', output.TakeLast(80));

    public static async Task<AppHostProcess> StartAsync()
    {
        var dataDirectory = AppDataDirectory.Create();
        var assembly = ServiceProcess.BuiltAssembly(Path.Combine("src", "AppHost"));
        // Started the way a terminal starts it: with SIGINT at its default disposition. (A shell's background job
        // inherits SIGINT as ignored, and a .NET process cannot catch a signal it was started with ignored.)
        var startInfo = new ProcessStartInfo("python3") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in new[]
        {
            "-c", "import os, signal, sys; signal.signal(signal.SIGINT, signal.SIG_DFL); os.execvp(sys.argv[1], sys.argv[1:])",
            "dotnet", assembly, "--data-dir", dataDirectory, "--DcpPublisher:RandomizePorts=true",
        })
        {
            startInfo.ArgumentList.Add(argument);
        }
        // What launchSettings.json gives `dotnet run`, with free ports for the dashboard, its OTLP endpoint and the
        // resource service.
        startInfo.Environment["ASPNETCORE_ENVIRONMENT"] = "Development";
        startInfo.Environment["DOTNET_ENVIRONMENT"] = "Development";
        startInfo.Environment["ASPNETCORE_URLS"] = $"http://127.0.0.1:{ServiceProcess.FreePort()}";
        startInfo.Environment["ASPIRE_DASHBOARD_OTLP_ENDPOINT_URL"] = $"http://127.0.0.1:{ServiceProcess.FreePort()}";
        startInfo.Environment["ASPIRE_RESOURCE_SERVICE_ENDPOINT_URL"] = $"http://127.0.0.1:{ServiceProcess.FreePort()}";
        startInfo.Environment["ASPIRE_ALLOW_UNSECURED_TRANSPORT"] = "true";
        startInfo.Environment.Remove("OTEL_EXPORTER_OTLP_ENDPOINT");
        var appHost = new AppHostProcess(dataDirectory, Process.Start(startInfo)!);
        appHost.Process.OutputDataReceived += (_, e) => { if (e.Data is not null) { appHost.output.Enqueue(e.Data); } };
        appHost.Process.ErrorDataReceived += (_, e) => { if (e.Data is not null) { appHost.output.Enqueue(e.Data); } };
        appHost.Process.BeginOutputReadLine();
        appHost.Process.BeginErrorReadLine();

        var deadline = DateTime.UtcNow + UpWithin;
        while (DateTime.UtcNow < deadline)
        {
            if (appHost.output.FirstOrDefault(l => l.StartsWith("READY ", StringComparison.Ordinal)) is { } line)
            {
                appHost.Ready = JsonDocument.Parse(line["READY ".Length..]).RootElement.Clone();
                appHost.DashboardLoginUrl = appHost.Value("dashboardLogin");
                return appHost;
            }
            if (appHost.Process.HasExited)
            {
                Assert.Fail($"the AppHost exited ({appHost.Process.ExitCode}) before the suite was up:\n{appHost.Tail}");
            }
            await Task.Delay(250);
        }
        appHost.Dispose();
        throw new TimeoutException($"the suite was not up within {UpWithin}:\n{appHost.Tail}");
    }

    /// <summary>Sends a signal (INT as Ctrl-C does, TERM as a service manager does).</summary>
    public async Task SignalAsync(string signal)
    {
        using var kill = Process.Start("kill", [$"-{signal}", Process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
        await kill.WaitForExitAsync();
    }

    public void Dispose()
    {
        var processes = AppProcesses.Find(DataDirectory, Process.HasExited ? null : Process.Id);
        foreach (var survivor in processes.Alive())
        {
            try
            {
                System.Diagnostics.Process.GetProcessById(survivor.Pid).Kill();
            }
            catch (Exception e) when (e is ArgumentException or InvalidOperationException)
            {
                // Gone meanwhile.
            }
        }
        Process.Dispose();
        AppDataDirectory.Delete(DataDirectory);
    }
}
