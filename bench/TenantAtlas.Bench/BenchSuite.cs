using System.Globalization;
using Grpc.Net.Client;
using Npgsql;
using TenantAtlas.Access.V1;
using TenantAtlas.Bench.Measurement;
using TenantAtlas.ServiceDefaults;
using TenantAtlas.Testing;
using TenantAtlas.TokenIssuing;
using RunsClient = TenantAtlas.Runs.V1.RunsService.RunsServiceClient;

namespace TenantAtlas.Bench;

/// <summary>
/// Everything the scenarios run against, started by the benchmark itself: a durable PostgreSQL, Redis,
/// RunsService as its own process (Release build, production settings), workspaces with registered tenants,
/// and the worker process on demand. Raw baselines use <see cref="RunsData"/>: the same database and schema,
/// with the same connection pool size RunsService has.
/// </summary>
public sealed class BenchSuite : IAsyncDisposable
{
    public const string Owner = "bench-owner";
    private const string PlatformAdmin = "bench-platform-admin";
    private const int LoadTenantCount = 8;
    private const int ListingTenantCount = 50;

    private readonly string signingKey = Convert.ToHexString(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32));
    private readonly List<IAsyncDisposable> owned = [];
    private IReadOnlyDictionary<string, string> runsSettings = new Dictionary<string, string>();

    private BenchSuite()
    {
    }

    public PostgresServer Postgres { get; private set; } = null!;

    public RedisServer Redis { get; private set; } = null!;

    public string RunsConnectionString { get; private set; } = string.Empty;

    /// <summary>Raw Npgsql access to the runs database, for baselines and checks.</summary>
    public NpgsqlDataSource RunsData { get; private set; } = null!;

    public ServiceProcess RunsService { get; private set; } = null!;

    public int RunsGrpcPort { get; private set; }

    /// <summary>The second RunsService replica, once <see cref="StartSecondRunsServiceAsync"/> has started it.</summary>
    public ServiceProcess? SecondRunsService { get; private set; }

    public int SecondRunsGrpcPort { get; private set; }

    /// <summary>RunsService as the workspace owner (a user: access is checked on every call).</summary>
    public RunsClient OwnerRuns { get; private set; } = null!;

    /// <summary>RunsService as a service identity (what workers use for UpdateRun).</summary>
    public RunsClient ServiceRuns { get; private set; } = null!;

    /// <summary>The workspace scenarios 1–3 and 5 start runs in, and its tenants.</summary>
    public Guid LoadWorkspace { get; private set; }

    public IReadOnlyList<Guid> LoadTenants { get; private set; } = [];

    /// <summary>The workspace scenario 4 fills with runs, and its 50 tenants.</summary>
    public Guid ListingWorkspace { get; private set; }

    public IReadOnlyList<Guid> ListingTenants { get; private set; } = [];

    /// <param name="runsSettings">RunsService settings a scenario adds (environment variable names, e.g. <c>Retention__Interval</c>).</param>
    public static async Task<BenchSuite> StartAsync(IReadOnlyDictionary<string, string>? runsSettings = null)
    {
        var suite = new BenchSuite();
        try
        {
            await suite.StartServersAsync(runsSettings ?? new Dictionary<string, string>());
            return suite;
        }
        catch
        {
            await suite.DisposeAsync();
            throw;
        }
    }

    private async Task StartServersAsync(IReadOnlyDictionary<string, string> runsSettings)
    {
        Console.WriteLine("Starting PostgreSQL (durable) and Redis...");
        Postgres = await PostgresServer.StartDurableAsync();
        Redis = await RedisServer.StartAsync();
        owned.Add(Redis);
        RunsConnectionString = await Postgres.CreateDatabaseAsync("runs");
        // The same Npgsql settings RunsService gets from ServiceDefaults, so the baseline is no slower for want of them.
        var raw = new NpgsqlDataSourceBuilder(RunsConnectionString);
        raw.ConnectionStringBuilder.MaxAutoPrepare = TenantAtlas.DataStores.ServiceDatabaseExtensions.AutoPreparedStatements;
        RunsData = raw.Build();

        Console.WriteLine("Starting RunsService...");
        this.runsSettings = runsSettings;
        (RunsService, RunsGrpcPort) = await StartRunsServiceAsync();

        OwnerRuns = new RunsClient(Channel(UserToken(Owner)));
        ServiceRuns = new RunsClient(Channel(DevTokens.Issue(TokenOptions, "svc:bench", "svc:bench", service: true)));

        var access = new AccessService.AccessServiceClient(Channel(UserToken(Owner)));
        (LoadWorkspace, LoadTenants) = await CreateWorkspaceAsync(access, "Bench load", LoadTenantCount);
        (ListingWorkspace, ListingTenants) = await CreateWorkspaceAsync(access, "Bench listing", ListingTenantCount);
    }

    /// <summary>
    /// A RunsService process on this suite's PostgreSQL and Redis with the same settings (connection strings, signing
    /// key, platform admins, the scenario's additions) and ports of its own. Returns it with its gRPC port.
    /// </summary>
    private async Task<(ServiceProcess Process, int GrpcPort)> StartRunsServiceAsync()
    {
        var grpcPort = ServiceProcess.FreePort();
        var httpPort = ServiceProcess.FreePort();
        var process = await ServiceProcess.StartAsync(
            ServiceProcess.ServiceAssembly("RunsService"),
            new Dictionary<string, string>
            {
                ["ConnectionStrings__runsdb"] = RunsConnectionString,
                ["ConnectionStrings__redis"] = Redis.ConnectionString,
                ["Auth__SigningKey"] = signingKey,
                ["Auth__PlatformAdmins__0"] = PlatformAdmin,
                ["Kestrel__Endpoints__grpc__Url"] = $"http://127.0.0.1:{grpcPort}",
                ["Kestrel__Endpoints__http__Url"] = $"http://127.0.0.1:{httpPort}",
            }.Concat(runsSettings).ToDictionary(),
            new Uri($"http://127.0.0.1:{httpPort}/health"),
            TimeSpan.FromSeconds(90));
        owned.Add(process);
        return (process, grpcPort);
    }

    /// <summary>
    /// Starts a second RunsService replica beside the first (scenario 10); from then on <see cref="Profile"/> counts its
    /// CPU as "RunsService #2". Reach it with <see cref="Channel"/> on <see cref="SecondRunsGrpcPort"/>.
    /// </summary>
    public async Task StartSecondRunsServiceAsync()
    {
        Console.WriteLine("Starting a second RunsService replica...");
        (SecondRunsService, SecondRunsGrpcPort) = await StartRunsServiceAsync();
    }

    private TokenOptions TokenOptions => TokenOptions.ForSigningKey(signingKey);

    public string UserToken(string subject) => DevTokens.Issue(TokenOptions, subject, subject);

    /// <summary>A gRPC channel to RunsService (the first replica unless <paramref name="grpcPort"/> says otherwise); every call carries the token.</summary>
    public GrpcChannel Channel(string token, int? grpcPort = null)
    {
        var channel = GrpcChannel.ForAddress($"http://127.0.0.1:{grpcPort ?? RunsGrpcPort}", new GrpcChannelOptions
        {
            HttpHandler = new BearerTokenHandler(token) { InnerHandler = new SocketsHttpHandler { EnableMultipleHttp2Connections = true } },
        });
        owned.Add(new AsyncDisposable(channel.Dispose));
        return channel;
    }

    /// <summary>
    /// A CPU/WAL profile of the suite's processes: RunsService, PostgreSQL (postmaster and backends), Redis, this load
    /// generator, the second RunsService replica when one runs ("RunsService #2"), and the <paramref name="others"/> a
    /// scenario adds (e.g. the worker).
    /// </summary>
    public CpuProfile Profile(params (string Name, Func<IEnumerable<int>> Processes)[] others)
    {
        var postmaster = Postgres.PostmasterProcessId;
        var runsService = RunsService.ProcessId;
        var redis = Redis.ProcessId;
        (string Name, Func<IEnumerable<int>> Processes)[] replicas = SecondRunsService is { ProcessId: var second }
            ? [("RunsService #2", () => [second])]
            : [];
        return new CpuProfile(RunsData,
        [
            ("RunsService", () => [runsService]),
            .. replicas,
            .. others,
            ("PostgreSQL", () => CpuProfile.PostgresProcesses(postmaster)),
            ("Redis", () => [redis]),
            ("load generator", () => [Environment.ProcessId]),
        ]);
    }

    /// <summary>
    /// Brings the planner's statistics of operation_runs up to date, as autovacuum does within a minute or so of
    /// steady traffic. Right after a scenario has inserted 100,000 runs in a minute they can be missing or stale,
    /// and PostgreSQL then guessed its way to the tenant index for identity lookups (measured: the raw conflict
    /// path at 40 calls/s instead of 7,000). Baseline and TenantAtlas then run on the same statistics.
    /// </summary>
    public async Task AnalyzeRunsAsync()
    {
        await using var analyze = RunsData.CreateCommand("ANALYZE runs.operation_runs");
        await analyze.ExecuteNonQueryAsync();
    }

    /// <summary>
    /// Starts the benchmark worker (the real worker host with a no-op inventory.sync handler) as its own process.
    /// Returns it with the base address of its <c>/bench</c> endpoints.
    /// </summary>
    public async Task<(ServiceProcess Worker, Uri Address)> StartWorkerAsync(int concurrency)
    {
        var port = ServiceProcess.FreePort();
        var address = new Uri($"http://127.0.0.1:{port}");
        var worker = await ServiceProcess.StartAsync(
            ServiceProcess.BuiltAssembly(Path.Combine("bench", "TenantAtlas.Bench.Worker")),
            new Dictionary<string, string>
            {
                ["ConnectionStrings__redis"] = Redis.ConnectionString,
                ["services__runs__grpc__0"] = $"http://127.0.0.1:{RunsGrpcPort}",
                ["Auth__SigningKey"] = signingKey,
                ["Worker__MaxConcurrency"] = concurrency.ToString(CultureInfo.InvariantCulture),
                ["ASPNETCORE_URLS"] = address.ToString(),
            },
            new Uri(address, "/health"),
            TimeSpan.FromSeconds(90));
        return (worker, address);
    }

    private async Task<(Guid Workspace, IReadOnlyList<Guid> Tenants)> CreateWorkspaceAsync(AccessService.AccessServiceClient owner,
        string name, int tenantCount)
    {
        var admin = new AccessService.AccessServiceClient(Channel(UserToken(PlatformAdmin)));
        var workspace = (await admin.CreateWorkspaceAsync(new CreateWorkspaceRequest
        {
            Name = name, OwnerSubject = Owner, OwnerDisplayName = "Bench Owner",
        })).Workspace.WorkspaceId;
        var tenants = new List<Guid>();
        for (var i = 0; i < tenantCount; i++)
        {
            var tenant = await owner.RegisterTenantAsync(new RegisterTenantRequest
            {
                WorkspaceId = workspace, EntraTenantId = Guid.NewGuid().ToString(), DisplayName = $"{name} tenant {i + 1}",
            });
            tenants.Add(Guid.Parse(tenant.Tenant.TenantId));
        }
        return (Guid.Parse(workspace), tenants);
    }

    public async ValueTask DisposeAsync()
    {
        for (var i = owned.Count - 1; i >= 0; i--)
        {
            await owned[i].DisposeAsync();
        }
        if (RunsData is not null)
        {
            await RunsData.DisposeAsync();
        }
    }

    private sealed class AsyncDisposable(Action dispose) : IAsyncDisposable
    {
        public ValueTask DisposeAsync()
        {
            dispose();
            return ValueTask.CompletedTask;
        }
    }
}
