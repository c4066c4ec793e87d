extern alias emulator;
extern alias runs;

using System.Diagnostics;
using System.Net.Http.Json;
using Grpc.Core;
using Grpc.Net.Client;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Npgsql;
using OpenTelemetry.Trace;
using TenantAtlas.Access.V1;
using TenantAtlas.Runs.V1;
using TenantAtlas.ServiceDefaults;
using TenantAtlas.Testing;
using EmulatorProgram = emulator::Program;
using RunsClient = TenantAtlas.Runs.V1.RunsService.RunsServiceClient;
using RunsProgram = runs::Program;
using TenantAtlas.TokenIssuing;

namespace TenantAtlas.Testing.Suite;

/// <summary>
/// What every domain service's tests start on real PostgreSQL and Redis: RunsService (with its dispatch relay) and the
/// Graph emulator that the real GraphServiceClient talks to, plus helpers to register tenants and await runs. A test
/// project derives its fixture and starts its own service's hosts (this file is compiled into each of them).
/// </summary>
public abstract class DomainSuiteFixture : IAsyncLifetime
{
    public const string SigningKey = "tests-only-signing-key-0123456789abcdef";
    public const string PlatformAdmin = "platform-admin";
    public const string GraphClientId = "tenantatlas-app";
    public const string GraphClientSecret = "tenantatlas-app-secret";

    private readonly List<IAsyncDisposable> serviceHosts = [];

    public RedisServer Redis { get; private set; } = null!;
    public string RunsDb { get; private set; } = string.Empty;
    public WebApplicationFactory<RunsProgram> RunsHost { get; private set; } = null!;
    public WebApplicationFactory<EmulatorProgram> Graph { get; private set; } = null!;

    /// <summary>The emulator's real HTTP address, e.g. http://127.0.0.1:41234.</summary>
    public string GraphUrl { get; private set; } = string.Empty;

    /// <summary>Every log line of the domain service hosts.</summary>
    public CapturedLogs Logs { get; } = new();

    /// <summary>Every span recorded in the process (OpenTelemetry in-memory exporter).</summary>
    public List<Activity> Spans { get; } = [];

    /// <summary>Worker settings; short timeouts so recovery tests take seconds.</summary>
    public Dictionary<string, string> WorkerSettings { get; } = new()
    {
        ["Worker:ClaimIdleTimeout"] = "00:00:01.500",
        ["Worker:HeartbeatInterval"] = "00:00:00.300",
        ["Worker:ReclaimInterval"] = "00:00:00.250",
        ["Worker:ProgressInterval"] = "00:00:00.200",
        ["Worker:ShutdownGrace"] = "00:00:00.200",
        ["Worker:MaxDeliveries"] = "2",
        ["Graph:RetryDelaySeconds"] = "1",
    };

    public virtual async Task InitializeAsync()
    {
        var postgres = await PostgresServer.SharedAsync();
        RunsDb = await postgres.CreateDatabaseAsync("suite_runs");
        Redis = await RedisServer.StartAsync();
        // Graph is served over real HTTP (Kestrel on a free port), so the SDK's requests go through sockets and
        // show as HTTP client spans, exactly as against Microsoft Graph.
        // The port goes through the app's own URLs, not UseKestrel(port): that overload rewrites the server's addresses
        // after the app has started binding them, a race that fails start-up now and then ("Addresses cannot be
        // modified after the server has started", dotnet/aspnetcore#67714).
        Graph = new WebApplicationFactory<EmulatorProgram>().WithWebHostBuilder(web => web.UseSetting("urls", "http://127.0.0.1:0"));
        Graph.UseKestrel();
        Graph.StartServer();
        GraphUrl = Graph.Services.GetRequiredService<Microsoft.AspNetCore.Hosting.Server.IServer>()
            .Features.Get<Microsoft.AspNetCore.Hosting.Server.Features.IServerAddressesFeature>()!.Addresses.First().TrimEnd('/');
        RunsHost = new WebApplicationFactory<RunsProgram>().WithWebHostBuilder(web =>
        {
            web.UseSetting("ConnectionStrings:runsdb", RunsDb);
            web.UseSetting("ConnectionStrings:redis", Redis.ConnectionString);
            web.UseSetting("Auth:SigningKey", SigningKey);
            web.UseSetting("Auth:PlatformAdmins:0", PlatformAdmin);
        });
        _ = RunsHost.Server;
    }

    /// <summary>
    /// A domain service host on <paramref name="database"/> (its connection named <paramref name="connectionName"/>), with
    /// this suite's Redis, signing key, Graph emulator and <see cref="WorkerSettings"/>; its calls to RunsService go to the
    /// in-process RunsService. Stop it with <see cref="StopServiceHostAsync{TProgram}"/> (or leave it to the fixture).
    /// </summary>
    /// <param name="recordSpans">Export its spans to <see cref="Spans"/>.</param>
    /// <param name="settings">Settings over <see cref="WorkerSettings"/> (e.g. a run type's maximum duration).</param>
    /// <param name="services">Service replacements (e.g. a test handler).</param>
    protected WebApplicationFactory<TProgram> StartServiceHost<TProgram>(string connectionName, string database, bool recordSpans,
        IReadOnlyDictionary<string, string>? settings, Action<IServiceCollection>? services) where TProgram : class
    {
        var host = new WebApplicationFactory<TProgram>().WithWebHostBuilder(web =>
        {
            web.UseSetting($"ConnectionStrings:{connectionName}", database);
            web.UseSetting("ConnectionStrings:redis", Redis.ConnectionString);
            web.UseSetting("Auth:SigningKey", SigningKey);
            web.UseSetting("services:runs:grpc:0", "http://localhost");
            web.UseSetting("Graph:BaseUrl", GraphUrl + "/v1.0");
            web.UseSetting("Graph:AuthorityHost", GraphUrl);
            web.UseSetting("Graph:ClientId", GraphClientId);
            web.UseSetting("Graph:ClientSecret", GraphClientSecret);
            foreach (var (key, value) in WorkerSettings.Concat(settings ?? new Dictionary<string, string>()))
            {
                web.UseSetting(key, value);
            }
            web.ConfigureLogging(logging => logging.AddProvider(Logs));
            web.ConfigureTestServices(testServices =>
            {
                services?.Invoke(testServices);
                // Calls to RunsService and to Graph go to the in-process hosts instead of the network.
                testServices.AddGrpcClient<RunsClient>().ConfigurePrimaryHttpMessageHandler(() => RunsHost.Server.CreateHandler());
                testServices.AddGrpcClient<AccessService.AccessServiceClient>().ConfigurePrimaryHttpMessageHandler(() => RunsHost.Server.CreateHandler());
                if (recordSpans)
                {
                    testServices.ConfigureOpenTelemetryTracerProvider(tracing => tracing.AddInMemoryExporter(Spans));
                }
            });
        });
        _ = host.Server;
        serviceHosts.Add(host);
        return host;
    }

    /// <summary>Stops a host the way a deploy or crash would: its worker acknowledges nothing it has not finished.</summary>
    public async Task StopServiceHostAsync<TProgram>(WebApplicationFactory<TProgram> host) where TProgram : class
    {
        serviceHosts.Remove(host);
        await host.DisposeAsync();
    }

    public virtual async Task DisposeAsync()
    {
        foreach (var host in serviceHosts.ToList())
        {
            await host.DisposeAsync();
        }
        await RunsHost.DisposeAsync();
        await Graph.DisposeAsync();
        await Redis.DisposeAsync();
    }

    public static string UserToken(string subject) =>
        DevTokens.Issue(TokenOptions.ForSigningKey(SigningKey), subject, subject);

    public RunsClient Runs(string token) => new(Channel(RunsHost.Server, token));

    public AccessService.AccessServiceClient Access(string token) => new(Channel(RunsHost.Server, token));

    /// <summary>A workspace owned by <paramref name="owner"/> with a tenant whose Graph data the emulator serves.</summary>
    public async Task<(string WorkspaceId, string TenantId, string EntraTenantId, string[] PolicyIds)> CreateTenantAsync(
        string owner, int deviceConfigurations = 30, int compliancePolicies = 10, int pageSize = 100)
    {
        var admin = Access(UserToken(PlatformAdmin));
        var workspace = (await admin.CreateWorkspaceAsync(new CreateWorkspaceRequest { Name = "Contoso", OwnerSubject = owner, OwnerDisplayName = owner })).Workspace;
        var entraTenantId = Guid.NewGuid().ToString();
        var tenant = (await Access(UserToken(owner)).RegisterTenantAsync(new RegisterTenantRequest
        {
            WorkspaceId = workspace.WorkspaceId, EntraTenantId = entraTenantId, DisplayName = "Contoso Intune",
        })).Tenant;
        using var emulatorAdmin = EmulatorAdmin();
        using var response = await emulatorAdmin.PutAsJsonAsync($"/emulator/tenants/{entraTenantId}", new
        {
            clientId = GraphClientId, clientSecret = GraphClientSecret, deviceConfigurations, compliancePolicies,
            assignmentsPerPolicy = 2, pageSize, seed = 7,
        });
        response.EnsureSuccessStatusCode();
        var summary = await response.Content.ReadFromJsonAsync<EmulatorSummary>();
        return (workspace.WorkspaceId, tenant.TenantId, entraTenantId, [.. summary!.DeviceConfigurationIds, .. summary.CompliancePolicyIds]);
    }

    public async Task SetGraphFaultsAsync(string entraTenantId, object faults)
    {
        using var emulatorAdmin = EmulatorAdmin();
        using var response = await emulatorAdmin.PutAsJsonAsync($"/emulator/tenants/{entraTenantId}/faults", faults);
        response.EnsureSuccessStatusCode();
    }

    public async Task<Dictionary<string, int>> GraphRequestsByStatusAsync(string entraTenantId)
    {
        using var emulatorAdmin = EmulatorAdmin();
        var counts = await emulatorAdmin.GetFromJsonAsync<EmulatorRequests>($"/emulator/tenants/{entraTenantId}/requests");
        return counts!.ByStatus;
    }

    /// <summary>An HTTP client of the emulator's admin API.</summary>
    public HttpClient EmulatorAdmin() => new() { BaseAddress = new Uri(GraphUrl) };

    /// <summary>
    /// An HTTP client of the emulator's Graph endpoints signed in as the suite's app in the tenant (client credentials at
    /// the emulator's token endpoint), for raw Graph JSON a test writes as an admin would (e.g. an /assign with filters).
    /// </summary>
    public Task<HttpClient> GraphHttpAsync(string entraTenantId) =>
        TenantAtlas.PolicyCorpus.CorpusSeeder.SignInAsync(new Uri(GraphUrl), entraTenantId, GraphClientId, GraphClientSecret);

    /// <summary>Polls the run until <paramref name="done"/> holds and returns it; fails the test when the time is up.</summary>
    public Task<Run> WaitForRunAsync(string runId, Func<Run, bool> done, TimeSpan? within = null)
    {
        var client = Runs(ServiceToken());
        return Eventually.UntilAsync(async () => (await client.GetRunAsync(new GetRunRequest { RunId = runId })).Run, done,
            within ?? TimeSpan.FromSeconds(30), $"run {runId} reaches the awaited state");
    }

    public Task<Run> WaitForCompletionAsync(string runId, TimeSpan? within = null) =>
        WaitForRunAsync(runId, r => r.Status == RunStatus.Completed, within);

    /// <summary>No run may be left queued or running when a test ends.</summary>
    public async Task AssertNoActiveRunsAsync()
    {
        await using var connection = new NpgsqlConnection(RunsDb);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT count(*) FROM runs.operation_runs WHERE status <> 'completed'", connection);
        Assert.Equal(0L, (long)(await command.ExecuteScalarAsync())!);
    }

    public static string ServiceToken() =>
        DevTokens.Issue(TokenOptions.ForSigningKey(SigningKey), "svc:tests", "svc:tests", service: true);

    /// <summary>A gRPC channel to an in-process host with a bearer token.</summary>
    public static GrpcChannel Channel(TestServer server, string token)
    {
        var handler = new BearerTokenHandler(token) { InnerHandler = server.CreateHandler() };
        return GrpcChannel.ForAddress(server.BaseAddress, new GrpcChannelOptions { HttpHandler = handler });
    }

    private sealed record EmulatorSummary(string[] DeviceConfigurationIds, string[] CompliancePolicyIds);

    private sealed record EmulatorRequests(int Total, Dictionary<string, int> ByStatus);
}
