using System.Net;

namespace TenantAtlas.AppHost.Hosting;

/// <summary>
/// A .NET service of the suite, run as its own process from its build output (<c>dotnet Service.dll</c>) with
/// Aspire's environment conventions: <c>ConnectionStrings__{name}</c> for what it references,
/// <c>services__{name}__{endpoint}__0</c> for the services it calls, <c>OTEL_*</c> for telemetry.
/// </summary>
public sealed class ProjectResource(string name, string project, ConsoleColor color) : Resource(name)
{
    private readonly Dictionary<string, Func<string>> environment = [];
    private readonly Dictionary<string, (int Port, string Protocols)> endpoints = [];
    private ManagedProcess? process;

    /// <summary>The project folder under src/ (its assembly is src/{project}/bin/{configuration}/net10.0/{project}.dll).</summary>
    public string Project { get; } = project;

    public IReadOnlyDictionary<string, (int Port, string Protocols)> Endpoints => endpoints;

    public override string DisplayUrl => string.Join("  ", endpoints.Select(e => $"{e.Key}=http://127.0.0.1:{e.Value.Port}"));

    public override int? ProcessId => process?.Id;

    /// <summary>Base URL of an endpoint, e.g. <c>http://127.0.0.1:5101</c>.</summary>
    public string Url(string endpoint) => $"http://127.0.0.1:{endpoints[endpoint].Port}";

    /// <summary>A gRPC endpoint (HTTP/2 only: cleartext HTTP/2 cannot be negotiated on a shared endpoint).</summary>
    public ProjectResource WithGrpcEndpoint(int? port = null) => WithEndpoint("grpc", port ?? Ports.Free(), "Http2");

    /// <summary>An HTTP/1.1 endpoint for health, REST (JSON transcoding) and pages.</summary>
    public ProjectResource WithHttpEndpoint(int? port = null) => WithEndpoint("http", port ?? Ports.Free(), "Http1");

    public ProjectResource WithEnvironment(string key, string value) => WithEnvironment(key, () => value);

    public ProjectResource WithEnvironment(string key, Func<string> value)
    {
        environment[key] = value;
        return this;
    }

    public ProjectResource WithReference(PostgresDatabaseResource database)
    {
        AddWaitFor(database);
        return WithEnvironment($"ConnectionStrings__{database.Name}", () => database.ConnectionString);
    }

    public ProjectResource WithReference(RedisResource redis)
    {
        AddWaitFor(redis);
        return WithEnvironment($"ConnectionStrings__{redis.Name}", () => redis.ConnectionString);
    }

    /// <summary>Service discovery entries for every endpoint of the referenced service (Aspire's form).</summary>
    public ProjectResource WithReference(ProjectResource service)
    {
        AddWaitFor(service);
        foreach (var endpoint in service.endpoints.Keys)
        {
            WithEnvironment($"services__{service.Name}__{endpoint}__0", () => service.Url(endpoint));
        }
        return this;
    }

    public override Task StartAsync(SuiteContext context, CancellationToken ct)
    {
        State = ResourceState.Starting;
        var assembly = Path.Combine(context.RepositoryRoot, "src", Project, "bin", context.Configuration, "net10.0", Project + ".dll");
        if (!File.Exists(assembly))
        {
            throw new FileNotFoundException($"{Name}: {assembly} is missing; the AppHost builds it (dotnet run --project src/AppHost).");
        }
        var variables = new Dictionary<string, string>
        {
            ["DOTNET_ENVIRONMENT"] = "Development",
            ["ASPNETCORE_ENVIRONMENT"] = "Development",
            ["OTEL_SERVICE_NAME"] = Name,
            // Console colors and the logger's own prefix make prefixed lines unreadable.
            ["Logging__Console__FormatterName"] = "simple",
            ["Logging__Console__FormatterOptions__SingleLine"] = "true",
        };
        foreach (var (endpoint, (port, protocols)) in endpoints)
        {
            variables[$"Kestrel__Endpoints__{endpoint}__Url"] = $"http://127.0.0.1:{port}";
            variables[$"Kestrel__Endpoints__{endpoint}__Protocols"] = protocols;
        }
        if (endpoints.TryGetValue("http", out var http))
        {
            variables["ASPNETCORE_URLS"] = $"http://127.0.0.1:{http.Port}";
        }
        foreach (var (key, value) in environment)
        {
            variables[key] = value();
        }
        process = ManagedProcess.Start(Name, color, "dotnet", [assembly], variables, Path.GetDirectoryName(assembly)!, context.EchoLogs);
        return Task.CompletedTask;
    }

    public override async Task<bool> IsHealthyAsync(CancellationToken ct)
    {
        if (process is null || process.HasExited || !endpoints.TryGetValue("http", out var http))
        {
            return false;
        }
        try
        {
            using var client = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
            using var response = await client.GetAsync($"http://127.0.0.1:{http.Port}/health", ct);
            if (response.StatusCode == HttpStatusCode.OK)
            {
                State = ResourceState.Running;
                return true;
            }
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
        {
            // Not listening yet.
        }
        return false;
    }

    public override async Task StopAsync()
    {
        if (process is not null)
        {
            await process.StopAsync(TimeSpan.FromSeconds(15));
            State = ResourceState.Stopped;
        }
    }

    public override string Diagnostics() =>
        process is null ? "not started" : $"{(process.HasExited ? $"exited with code {process.ExitCode}" : "running but not healthy")}; last lines:\n{process.Tail()}";

    private ProjectResource WithEndpoint(string endpoint, int port, string protocols)
    {
        endpoints[endpoint] = (port, protocols);
        return this;
    }
}
