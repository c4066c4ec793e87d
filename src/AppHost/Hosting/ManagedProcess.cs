using System.Collections.Concurrent;
using System.Diagnostics;

namespace TenantAtlas.AppHost.Hosting;

/// <summary>
/// A child process of the AppHost: its output streamed with a "[resource]" prefix and kept as a tail for error
/// reports, and killed with its whole process tree on stop.
/// </summary>
public sealed class ManagedProcess : IAsyncDisposable
{
    private static readonly Lock ConsoleGate = new();
    private readonly ConcurrentQueue<string> tail = new();
    private readonly Process process;
    private readonly string prefix;

    private ManagedProcess(Process process, string resource, ConsoleColor color)
    {
        this.process = process;
        prefix = $"[{resource}] ";
        Color = color;
    }

    public ConsoleColor Color { get; }

    public int Id => process.Id;

    public bool HasExited => process.HasExited;

    public int? ExitCode => process.HasExited ? process.ExitCode : null;

    /// <summary>The last lines the process wrote.</summary>
    public string Tail(int lines = 25) => string.Join(Environment.NewLine, tail.TakeLast(lines));

    public static ManagedProcess Start(string resource, ConsoleColor color, string fileName, IEnumerable<string> arguments,
        IReadOnlyDictionary<string, string> environment, string workingDirectory, bool echo)
    {
        var startInfo = new ProcessStartInfo(fileName)
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            WorkingDirectory = workingDirectory,
        };
        foreach (var argument in arguments)
        {
            startInfo.ArgumentList.Add(argument);
        }
        foreach (var (name, value) in environment)
        {
            startInfo.Environment[name] = value;
        }
        var process = Process.Start(startInfo) ?? throw new InvalidOperationException($"Could not start {fileName} for {resource}.");
        var managed = new ManagedProcess(process, resource, color);
        process.OutputDataReceived += (_, e) => managed.Write(e.Data, echo);
        process.ErrorDataReceived += (_, e) => managed.Write(e.Data, echo);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return managed;
    }

    /// <summary>Asks the process to stop (SIGTERM), then kills its tree if it has not exited in time.</summary>
    public async Task StopAsync(TimeSpan grace)
    {
        if (process.HasExited)
        {
            return;
        }
        try
        {
            // SIGTERM lets ASP.NET Core services shut down gracefully (workers release their runs).
            using var kill = Process.Start(new ProcessStartInfo("kill") { ArgumentList = { "-TERM", process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture) }, UseShellExecute = false });
            kill?.WaitForExit();
            await process.WaitForExitAsync().WaitAsync(grace);
        }
        catch (Exception e) when (e is TimeoutException or InvalidOperationException or System.ComponentModel.Win32Exception)
        {
            // Not stopping in time: take the whole tree down.
        }
        if (!process.HasExited)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync(TimeSpan.FromSeconds(5));
        process.Dispose();
    }

    private void Write(string? line, bool echo)
    {
        if (line is null)
        {
            return;
        }
        tail.Enqueue(line);
        while (tail.Count > 200)
        {
            tail.TryDequeue(out _);
        }
        if (!echo)
        {
            return;
        }
        lock (ConsoleGate)
        {
            Console.ForegroundColor = Color;
            Console.Write(prefix);
            Console.ResetColor();
            Console.WriteLine(line);
        }
    }
}
