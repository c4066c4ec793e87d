using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text.Json;
using TenantAtlas.Testing;

namespace TenantAtlas.AppHost.Tests;

/// <summary>The AppHost as its own process, on its own data directory, exactly as the README's run command starts it.</summary>
public sealed class AppHostProcess : IDisposable
{
    private static readonly TimeSpan UpWithin = TimeSpan.FromMinutes(3);
    private readonly ConcurrentQueue<string> output = new();

    private AppHostProcess(string dataDirectory, Process process)
    {
        DataDirectory = dataDirectory;
        Process = process;
    }

    public string DataDirectory { get; }

    public Process Process { get; }

    /// <summary>The AppHost's machine-readable READY line (URLs, demo ids, tokens, PIDs).</summary>
    public JsonElement Ready { get; private set; }

    public string Url(string name) => Ready.GetProperty(name).GetString()!;

    public string Tail => string.Join('\n', output.TakeLast(80));

    public static async Task<AppHostProcess> StartAsync()
    {
        var dataDir = Directory.CreateTempSubdirectory("tenantatlas-apphost-").FullName;
        if (!OperatingSystem.IsWindows())
        {
            // The postgres user must be able to reach its data directory below this one.
            File.SetUnixFileMode(dataDir, (UnixFileMode)0b111_101_101);
        }
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
        var appHost = new AppHostProcess(dataDir, Process.Start(startInfo)!);
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

    /// <summary>Sends a signal (INT, TERM) as a person or a service manager would.</summary>
    public async Task SignalAsync(string signal)
    {
        using var kill = Process.Start("kill", [$"-{signal}", Process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
        await kill.WaitForExitAsync();
    }

    /// <summary>Processes still running whose command line names this data directory (PostgreSQL, Redis).</summary>
    public IReadOnlyList<int> LeftoverProcesses() =>
        [.. System.Diagnostics.Process.GetProcesses().Where(p => CommandLine(p).Contains(DataDirectory, StringComparison.Ordinal)).Select(p => p.Id)];

    public static bool IsAlive(int pid)
    {
        var status = $"/proc/{pid}/status";
        // A zombie has exited; it only waits to be reaped by PID 1.
        return File.Exists(status) && !File.ReadAllText(status).Contains("State:\tZ", StringComparison.Ordinal);
    }

    public void Dispose()
    {
        if (!Process.HasExited)
        {
            Process.Kill(entireProcessTree: true);
            Process.WaitForExit();
        }
        foreach (var pid in LeftoverProcesses())
        {
            System.Diagnostics.Process.GetProcessById(pid).Kill(entireProcessTree: true);
        }
        Process.Dispose();
        try
        {
            Directory.Delete(DataDirectory, recursive: true);
        }
        catch (IOException)
        {
            // A process was still writing; the temp directory is left for the OS.
        }
    }

    private static string CommandLine(Process process)
    {
        try
        {
            var path = $"/proc/{process.Id}/cmdline";
            return File.Exists(path) && IsAlive(process.Id) ? File.ReadAllText(path).Replace('\0', ' ') : string.Empty;
        }
        catch (IOException)
        {
            return string.Empty;
        }
    }
}
