using System.Collections.Concurrent;
using System.Globalization;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using StackExchange.Redis;
using TenantAtlas.Contracts;
using TenantAtlas.Runs.V1;

namespace TenantAtlas.Workers.Tests;

/// <summary>What a test handler does with a run; set by the test before the job arrives.</summary>
public sealed class HandlerScript
{
    public Func<RunWorkContext, CancellationToken, Task> Behaviour { get; set; } = (run, _) =>
    {
        run.AddTotal(1);
        run.Succeeded();
        return Task.CompletedTask;
    };

    /// <summary>Run ids in the order handlers were called, once per call (a run handled twice appears twice).</summary>
    public ConcurrentQueue<string> Calls { get; } = new();
}

/// <summary>The handler the tests register for inventory.sync: it does what the script says, in its own DI scope.</summary>
public sealed class ScriptedHandler(HandlerScript script) : IRunHandler
{
    public Task HandleAsync(RunWorkContext run, CancellationToken cancellationToken)
    {
        script.Calls.Enqueue(run.Run.RunId);
        return script.Behaviour(run, cancellationToken);
    }
}

/// <summary>
/// A real redis-server of the test's own, the stand-in RunsService, and worker hosts of the "inventory" service started
/// on them with short intervals (claims expire after 2 s), as many as a test needs.
/// </summary>
public sealed class WorkerHarness : IAsyncDisposable
{
    public const string Service = "inventory";
    public static readonly string Stream = RunJobs.StreamOf(Service);
    private readonly List<IHost> hosts = [];

    private WorkerHarness(RedisServer redis, ConnectionMultiplexer connection)
    {
        Redis = redis;
        Connection = connection;
    }

    public RedisServer Redis { get; }

    public ConnectionMultiplexer Connection { get; }

    public IDatabase Database => Connection.GetDatabase();

    public RecordingRunsService Runs { get; } = new();

    public HandlerScript Script { get; } = new();

    public static async Task<WorkerHarness> StartAsync()
    {
        var redis = await RedisServer.StartAsync();
        return new WorkerHarness(redis, await ConnectionMultiplexer.ConnectAsync(redis.ConnectionString));
    }

    /// <summary>A worker host with the scripted inventory.sync handler (or the given registrations), started.</summary>
    public async Task<IHost> StartWorkerAsync(IReadOnlyDictionary<string, string?>? settings = null, Action<RunWorkerBuilder>? handlers = null,
        Action<IServiceCollection>? services = null)
    {
        var host = BuildWorker(settings, handlers, services: services);
        await host.StartAsync();
        hosts.Add(host);
        return host;
    }

    /// <param name="service">The worker's service; another than <see cref="Service"/> only for registration checks.</param>
    public IHost BuildWorker(IReadOnlyDictionary<string, string?>? settings = null, Action<RunWorkerBuilder>? handlers = null,
        string service = Service, Action<IServiceCollection>? services = null)
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["ConnectionStrings:redis"] = Redis.ConnectionString,
            ["Aspire:StackExchange:Redis:DisableTracing"] = "true",
            ["Worker:ClaimIdleTimeout"] = "00:00:02",
            ["Worker:HeartbeatInterval"] = "00:00:00.500",
            ["Worker:ReclaimInterval"] = "00:00:00.500",
            ["Worker:ProgressInterval"] = "00:00:00.200",
            ["Worker:MaxPollInterval"] = "00:00:00.200",
            ["Worker:ShutdownGrace"] = "00:00:00",
        });
        if (settings is not null)
        {
            builder.Configuration.AddInMemoryCollection(settings);
        }
        var worker = builder.AddRunWorker(service);
        // By default the scripted handler does every type the service must handle (the worker refuses to start otherwise).
        (handlers ?? (w =>
        {
            foreach (var type in RunTypes.AvailableOf(service))
            {
                w.AddHandler<ScriptedHandler>(type.Name);
            }
        }))(worker);
        builder.Services.AddSingleton(Script);
        builder.Services.AddSingleton<IRunsClient>(Runs);
        services?.Invoke(builder.Services);
        return builder.Build();
    }

    public async Task StopWorkerAsync(IHost host)
    {
        await host.StopAsync();
        host.Dispose();
        hosts.Remove(host);
    }

    /// <summary>A queued run of <paramref name="type"/> and its job in the stream, as the relay would publish it.</summary>
    public async Task<Run> PublishAsync(string type = RunTypes.InventorySync, RunStatus status = RunStatus.Queued)
    {
        var run = Runs.Add(type, status);
        await PublishAgainAsync(run);
        return run;
    }

    /// <summary>Another entry for a run already published: what a relay without its publish-once marker could leave.</summary>
    public async Task PublishAgainAsync(Run run)
    {
        var type = run.Type;
        await Database.StreamAddAsync(Stream,
        [
            new NameValueEntry(RunJobs.RunIdField, run.RunId),
            new NameValueEntry(RunJobs.TypeField, type),
            new NameValueEntry(RunJobs.WorkspaceIdField, run.WorkspaceId),
            new NameValueEntry(RunJobs.TenantIdField, run.TenantId),
            new NameValueEntry(RunJobs.CreatedAtField, DateTime.UtcNow.ToString("O", CultureInfo.InvariantCulture)),
        ]);
    }

    public Task<Run> WaitForCompletionAsync(string runId, TimeSpan? within = null) =>
        Eventually.UntilAsync(() => Task.FromResult(Runs[runId].Clone()), r => r.Status == RunStatus.Completed,
            within ?? TimeSpan.FromSeconds(15), $"run {runId} completes");

    /// <summary>Entries of the stream not yet acknowledged by the group.</summary>
    public async Task<long> PendingAsync() => (await Database.StreamPendingAsync(Stream, Service)).PendingMessageCount;

    public async Task<StreamEntry[]> DeadLettersAsync() => await Database.StreamRangeAsync(RunJobs.DeadLetterStreamOf(Service));

    public async ValueTask DisposeAsync()
    {
        foreach (var host in hosts)
        {
            await host.StopAsync();
            host.Dispose();
        }
        await Connection.DisposeAsync();
        await Redis.DisposeAsync();
    }
}

/// <summary>A test class with a harness of its own per test: its own redis-server, stand-in RunsService and workers.</summary>
public abstract class WorkerHarnessTests : IAsyncLifetime
{
    protected WorkerHarness Harness { get; private set; } = null!;

    public async Task InitializeAsync() => Harness = await WorkerHarness.StartAsync();

    public async Task DisposeAsync() => await Harness.DisposeAsync();
}
