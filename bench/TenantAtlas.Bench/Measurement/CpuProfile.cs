using System.Globalization;
using Npgsql;

namespace TenantAtlas.Bench.Measurement;

/// <summary>
/// Where a measured phase's CPU and disk flushes went: CPU time per process group (from <c>/proc/{pid}/stat</c>: user +
/// system, and for PostgreSQL the postmaster, its live backends and the backends it has reaped), how busy the whole
/// machine was (<c>/proc/stat</c>), and PostgreSQL's WAL activity (<c>pg_stat_wal</c>: records, bytes, writes and
/// fsyncs). Taken before and after a phase, divided by the operations done: the profile that says what limits a figure.
/// </summary>
public sealed class CpuProfile
{
    private static readonly double TicksPerSecond = 100; // USER_HZ on Linux

    private readonly IReadOnlyList<(string Name, Func<IEnumerable<int>> Processes)> groups;
    private readonly NpgsqlDataSource database;

    /// <param name="groups">Named process groups, e.g. "RunsService" → its pid; evaluated at each snapshot.</param>
    public CpuProfile(NpgsqlDataSource database, IReadOnlyList<(string Name, Func<IEnumerable<int>> Processes)> groups)
    {
        this.database = database;
        this.groups = groups;
    }

    /// <summary>The postmaster and all its children (backends, WAL writer, checkpointer...).</summary>
    public static IEnumerable<int> PostgresProcesses(int postmaster) => [postmaster, .. ChildrenOf(postmaster)];

    public async Task<Snapshot> TakeAsync()
    {
        var cpu = groups.ToDictionary(g => g.Name, g => g.Processes().Sum(ProcessTicks));
        var (busy, total) = MachineTicks();
        await using var wal = database.CreateCommand("SELECT wal_records, wal_bytes, wal_write, wal_sync FROM pg_stat_wal");
        await using var reader = await wal.ExecuteReaderAsync();
        await reader.ReadAsync();
        return new Snapshot(cpu, busy, total, reader.GetInt64(0), (long)reader.GetDecimal(1), reader.GetInt64(2), reader.GetInt64(3));
    }

    /// <summary>One line: CPU ms per operation per group, machine busy %, WAL per operation.</summary>
    public static string Describe(Snapshot before, Snapshot after, long operations, string unit)
    {
        var perOperation = string.Join(", ", before.Cpu.Keys.Select(name =>
            string.Create(CultureInfo.InvariantCulture, $"{name} {(after.Cpu[name] - before.Cpu[name]) / TicksPerSecond * 1000 / operations:0.000} ms")));
        var busy = (after.BusyTicks - before.BusyTicks) / (double)Math.Max(1, after.TotalTicks - before.TotalTicks);
        double Per(long a, long b) => (a - b) / (double)operations;
        return string.Create(CultureInfo.InvariantCulture,
            $"CPU per {unit}: {perOperation}; machine busy {busy:P0} of 2 cores; WAL per {unit}: {Per(after.WalRecords, before.WalRecords):0.0} records, " +
            $"{Per(after.WalBytes, before.WalBytes) / 1024:0.0} kB, {Per(after.WalSyncs, before.WalSyncs):0.00} fsyncs ({after.WalSyncs - before.WalSyncs:N0} in all)");
    }

    public sealed record Snapshot(IReadOnlyDictionary<string, long> Cpu, long BusyTicks, long TotalTicks, long WalRecords, long WalBytes,
        long WalWrites, long WalSyncs);

    private static long ProcessTicks(int pid)
    {
        try
        {
            // Fields after the command (which may hold spaces, hence from the last ')'): state is field 3; utime 14,
            // stime 15, cutime 16, cstime 17 (1-based, as proc(5) counts them).
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            return long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture)
                + long.Parse(fields[13], CultureInfo.InvariantCulture) + long.Parse(fields[14], CultureInfo.InvariantCulture);
        }
        catch (IOException)
        {
            return 0; // gone; its time is in its parent's cutime once reaped
        }
    }

    private static IEnumerable<int> ChildrenOf(int parent)
    {
        foreach (var directory in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(directory), out var pid))
            {
                continue;
            }
            string stat;
            try
            {
                stat = File.ReadAllText(Path.Combine(directory, "stat"));
            }
            catch (IOException)
            {
                continue;
            }
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            if (int.Parse(fields[1], CultureInfo.InvariantCulture) == parent)
            {
                yield return pid;
            }
        }
    }

    private static (long Busy, long Total) MachineTicks()
    {
        // cpu  user nice system idle iowait irq softirq steal ...
        var values = File.ReadLines("/proc/stat").First().Split(' ', StringSplitOptions.RemoveEmptyEntries)[1..]
            .Select(v => long.Parse(v, CultureInfo.InvariantCulture)).ToArray();
        var total = values.Take(8).Sum();
        var idle = values[3] + values[4];
        return (total - idle, total);
    }
}
