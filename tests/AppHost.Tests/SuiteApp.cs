using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Aspire.Hosting.ApplicationModel;
using Grpc.Net.Client;
using Microsoft.Extensions.DependencyInjection;
using TenantAtlas.Access.V1;
using TenantAtlas.AppHost.Demo;
using TenantAtlas.ServiceDefaults;
using TenantAtlas.TokenIssuing;

namespace TenantAtlas.AppHost.Tests;

/// <summary>
/// The whole suite started from the AppHost's resource graph with Aspire.Hosting.Testing (DCP runs PostgreSQL,
/// Redis, the Graph emulator and every service as processes), on a data directory of its own, healthy before any
/// test runs. Starting one costs 10–20 s here, so tests share it (<see cref="SharedSuite"/>).
/// </summary>
public sealed class SuiteApp : IAsyncLifetime
{
    public const string SigningKey = "apphost-tests-signing-key-0123456789abcdef";
    private static readonly TimeSpan StartWithin = TimeSpan.FromMinutes(6);

    /// <summary>Every resource of the graph, in the order they become healthy.</summary>
    public static readonly string[] Resources = ["postgres", "runsdb", "inventorydb", "backupdb", "restoredb", "redis", "graph-emulator", "runs", "inventory", "backup", "restore", "gateway"];

    private readonly int replicas;
    private readonly IReadOnlyDictionary<string, IReadOnlyDictionary<string, string>> environment;

    public SuiteApp() : this(replicas: 1)
    {
    }

    /// <summary>
    /// A suite with <paramref name="replicas"/> instances of RunsService and InventoryService (the AppHost's --replicas),
    /// and extra environment variables by resource name (settings a test needs, e.g. a short maximum run duration).
    /// </summary>
    internal SuiteApp(int replicas, IReadOnlyDictionary<string, IReadOnlyDictionary<string, string>>? environment = null)
    {
        this.replicas = replicas;
        this.environment = environment ?? new Dictionary<string, IReadOnlyDictionary<string, string>>();
    }

    public DistributedApplication App { get; private set; } = null!;

    public string DataDirectory { get; } = AppDataDirectory.Create();

    public Uri GatewayUrl { get; private set; } = null!;

    public Uri GraphEmulatorUrl { get; private set; } = null!;

    public Uri RunsGrpcUrl { get; private set; } = null!;

    public string OwnerToken { get; } = DevTokens.Issue(TokenOptions.ForSigningKey(SigningKey), DemoData.Owner, "Olivia Owner");

    public string ReaderToken { get; } = DevTokens.Issue(TokenOptions.ForSigningKey(SigningKey), DemoData.Reader, "Rafael Reader");

    /// <summary>The demo workspace and tenant the AppHost seeds.</summary>
    public string WorkspaceId { get; private set; } = string.Empty;

    public string TenantId { get; private set; } = string.Empty;

    public async Task InitializeAsync()
    {
        using var timeout = new CancellationTokenSource(StartWithin);
        var builder = await DistributedApplicationTestingBuilder.CreateAsync<Projects.AppHost>(
            [$"--Suite:DataDirectory={DataDirectory}", $"--Suite:Replicas={replicas}", $"--Parameters:signing-key={SigningKey}"],
            timeout.Token);
        foreach (var (resourceName, variables) in environment)
        {
            var resource = builder.Resources.Single(r => r.Name == resourceName);
            resource.Annotations.Add(new EnvironmentCallbackAnnotation(context =>
            {
                foreach (var (name, value) in variables)
                {
                    context.EnvironmentVariables[name] = value;
                }
            }));
        }
        App = await builder.BuildAsync(timeout.Token);
        await App.StartAsync(timeout.Token);
        var starting = System.Diagnostics.Stopwatch.StartNew();
        var healthyAfter = new List<string>();
        foreach (var resource in Resources)
        {
            try
            {
                await App.ResourceNotifications.WaitForResourceHealthyAsync(resource, timeout.Token);
                healthyAfter.Add($"{resource} {starting.Elapsed.TotalSeconds:0} s");
            }
            catch (OperationCanceledException e) when (timeout.IsCancellationRequested)
            {
                // Aspire's message names the failed health check only; how long the others took and what the process
                // printed say why.
                throw new TimeoutException($"'{resource}' was not healthy within {StartWithin.TotalMinutes} minutes " +
                    $"(healthy after: {string.Join(", ", healthyAfter)}): {e.Message}\n" + await ResourceLogTailAsync(resource), e);
            }
        }
        GatewayUrl = App.GetEndpoint("gateway", "http");
        GraphEmulatorUrl = App.GetEndpoint("graph-emulator", "http");
        RunsGrpcUrl = App.GetEndpoint("runs", "grpc");

        using var owner = Gateway(OwnerToken);
        WorkspaceId = await Eventually.UntilAsync(
            async () => (await owner.GetFromJsonAsync<JsonElement>("/v1/workspaces")).GetProperty("workspaces").EnumerateArray()
                .Select(w => w.GetProperty("workspace").GetProperty("workspaceId").GetString()).FirstOrDefault(),
            id => id is not null, TimeSpan.FromSeconds(30), "the AppHost seeds the demo workspace") ?? string.Empty;
        var tenants = await owner.GetFromJsonAsync<JsonElement>($"/v1/workspaces/{WorkspaceId}/tenants");
        TenantId = tenants.GetProperty("tenants").EnumerateArray()
            .First(t => t.GetProperty("entraTenantId").GetString() == DemoData.EntraTenantId).GetProperty("tenantId").GetString()!;
    }

    /// <summary>The last lines a resource's processes printed (console and Aspire's own log of it), for a failure message.</summary>
    private async Task<string> ResourceLogTailAsync(string resourceName, int lines = 80)
    {
        var resource = App.Services.GetRequiredService<DistributedApplicationModel>().Resources.Single(r => r.Name == resourceName);
        var tail = new Queue<string>();
        using var within = new CancellationTokenSource(TimeSpan.FromSeconds(15));
        try
        {
            await foreach (var batch in App.Services.GetRequiredService<ResourceLoggerService>().GetAllAsync(resource).WithCancellation(within.Token))
            {
                foreach (var line in batch)
                {
                    tail.Enqueue(line.Content);
                    if (tail.Count > lines)
                    {
                        tail.Dequeue();
                    }
                }
            }
        }
        catch (OperationCanceledException)
        {
            tail.Enqueue("(reading the log took over 15 s; it is cut here)");
        }
        return $"last {tail.Count} log lines of '{resourceName}':\n" + string.Join('\n', tail);
    }

    public async Task DisposeAsync()
    {
        if (App is not null)
        {
            await App.DisposeAsync();
        }
        AppDataDirectory.Delete(DataDirectory);
    }

    /// <summary>An HTTP client of the gateway's REST surface, as a frontend is, optionally with a bearer token.</summary>
    public HttpClient Gateway(string? token)
    {
        var http = new HttpClient { BaseAddress = GatewayUrl, Timeout = TimeSpan.FromSeconds(30) };
        if (token is not null)
        {
            http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }
        return http;
    }

    /// <summary>Calls the Graph emulator's admin API (tenants, faults, request counts).</summary>
    public async Task<JsonElement> GraphEmulatorAsync(HttpMethod method, string path, object? body = null)
    {
        using var http = new HttpClient { BaseAddress = GraphEmulatorUrl };
        using var request = new HttpRequestMessage(method, path) { Content = body is null ? null : JsonContent.Create(body) };
        using var response = await http.SendAsync(request);
        response.EnsureSuccessStatusCode();
        var text = await response.Content.ReadAsStringAsync();
        return text.Length == 0 ? default : JsonDocument.Parse(text).RootElement.Clone();
    }

    /// <summary>
    /// An emulated tenant with <paramref name="deviceConfigurations"/> and <paramref name="compliancePolicies"/> items
    /// (each Graph request taking <paramref name="latencyMs"/>), registered in the demo workspace. A
    /// <paramref name="clientSecret"/> other than the suite's makes the tenant refuse the suite's app.
    /// </summary>
    public async Task<(string EntraTenantId, string TenantId)> AddTenantAsync(string displayName, int deviceConfigurations,
        int compliancePolicies = 0, int latencyMs = 0, string? clientSecret = null)
    {
        var entraTenantId = Guid.NewGuid().ToString();
        await GraphEmulatorAsync(HttpMethod.Put, $"/emulator/tenants/{entraTenantId}", new
        {
            clientId = DemoData.GraphClientId, clientSecret = clientSecret ?? DemoData.GraphClientSecret, deviceConfigurations, compliancePolicies,
        });
        if (latencyMs > 0)
        {
            await GraphEmulatorAsync(HttpMethod.Put, $"/emulator/tenants/{entraTenantId}/faults", new { latencyMs });
        }
        using var channel = RunsChannel(OwnerToken);
        var tenant = await new AccessService.AccessServiceClient(channel).RegisterTenantAsync(new RegisterTenantRequest
        {
            WorkspaceId = WorkspaceId, EntraTenantId = entraTenantId, DisplayName = displayName,
        });
        return (entraTenantId, tenant.Tenant.TenantId);
    }

    /// <summary>A gRPC channel to RunsService (through DCP's proxy) with a bearer token.</summary>
    public GrpcChannel RunsChannel(string token) => GrpcChannel.ForAddress(RunsGrpcUrl, new GrpcChannelOptions
    {
        HttpHandler = new BearerTokenHandler(token) { InnerHandler = new SocketsHttpHandler() },
    });

    /// <summary>Starts an inventory sync through the gateway and returns the run the answer carries.</summary>
    public static async Task<JsonElement> StartSyncAsync(HttpClient gateway, string tenantId, object? scope = null)
    {
        using var response = await gateway.PostAsJsonAsync($"/v1/tenants/{tenantId}/inventory:sync", scope ?? new { });
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"starting a sync failed: {(int)response.StatusCode} {body}");
        return JsonDocument.Parse(body).RootElement.GetProperty("run").Clone();
    }

    /// <summary>Waits for a run to complete (through the gateway) and returns it.</summary>
    public static Task<JsonElement> CompletedRunAsync(HttpClient gateway, string runId, TimeSpan within) =>
        Eventually.UntilAsync(
            async () => (await gateway.GetFromJsonAsync<JsonElement>($"/v1/runs/{runId}")).GetProperty("run"),
            run => run.GetProperty("status").GetString() == "RUN_STATUS_COMPLETED", within, $"run {runId} completes");
}

/// <summary>The test classes that share one started suite.</summary>
[CollectionDefinition(Name)]
public sealed class SharedSuite : ICollectionFixture<SuiteApp>
{
    public const string Name = "suite";
}

/// <summary>Throwaway data directories for AppHost runs (PostgreSQL's cluster, Redis' append-only file, the signing key).</summary>
public static class AppDataDirectory
{
    public static string Create()
    {
        var directory = Directory.CreateTempSubdirectory("tenantatlas-apphost-").FullName;
        // The postgres user must be able to reach its cluster below this directory.
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(directory, (UnixFileMode)0b111_101_101);
        }
        return directory;
    }

    public static void Delete(string directory)
    {
        try
        {
            Directory.Delete(directory, recursive: true);
        }
        catch (IOException)
        {
            // A process was still writing; the temp directory is left for the OS.
        }
    }
}
