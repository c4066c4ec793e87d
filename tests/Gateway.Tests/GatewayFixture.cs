extern alias gateway;
extern alias runs;

using Grpc.Net.Client;
using TenantAtlas.Access.V1;
using TenantAtlas.Runs.V1;
using TenantAtlas.ServiceDefaults;
using TenantAtlas.Testing;
using GatewayProgram = gateway::Program;
using RunsProgram = runs::Program;
using TenantAtlas.TokenIssuing;

namespace TenantAtlas.Gateway.Tests;

/// <summary>
/// RunsService on a real port (real PostgreSQL and Redis) behind the gateway, itself on a real port (so Kestrel's limits
/// apply as in production); InventoryService's and BackupService's addresses point at ports nothing listens on, so "upstream down" is real.
/// </summary>
public class GatewayFixture : IAsyncLifetime
{
    public const string SigningKey = "tests-only-signing-key-0123456789abcdef";
    public const int RequestsPerMinute = 40;

    private RedisServer? redis;
    private KestrelHost<RunsProgram>? runsHost;
    private KestrelHost<GatewayProgram>? gatewayHost;

    /// <summary>The per-user rate limit the gateway is started with.</summary>
    protected virtual int PerUserRateLimit => RequestsPerMinute;

    public async Task InitializeAsync()
    {
        var postgres = await PostgresServer.SharedAsync();
        var database = await postgres.CreateDatabaseAsync("gateway_runs");
        redis = await RedisServer.StartAsync();
        runsHost = KestrelHost.Start<RunsProgram>(new Dictionary<string, string>
        {
            ["ConnectionStrings:runsdb"] = database,
            ["ConnectionStrings:redis"] = redis.ConnectionString,
            ["Auth:SigningKey"] = SigningKey,
            ["Auth:PlatformAdmins:0"] = "platform-admin",
        });
        gatewayHost = KestrelHost.Start<GatewayProgram>(new Dictionary<string, string>
        {
            ["Auth:SigningKey"] = SigningKey,
            ["services:runs:http:0"] = runsHost.HttpUrl,
            ["services:inventory:http:0"] = $"http://127.0.0.1:{ServiceProcess.FreePort()}",
            ["services:backup:http:0"] = $"http://127.0.0.1:{ServiceProcess.FreePort()}",
            ["services:restore:http:0"] = $"http://127.0.0.1:{ServiceProcess.FreePort()}",
            ["Gateway:RequestsPerUserPerMinute"] = PerUserRateLimit.ToString(System.Globalization.CultureInfo.InvariantCulture),
        });
    }

    public async Task DisposeAsync()
    {
        if (gatewayHost is not null)
        {
            await gatewayHost.DisposeAsync();
        }
        if (runsHost is not null)
        {
            await runsHost.DisposeAsync();
        }
        if (redis is not null)
        {
            await redis.DisposeAsync();
        }
    }

    public static string Token(string subject) =>
        DevTokens.Issue(new TokenOptions(SigningKey, null, TokenOptions.DefaultIssuer, TokenOptions.DefaultAudience), subject, subject);

    /// <summary>An HTTP client of the gateway, as a browser's fetch would be.</summary>
    public HttpClient Gateway(string? token)
    {
        var client = new HttpClient { BaseAddress = new Uri(gatewayHost!.HttpUrl) };
        if (token is not null)
        {
            client.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", token);
        }
        return client;
    }

    /// <summary>RunsService as a worker calls it (a service token), to move runs along behind the gateway's back.</summary>
    public async Task UpdateRunAsync(string runId, RunStatus status)
    {
        using var channel = Channel(DevTokens.Issue(new TokenOptions(SigningKey, null, TokenOptions.DefaultIssuer, TokenOptions.DefaultAudience),
            "svc:inventory", "svc:inventory", service: true));
        await new RunsService.RunsServiceClient(channel).UpdateRunAsync(new UpdateRunRequest { RunId = runId, Status = status });
    }

    private GrpcChannel Channel(string token) => GrpcChannel.ForAddress(runsHost!.GrpcUrl, new GrpcChannelOptions
    {
        HttpHandler = new BearerTokenHandler(token) { InnerHandler = new SocketsHttpHandler() },
    });

    /// <summary>A workspace of <paramref name="owner"/> with a Readonly member and one inventory.sync run (set up over gRPC).</summary>
    public async Task<(string WorkspaceId, string RunId)> ScenarioAsync(string owner, string reader)
    {
        using var channel = Channel(Token(owner));
        using var adminChannel = Channel(Token("platform-admin"));
        var workspace = (await new AccessService.AccessServiceClient(adminChannel).CreateWorkspaceAsync(new CreateWorkspaceRequest
        {
            Name = "Gateway", OwnerSubject = owner, OwnerDisplayName = owner,
        })).Workspace;
        var access = new AccessService.AccessServiceClient(channel);
        var tenant = (await access.RegisterTenantAsync(new RegisterTenantRequest
        {
            WorkspaceId = workspace.WorkspaceId, EntraTenantId = Guid.NewGuid().ToString(), DisplayName = "T",
        })).Tenant;
        await access.SetMemberAsync(new SetMemberRequest { WorkspaceId = workspace.WorkspaceId, Subject = reader, DisplayName = reader, Role = Role.Readonly });
        var run = (await new TenantAtlas.Runs.V1.RunsService.RunsServiceClient(channel).EnsureRunAsync(new EnsureRunRequest
        {
            WorkspaceId = workspace.WorkspaceId, TenantId = tenant.TenantId, Type = "inventory.sync",
        })).Run;
        return (workspace.WorkspaceId, run.RunId);
    }
}
