using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace TenantAtlas.Testing;

/// <summary>
/// A suite service running as its own OS process (real Kestrel, real ports), for tests that a client outside
/// .NET or outside the test process must reach. Killed with its children on dispose.
/// </summary>
public sealed class ServiceProcess : IAsyncDisposable
{
    private readonly Process process;
    private readonly ConcurrentQueue<string> output = new();

    private ServiceProcess(Process process) => this.process = process;

    /// <summary>The OS process id (e.g. to read its memory use from /proc).</summary>
    public int ProcessId => process.Id;

    /// <summary>The last lines the service wrote, for failure messages.</summary>
    public string RecentOutput => string.Join('\n', output.TakeLast(60));

    /// <summary>Starts <c>dotnet {assemblyPath}</c> with the environment and waits until <paramref name="healthUrl"/> answers 200.</summary>
    public static async Task<ServiceProcess> StartAsync(string assemblyPath, IReadOnlyDictionary<string, string> environment,
        Uri healthUrl, TimeSpan timeout)
    {
        if (!File.Exists(assemblyPath))
        {
            throw new FileNotFoundException($"Service assembly {assemblyPath} does not exist; build the solution first.", assemblyPath);
        }
        var startInfo = new ProcessStartInfo("dotnet")
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = Path.GetDirectoryName(assemblyPath)!,
        };
        startInfo.ArgumentList.Add(assemblyPath);
        foreach (var (name, value) in environment)
        {
            startInfo.Environment[name] = value;
        }
        var service = new ServiceProcess(Process.Start(startInfo) ?? throw new InvalidOperationException($"Could not start {assemblyPath}."));
        service.process.OutputDataReceived += (_, e) => service.Keep(e.Data);
        service.process.ErrorDataReceived += (_, e) => service.Keep(e.Data);
        service.process.BeginOutputReadLine();
        service.process.BeginErrorReadLine();

        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline)
        {
            if (service.process.HasExited)
            {
                throw new InvalidOperationException($"{Path.GetFileName(assemblyPath)} exited with code {service.process.ExitCode}:\n{service.RecentOutput}");
            }
            try
            {
                using var response = await http.GetAsync(healthUrl);
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    return service;
                }
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
            {
                // Not listening yet.
            }
            await Task.Delay(200);
        }
        await service.DisposeAsync();
        throw new TimeoutException($"{Path.GetFileName(assemblyPath)} was not healthy at {healthUrl} within {timeout.TotalSeconds:0} s:\n{service.RecentOutput}");
    }

    /// <summary>A TCP port on 127.0.0.1 that nothing listens on right now.</summary>
    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>The repository root, found from the test's output directory.</summary>
    public static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "TenantAtlas.sln")))
            {
                return dir.FullName;
            }
        }
        throw new InvalidOperationException($"No TenantAtlas.sln above {AppContext.BaseDirectory}.");
    }

    /// <summary>The built assembly of a service project, in the same configuration as the running tests.</summary>
    public static string ServiceAssembly(string project) => BuiltAssembly(Path.Combine("src", project));

    /// <summary>
    /// The built assembly of the project in <paramref name="projectDirectory"/> (relative to the repository root,
    /// named like its folder), in the same configuration as the running process.
    /// </summary>
    public static string BuiltAssembly(string projectDirectory)
    {
        var configuration = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar)).Parent?.Name ?? "Debug";
        return Path.Combine(RepositoryRoot(), projectDirectory, "bin", configuration, "net10.0", Path.GetFileName(projectDirectory) + ".dll");
    }

    public async ValueTask DisposeAsync()
    {
        if (!process.HasExited)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
        }
        process.Dispose();
    }

    private void Keep(string? line)
    {
        if (line is null)
        {
            return;
        }
        output.Enqueue(line);
        while (output.Count > 200)
        {
            output.TryDequeue(out _);
        }
    }
}
