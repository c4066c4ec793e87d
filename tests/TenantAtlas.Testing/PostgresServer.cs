using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using Npgsql;

namespace TenantAtlas.Testing;

/// <summary>
/// A real, throwaway PostgreSQL 15 cluster shared by the whole test process: started on first use in a temp
/// directory on a free port, stopped and deleted when the process exits. Give each test class its own database
/// with <see cref="CreateDatabaseAsync"/>.
/// </summary>
/// <remarks>
/// Binaries come from <c>$TENANTATLAS_PG_BIN</c>, <c>/usr/lib/postgresql/15/bin</c> or the PATH. PostgreSQL refuses
/// to run as root, so a root process runs <c>initdb</c>/<c>pg_ctl</c> as the <c>postgres</c> user via <c>runuser</c>.
/// </remarks>
public sealed partial class PostgresServer
{
    private const string DirectoryPrefix = "tenantatlas-pg-";
    private static readonly TimeSpan CommandTimeout = TimeSpan.FromSeconds(90);
    private static readonly Lazy<Task<PostgresServer>> Shared = new(() => Task.Run(() => StartAsync(durable: false)));
    private static Process? s_cleanupWatchdog;

    private readonly int _port;
    private readonly string _dataDirectory;
    private int _databaseCounter;

    private PostgresServer(int port, string dataDirectory)
    {
        _port = port;
        _dataDirectory = dataDirectory;
        AdminConnectionString = ConnectionString("postgres");
    }

    /// <summary>The postmaster's process id (first line of postmaster.pid); its backends are its children.</summary>
    public int PostmasterProcessId =>
        int.Parse(File.ReadLines(Path.Combine(_dataDirectory, "postmaster.pid")).First(), System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>Connection string for the <c>postgres</c> maintenance database (superuser <c>postgres</c>).</summary>
    public string AdminConnectionString { get; }

    /// <summary>The process-wide server, started on the first call (thread-safe; later calls get the same instance).</summary>
    public static Task<PostgresServer> SharedAsync() => Shared.Value;

    /// <summary>
    /// A server of its own with production durability (fsync, synchronous commit and full page writes on) and
    /// 512 MB of shared buffers, for benchmarks. Stopped and deleted when the process exits.
    /// </summary>
    public static Task<PostgresServer> StartDurableAsync() => StartAsync(durable: true);

    /// <summary>Creates a new, uniquely named empty database and returns a full Npgsql connection string for it.</summary>
    public async Task<string> CreateDatabaseAsync(string namePrefix)
    {
        var prefix = InvalidNameCharacters().Replace(namePrefix.ToLowerInvariant(), "_");
        prefix = prefix.Length == 0 ? "db" : prefix[..Math.Min(prefix.Length, 30)];
        var number = Interlocked.Increment(ref _databaseCounter);
        var name = string.Create(CultureInfo.InvariantCulture, $"{prefix}_{number}_{Guid.NewGuid():N}")[..Math.Min(63, prefix.Length + 20)];

        await using var connection = new NpgsqlConnection(AdminConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand($"CREATE DATABASE \"{name}\"", connection);
        await command.ExecuteNonQueryAsync();
        return ConnectionString(name);
    }

    private string ConnectionString(string database) => new NpgsqlConnectionStringBuilder
    {
        Host = "127.0.0.1",
        Port = _port,
        Username = "postgres",
        Database = database,
        // Many services and test classes share one server; a bounded pool each keeps them under max_connections.
        MaxPoolSize = 20,
    }.ConnectionString;

    private static async Task<PostgresServer> StartAsync(bool durable)
    {
        var binDirectory = FindBinDirectory();

        var root = Directory.CreateTempSubdirectory(DirectoryPrefix).FullName;
        var dataDirectory = Path.Combine(root, "data");
        var socketDirectory = Path.Combine(root, "sock");
        var logFile = Path.Combine(root, "log");
        Directory.CreateDirectory(socketDirectory);
        if (Environment.IsPrivilegedProcess)
        {
            await ProcessRunner.RunAsync("chown", ["-R", "postgres:postgres", root], CommandTimeout);
        }

        StartCleanupWatchdog(binDirectory, root);

        await RunPostgresToolAsync(binDirectory, root, "initdb",
            ["-D", dataDirectory, "-U", "postgres", "-A", "trust", "-E", "UTF8", "--locale=C.UTF-8", "--no-sync"]);

        // The free port is only reserved until we release it: retry with a new one if another process took it.
        for (var attempt = 1; ; attempt++)
        {
            var port = ServiceProcess.FreePort();
            // Tests trade durability for speed; benchmarks measure what production would run.
            var settings = durable
                ? "-c shared_buffers=512MB -c max_connections=600"
                : "-c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=600";
            var options = $"-p {port} -k {socketDirectory} -c listen_addresses=127.0.0.1 {settings}";
            try
            {
                await RunPostgresToolAsync(binDirectory, root, "pg_ctl", ["-D", dataDirectory, "-l", logFile, "-w", "-o", options, "start"]);
                return new PostgresServer(port, dataDirectory);
            }
            catch (Exception ex) when (ex is InvalidOperationException or TimeoutException)
            {
                if (attempt < 3)
                {
                    continue;
                }

                throw new InvalidOperationException($"PostgreSQL did not start in {root}.\n{ex.Message}\n--- last lines of {logFile} ---\n{LogTail(logFile)}", ex);
            }
        }
    }

    private static Task<string> RunPostgresToolAsync(string binDirectory, string root, string tool, IEnumerable<string> arguments)
    {
        var command = PostgresToolCommand(binDirectory, tool);
        return ProcessRunner.RunAsync(command[0], [.. command[1..], .. arguments], CommandTimeout, root);
    }

    /// <summary>The command line prefix that runs a PostgreSQL tool, as the <c>postgres</c> user when we are root.</summary>
    private static string[] PostgresToolCommand(string binDirectory, string tool)
    {
        var executable = binDirectory.Length == 0 ? tool : Path.Combine(binDirectory, tool);
        return Environment.IsPrivilegedProcess ? ["runuser", "-u", "postgres", "--", executable] : [executable];
    }

    /// <summary>
    /// Starts a detached shell that blocks reading a pipe from this process. The pipe closes when the process
    /// ends in any way (also when the test host is killed, which <c>dotnet test</c> does ~100 ms after the run, too
    /// soon for a stop in ProcessExit to finish); the shell then runs <c>pg_ctl -m immediate stop</c> and deletes the
    /// temp directory.
    /// </summary>
    private static void StartCleanupWatchdog(string binDirectory, string root)
    {
        var startInfo = new ProcessStartInfo("setsid") { UseShellExecute = false, RedirectStandardInput = true };
        string[] stop = [.. PostgresToolCommand(binDirectory, "pg_ctl"), "-D", Path.Combine(root, "data"), "-m", "immediate", "-w", "stop"];
        foreach (var argument in (string[])["bash", "-c", "exec >/dev/null 2>&1; cat; \"$@\"; rm -rf \"$0\"", root, .. stop])
        {
            startInfo.ArgumentList.Add(argument);
        }

        // Kept in a static field: if the Process were collected, its finalizer would close the pipe too early.
        var watchdog = Process.Start(startInfo) ?? throw new InvalidOperationException("Could not start the cleanup watchdog.");
        s_cleanupWatchdog = watchdog;
        AppDomain.CurrentDomain.ProcessExit += (_, _) => watchdog.StandardInput.Close();
    }

    private static string FindBinDirectory()
    {
        var fromEnvironment = Environment.GetEnvironmentVariable("TENANTATLAS_PG_BIN");
        if (!string.IsNullOrEmpty(fromEnvironment))
        {
            return fromEnvironment;
        }

        const string debian = "/usr/lib/postgresql/15/bin";
        return File.Exists(Path.Combine(debian, "pg_ctl")) ? debian : string.Empty; // empty: rely on the PATH
    }

    private static string LogTail(string logFile)
    {
        try
        {
            return string.Join('\n', File.ReadLines(logFile).TakeLast(30));
        }
        catch (IOException ex)
        {
            return $"(no log: {ex.Message})";
        }
    }

    [GeneratedRegex("[^a-z0-9_]")]
    private static partial Regex InvalidNameCharacters();
}
