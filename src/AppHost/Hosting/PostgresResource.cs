using System.Diagnostics;
using Npgsql;

namespace TenantAtlas.AppHost.Hosting;

/// <summary>
/// A local PostgreSQL 15 server (durable settings) in the AppHost's data directory, kept between runs. Runs as the
/// <c>postgres</c> user when the AppHost runs as root, because PostgreSQL refuses root.
/// </summary>
public sealed class PostgresResource(string name, int port) : Resource(name)
{
    private const string BinDirectory = "/usr/lib/postgresql/15/bin";
    private readonly List<PostgresDatabaseResource> databases = [];
    private ManagedProcess? server;
    private SuiteContext? context;

    public int Port { get; } = port;

    public override string DisplayUrl => $"postgresql://127.0.0.1:{Port}";

    public override int? ProcessId => server?.Id;

    public PostgresDatabaseResource AddDatabase(string databaseName)
    {
        var database = new PostgresDatabaseResource(databaseName, this);
        databases.Add(database);
        return database;
    }

    public string ConnectionString(string database) =>
        $"Host=127.0.0.1;Port={Port};Username=postgres;Database={database};Maximum Pool Size=30";

    public override async Task StartAsync(SuiteContext context, CancellationToken ct)
    {
        var suite = context;
        this.context = suite;
        State = ResourceState.Starting;
        var root = Path.Combine(suite.DataDirectory, Name);
        var data = Path.Combine(root, "data");
        var sockets = Path.Combine(root, "run");
        Directory.CreateDirectory(sockets);
        if (!File.Exists(Path.Combine(data, "PG_VERSION")))
        {
            Directory.CreateDirectory(data);
            await AsPostgresAsync(suite, root, "initdb", ["-D", data, "-U", "postgres", "-A", "trust", "-E", "UTF8", "--locale=C.UTF-8"], ct);
        }
        else if (suite.RunningAsRoot)
        {
            await RunAsync("chown", ["-R", "postgres:postgres", root], ct);
        }
        var (file, arguments) = Command(suite, "postgres", ["-D", data, "-p", Port.ToString(System.Globalization.CultureInfo.InvariantCulture),
            "-k", sockets, "-c", "listen_addresses=127.0.0.1"]);
        server = ManagedProcess.Start(Name, ConsoleColor.DarkCyan, file, arguments, new Dictionary<string, string>(), root, suite.EchoLogs);
    }

    public override async Task<bool> IsHealthyAsync(CancellationToken ct)
    {
        if (server is null || server.HasExited)
        {
            return false;
        }
        try
        {
            await using var connection = new NpgsqlConnection(ConnectionString("postgres") + ";Timeout=2");
            await connection.OpenAsync(ct);
            State = ResourceState.Running;
            return true;
        }
        catch (NpgsqlException)
        {
            return false;
        }
    }

    public override async Task StopAsync()
    {
        if (server is not null)
        {
            // postgres itself (not runuser) must get the signal; SIGINT is PostgreSQL's "fast" shutdown.
            var data = Path.Combine(context!.DataDirectory, Name, "data");
            var pidFile = Path.Combine(data, "postmaster.pid");
            if (File.Exists(pidFile) && int.TryParse(File.ReadLines(pidFile).FirstOrDefault(), out var pid))
            {
                await RunAsync("kill", ["-INT", pid.ToString(System.Globalization.CultureInfo.InvariantCulture)], CancellationToken.None, ignoreFailure: true);
            }
            await server.StopAsync(TimeSpan.FromSeconds(15));
            State = ResourceState.Stopped;
        }
    }

    public override string Diagnostics() => server?.Tail() ?? "not started";

    private static (string File, IEnumerable<string> Arguments) Command(SuiteContext suite, string tool, IEnumerable<string> arguments) =>
        suite.RunningAsRoot
            ? ("runuser", ["-u", "postgres", "--", Path.Combine(BinDirectory, tool), .. arguments])
            : (Path.Combine(BinDirectory, tool), arguments);

    private static async Task AsPostgresAsync(SuiteContext suite, string root, string tool, IEnumerable<string> arguments, CancellationToken ct)
    {
        if (suite.RunningAsRoot)
        {
            await RunAsync("chown", ["-R", "postgres:postgres", root], ct);
        }
        var (file, args) = Command(suite, tool, arguments);
        await RunAsync(file, args, ct);
    }

    internal static async Task RunAsync(string file, IEnumerable<string> arguments, CancellationToken ct, bool ignoreFailure = false)
    {
        var startInfo = new ProcessStartInfo(file) { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in arguments)
        {
            startInfo.ArgumentList.Add(argument);
        }
        using var process = Process.Start(startInfo) ?? throw new InvalidOperationException($"Could not start {file}.");
        var output = process.StandardOutput.ReadToEndAsync(ct);
        var error = process.StandardError.ReadToEndAsync(ct);
        await process.WaitForExitAsync(ct);
        if (process.ExitCode != 0 && !ignoreFailure)
        {
            throw new InvalidOperationException($"{file} {string.Join(' ', startInfo.ArgumentList)} failed ({process.ExitCode}): {await output}{await error}");
        }
    }
}

/// <summary>A database on a <see cref="PostgresResource"/>; created when missing. Referenced as ConnectionStrings__{name}.</summary>
public sealed class PostgresDatabaseResource : Resource
{
    public PostgresDatabaseResource(string name, PostgresResource server) : base(name)
    {
        Server = server;
        AddWaitFor(server);
    }

    public PostgresResource Server { get; }

    public string ConnectionString => Server.ConnectionString(Name);

    public override string DisplayUrl => $"{Server.DisplayUrl}/{Name}";

    public override async Task StartAsync(SuiteContext context, CancellationToken ct)
    {
        State = ResourceState.Starting;
        await using var connection = new NpgsqlConnection(Server.ConnectionString("postgres"));
        await connection.OpenAsync(ct);
        await using var exists = new NpgsqlCommand("SELECT 1 FROM pg_database WHERE datname = @name", connection);
        exists.Parameters.AddWithValue("name", Name);
        if (await exists.ExecuteScalarAsync(ct) is null)
        {
            await using var create = new NpgsqlCommand($"CREATE DATABASE \"{Name}\"", connection);
            await create.ExecuteNonQueryAsync(ct);
        }
    }

    public override async Task<bool> IsHealthyAsync(CancellationToken ct)
    {
        try
        {
            await using var connection = new NpgsqlConnection(ConnectionString + ";Timeout=2");
            await connection.OpenAsync(ct);
            State = ResourceState.Running;
            return true;
        }
        catch (NpgsqlException)
        {
            return false;
        }
    }

    public override Task StopAsync()
    {
        State = ResourceState.Stopped;
        return Task.CompletedTask;
    }

    public override string Diagnostics() => Server.Diagnostics();
}
