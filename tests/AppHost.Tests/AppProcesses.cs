using System.Globalization;

namespace TenantAtlas.AppHost.Tests;

/// <summary>
/// The OS processes one running AppHost owns: DCP (which detaches from the AppHost, so it is found through the
/// PostgreSQL it started on the app's data directory), everything DCP started, and the AppHost's own children.
/// Read from /proc; a process is identified by pid and start time, so a reused pid is not mistaken for a survivor.
/// </summary>
public sealed record AppProcesses(IReadOnlyList<AppProcesses.Entry> Processes)
{
    public sealed record Entry(int Pid, long StartTime, string CommandLine);

    /// <param name="dataDirectory">The app's data directory (on PostgreSQL's command line).</param>
    /// <param name="appHostPid">The AppHost's process when it runs as a process of its own.</param>
    public static AppProcesses Find(string dataDirectory, int? appHostPid = null)
    {
        var all = Snapshot();
        var roots = new HashSet<int>();
        if (appHostPid is { } pid)
        {
            roots.Add(pid);
        }
        // postgres → dcp run-controllers → dcp start-apiserver: the top DCP process of this app.
        foreach (var postgres in all.Values.Where(p => p.CommandLine.Contains(dataDirectory, StringComparison.Ordinal)))
        {
            var top = postgres.Pid;
            for (var parent = Parent(postgres.Pid); parent is { } p && all.TryGetValue(p, out var process) && IsDcp(process); parent = Parent(p))
            {
                top = p;
            }
            roots.Add(top);
        }
        var owned = new List<Entry>();
        foreach (var root in roots)
        {
            Collect(root, all, owned);
        }
        return new AppProcesses(owned.DistinctBy(p => p.Pid).ToList());
    }

    /// <summary>The processes of <see cref="Processes"/> that still run (zombies have exited).</summary>
    public IReadOnlyList<Entry> Alive()
    {
        var now = Snapshot();
        return [.. Processes.Where(p => now.TryGetValue(p.Pid, out var current) && current.StartTime == p.StartTime)];
    }

    /// <summary>Waits until none of the processes runs; returns the survivors at the deadline (empty when all are gone).</summary>
    public async Task<IReadOnlyList<Entry>> WaitAllGoneAsync(TimeSpan within)
    {
        var deadline = DateTime.UtcNow + within;
        var alive = Alive();
        while (alive.Count > 0 && DateTime.UtcNow < deadline)
        {
            await Task.Delay(200);
            alive = Alive();
        }
        return alive;
    }

    public override string ToString() => string.Join("\n", Processes.Select(p => $"{p.Pid} {p.CommandLine}"));

    private static bool IsDcp(Entry process) => process.CommandLine.Contains("aspire.hosting.orchestration", StringComparison.Ordinal);

    private static void Collect(int pid, Dictionary<int, Entry> all, List<Entry> into)
    {
        if (!all.TryGetValue(pid, out var process))
        {
            return;
        }
        into.Add(process);
        foreach (var child in all.Values.Where(p => Parent(p.Pid) == pid))
        {
            Collect(child.Pid, all, into);
        }
    }

    /// <summary>Live (non-zombie) processes by pid.</summary>
    private static Dictionary<int, Entry> Snapshot()
    {
        var processes = new Dictionary<int, Entry>();
        foreach (var directory in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(directory), out var pid) || Stat(pid) is not { } stat || stat[0] == "Z")
            {
                continue;
            }
            processes[pid] = new Entry(pid, long.Parse(stat[19], CultureInfo.InvariantCulture), Read($"/proc/{pid}/cmdline").Replace('\0', ' ').Trim());
        }
        return processes;
    }

    private static int? Parent(int pid) => Stat(pid) is { } stat ? int.Parse(stat[1], CultureInfo.InvariantCulture) : null;

    /// <summary>Fields of /proc/pid/stat after the command name: [0] state, [1] ppid, ... [19] start time.</summary>
    private static string[]? Stat(int pid)
    {
        var text = Read($"/proc/{pid}/stat");
        var end = text.LastIndexOf(')');
        return end < 0 ? null : text[(end + 2)..].Split(' ');
    }

    private static string Read(string path)
    {
        try
        {
            return File.ReadAllText(path);
        }
        catch (IOException)
        {
            return string.Empty;
        }
        catch (UnauthorizedAccessException)
        {
            return string.Empty;
        }
    }
}
