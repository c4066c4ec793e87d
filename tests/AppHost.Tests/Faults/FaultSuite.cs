using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using Aspire.Hosting.ApplicationModel;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Npgsql;
using StackExchange.Redis;
using TenantAtlas.Contracts;

namespace TenantAtlas.AppHost.Tests.Faults;

/// <summary>
/// The suite the fault scenarios break, started from the AppHost like <see cref="SuiteApp"/>: two replicas each of
/// RunsService and InventoryService (so a dead one has a peer), and control over the real OS processes DCP runs —
/// signals (SIGKILL, SIGSTOP, PostgreSQL's shutdown signals) and Aspire's start/stop commands, the way an operator
/// or a supervisor acts on them. Each scenario leaves every resource running again.
/// </summary>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Design", "CA1001", Justification = "xunit disposes fixtures through IAsyncLifetime.DisposeAsync.")]
public sealed class FaultSuite : IAsyncLifetime
{
    /// <summary>Inventory syncs are cut off after this (Worker:MaxRunDurations), so the hung-handler scenario ends in under a minute.</summary>
    public static readonly TimeSpan MaxSyncDuration = TimeSpan.FromSeconds(40);

    private readonly ConcurrentDictionary<string, ResourceEvent> instances = new();
    private readonly CancellationTokenSource watching = new();

    public SuiteApp Suite { get; } = new(replicas: 2, new Dictionary<string, IReadOnlyDictionary<string, string>>
    {
        ["inventory"] = new Dictionary<string, string>
        {
            [$"Worker__MaxRunDurations__{RunTypes.InventorySync}"] = MaxSyncDuration.ToString("c", CultureInfo.InvariantCulture),
        },
    });

    /// <summary>Full scale (<c>FAULTS_SCALE=full</c>, scripts/faults.sh) or the short version the test command runs.</summary>
    public static bool Full => Environment.GetEnvironmentVariable("FAULTS_SCALE") == "full";

    /// <summary>PostgreSQL's data directory, on a filesystem of its own (a tmpfs) that the disk-full scenario fills.</summary>
    public string PostgresDataDirectory => Path.Combine(Suite.DataDirectory, "postgres");

    /// <summary>Size of PostgreSQL's own filesystem: room for the cluster and every scenario's runs.</summary>
    public const int PostgresFilesystemMegabytes = 512;

    public async Task InitializeAsync()
    {
        // Filling the machine's disk would break more than the suite: PostgreSQL gets a small filesystem of its own.
        Directory.CreateDirectory(PostgresDataDirectory);
        Command("mount", $"-t tmpfs -o size={PostgresFilesystemMegabytes}m,mode=0700 tenantatlas-faults-pg {PostgresDataDirectory}",
            "the fault suite needs root and mount (a tmpfs for PostgreSQL's data, for the disk-full scenario)");
        await Suite.InitializeAsync();
        var notifications = Suite.App.Services.GetRequiredService<ResourceNotificationService>();
        _ = Task.Run(async () =>
        {
            try
            {
                await foreach (var update in notifications.WatchAsync(watching.Token))
                {
                    instances[update.ResourceId] = update;
                }
            }
            catch (OperationCanceledException)
            {
            }
        });
        await Eventually.UntilAsync(() => Task.FromResult(InstancesOf("inventory").Count(i => i.Pid is not null)), n => n == 2,
            TimeSpan.FromSeconds(30), "both inventory replicas are seen with their processes");
    }

    public async Task DisposeAsync()
    {
        await watching.CancelAsync();
        watching.Dispose();
        await Suite.DisposeAsync();
        Command("umount", $"-l {PostgresDataDirectory}", "unmounting PostgreSQL's filesystem");
        AppDataDirectory.Delete(Suite.DataDirectory);
    }

    private static void Command(string file, string arguments, string why)
    {
        using var process = Process.Start(new ProcessStartInfo(file, arguments) { RedirectStandardError = true })!;
        process.WaitForExit();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{file} {arguments} failed ({why}): {process.StandardError.ReadToEnd()}");
        }
    }

    /// <summary>One running (or stopped) instance of a resource: a replica of a project, or an executable.</summary>
    public sealed record Instance(string ResourceId, string Resource, int? Pid, string? State, HealthStatus? Health);

    /// <summary>The instances of <paramref name="resource"/> as the orchestrator last reported them.</summary>
    public IReadOnlyList<Instance> InstancesOf(string resource) =>
    [
        .. instances.Values.Where(e => e.Resource.Name == resource).Select(e => new Instance(e.ResourceId, e.Resource.Name,
            e.Snapshot.Properties.FirstOrDefault(p => p.Name == "executable.pid")?.Value is { } pid ? Convert.ToInt32(pid, CultureInfo.InvariantCulture) : null,
            e.Snapshot.State?.Text, e.Snapshot.HealthStatus)),
    ];

    /// <summary>
    /// The instance whose process is <paramref name="pid"/> or one of its ancestors: DCP starts a project through
    /// <c>dotnet run</c>, whose child is the service itself.
    /// </summary>
    public Instance InstanceWithPid(string resource, int pid)
    {
        var candidates = InstancesOf(resource);
        for (int? process = pid; process is { } p && p > 1; process = ParentOf(p))
        {
            if (candidates.SingleOrDefault(i => i.Pid == p) is { } instance)
            {
                return instance;
            }
        }
        throw new InvalidOperationException($"No instance of {resource} runs process {pid}: {string.Join("; ", candidates)}");
    }

    /// <summary>The service process of an instance: the instance's own process, or its child for a project (<c>dotnet run</c>).</summary>
    public static int ServiceProcessOf(Instance instance)
    {
        var pid = instance.Pid ?? throw new InvalidOperationException($"{instance.ResourceId} has no process");
        var children = File.ReadAllText($"/proc/{pid}/task/{pid}/children").Split(' ', StringSplitOptions.RemoveEmptyEntries);
        return children.Length == 1 ? int.Parse(children[0], CultureInfo.InvariantCulture) : pid;
    }

    private static int? ParentOf(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            return int.Parse(stat[(stat.LastIndexOf(')') + 2)..].Split(' ')[1], CultureInfo.InvariantCulture);
        }
        catch (IOException)
        {
            return null;
        }
    }

    /// <summary>Sends a signal (KILL, STOP, CONT, INT, QUIT, TERM) to a process.</summary>
    public static void Signal(int pid, string signal)
    {
        using var kill = Process.Start(new ProcessStartInfo("kill", $"-{signal} {pid}") { RedirectStandardError = true })!;
        kill.WaitForExit();
        Assert.True(kill.ExitCode == 0, $"kill -{signal} {pid}: {kill.StandardError.ReadToEnd()}");
    }

    /// <summary>Waits until a process has exited.</summary>
    public static Task WaitExitedAsync(int pid, TimeSpan within) => Eventually.UntilAsync(
        () => Task.FromResult(ProcessRuns(pid)), runs => !runs, within, $"process {pid} exits");

    /// <summary>Starts a stopped or exited instance (Aspire's start command) and waits until it runs and is healthy.</summary>
    public async Task<Instance> StartAsync(Instance instance, TimeSpan? within = null)
    {
        var commands = Suite.App.Services.GetRequiredService<ResourceCommandService>();
        // The orchestrator needs a moment to notice a killed process; starting before that is refused as "running".
        await Eventually.UntilAsync(() => Task.FromResult(InstancesOf(instance.Resource).Single(i => i.ResourceId == instance.ResourceId)),
            i => i.State is not "Running" and not "Starting", TimeSpan.FromSeconds(30), $"{instance.ResourceId} is seen stopped");
        var result = await commands.ExecuteCommandAsync(instance.ResourceId, KnownResourceCommands.StartCommand);
        for (var retry = 1; !result.Success && retry <= 2; retry++)
        {
            // As an operator would: the orchestrator may refuse a start while a dependency it checks is recovering.
            await Task.Delay(TimeSpan.FromSeconds(2));
            result = await commands.ExecuteCommandAsync(instance.ResourceId, KnownResourceCommands.StartCommand);
        }
        Assert.True(result.Success, $"starting {instance.ResourceId}: {result.Message}");
        return await Eventually.UntilAsync(
            () => Task.FromResult(InstancesOf(instance.Resource).Single(i => i.ResourceId == instance.ResourceId)),
            i => i.State == "Running" && i.Pid is not null && i.Pid != instance.Pid && i.Health is null or HealthStatus.Healthy,
            within ?? TimeSpan.FromSeconds(90), $"{instance.ResourceId} runs and is healthy again");
    }

    /// <summary>Stops an instance with Aspire's stop command (an orderly stop, as an operator scaling in).</summary>
    public async Task StopAsync(Instance instance)
    {
        var commands = Suite.App.Services.GetRequiredService<ResourceCommandService>();
        var result = await commands.ExecuteCommandAsync(instance.ResourceId, KnownResourceCommands.StopCommand);
        Assert.True(result.Success, $"stopping {instance.ResourceId}: {result.Message}");
        if (instance.Pid is { } pid)
        {
            await WaitExitedAsync(pid, TimeSpan.FromSeconds(60));
        }
    }

    /// <summary>A connection to the suite's Redis (admin commands allowed).</summary>
    public async Task<ConnectionMultiplexer> RedisAsync() =>
        await ConnectionMultiplexer.ConnectAsync((await Suite.App.GetConnectionStringAsync("redis"))! + ",allowAdmin=true,abortConnect=false");

    /// <summary>Runs a scalar query on the runs database.</summary>
    public async Task<T> RunsDbScalarAsync<T>(string sql, params (string Name, object Value)[] parameters)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await QueryRunsDbAsync<T>(sql, parameters);
            }
            catch (NpgsqlException) when (attempt < 20)
            {
                // PostgreSQL was just restarted by a scenario and is still recovering.
                await Task.Delay(500);
            }
        }
    }

    private async Task<T> QueryRunsDbAsync<T>(string sql, (string Name, object Value)[] parameters)
    {
        // Unpooled: a pooled connection may be one PostgreSQL closed when a scenario restarted it.
        await using var connection = new NpgsqlConnection(await Suite.App.GetConnectionStringAsync("runsdb") + ";Pooling=false");
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        foreach (var (name, value) in parameters)
        {
            command.Parameters.AddWithValue(name, value);
        }
        return (T)(await command.ExecuteScalarAsync())!;
    }

    /// <summary>The pid of the consumer holding a run's lease (consumer names are machine-pid-guid), once it has one.</summary>
    public static async Task<int> LeaseHolderPidAsync(IDatabase redis, string runId, TimeSpan within)
    {
        var holder = await Eventually.UntilAsync(async () => (string?)await redis.StringGetAsync(RunJobs.LeaseOf(RunJobs.StreamOf("inventory"), runId)),
            h => h is not null, within, $"a worker takes run {runId}");
        return PidOfConsumer(holder!);
    }

    public static int PidOfConsumer(string consumer)
    {
        var parts = consumer.Split('-');
        return int.Parse(parts[^2], CultureInfo.InvariantCulture);
    }

    private static bool ProcessRuns(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            return stat[(stat.LastIndexOf(')') + 2)] != 'Z';
        }
        catch (IOException)
        {
            return false;
        }
    }
}

/// <summary>The fault scenarios share one started suite and run one after another.</summary>
[CollectionDefinition(Name)]
public sealed class SharedFaultSuite : ICollectionFixture<FaultSuite>
{
    public const string Name = "faults";
}
