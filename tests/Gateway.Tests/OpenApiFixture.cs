extern alias backup;
extern alias gateway;
extern alias inventory;
extern alias restore;
extern alias runs;

using Microsoft.AspNetCore.Mvc.Testing;
using TenantAtlas.Testing;
using BackupProgram = backup::Program;
using GatewayProgram = gateway::Program;
using InventoryProgram = inventory::Program;
using RestoreProgram = restore::Program;
using RunsProgram = runs::Program;

namespace TenantAtlas.Gateway.Tests;

/// <summary>
/// Every service answering behind the gateway (RunsService, InventoryService, BackupService and RestoreService on real ports, real
/// PostgreSQL and Redis), so the gateway's OpenAPI document is the merge of real documents. No capture runs here, so
/// the domain services' Graph settings name an address nothing listens on.
/// </summary>
public sealed class OpenApiFixture : IAsyncLifetime
{
    private RedisServer? redis;
    private KestrelHost<RunsProgram>? runsHost;
    private KestrelHost<InventoryProgram>? inventoryHost;
    private KestrelHost<BackupProgram>? backupHost;
    private KestrelHost<RestoreProgram>? restoreHost;
    private WebApplicationFactory<GatewayProgram>? gatewayHost;

    public async Task InitializeAsync()
    {
        var postgres = await PostgresServer.SharedAsync();
        var runsDb = await postgres.CreateDatabaseAsync("openapi_runs");
        var inventoryDb = await postgres.CreateDatabaseAsync("openapi_inventory");
        var backupDb = await postgres.CreateDatabaseAsync("openapi_backup");
        var restoreDb = await postgres.CreateDatabaseAsync("openapi_restore");
        redis = await RedisServer.StartAsync();
        runsHost = KestrelHost.Start<RunsProgram>(new Dictionary<string, string>
        {
            ["ConnectionStrings:runsdb"] = runsDb,
            ["ConnectionStrings:redis"] = redis.ConnectionString,
            ["Auth:SigningKey"] = GatewayFixture.SigningKey,
        });
        var unusedGraph = $"http://127.0.0.1:{ServiceProcess.FreePort()}";
        inventoryHost = KestrelHost.Start<InventoryProgram>(new Dictionary<string, string>
        {
            ["ConnectionStrings:inventorydb"] = inventoryDb,
            ["ConnectionStrings:redis"] = redis.ConnectionString,
            ["Auth:SigningKey"] = GatewayFixture.SigningKey,
            ["services:runs:grpc:0"] = runsHost.GrpcUrl,
            ["Graph:BaseUrl"] = unusedGraph + "/v1.0",
            ["Graph:AuthorityHost"] = unusedGraph,
            ["Graph:ClientId"] = "unused",
            ["Graph:ClientSecret"] = "unused",
        });
        backupHost = KestrelHost.Start<BackupProgram>(new Dictionary<string, string>
        {
            ["ConnectionStrings:backupdb"] = backupDb,
            ["ConnectionStrings:redis"] = redis.ConnectionString,
            ["Auth:SigningKey"] = GatewayFixture.SigningKey,
            ["services:runs:grpc:0"] = runsHost.GrpcUrl,
            ["Graph:BaseUrl"] = unusedGraph + "/v1.0",
            ["Graph:AuthorityHost"] = unusedGraph,
            ["Graph:ClientId"] = "unused",
            ["Graph:ClientSecret"] = "unused",
            ["Backup:Scheduler:Enabled"] = "false",
        });
        restoreHost = KestrelHost.Start<RestoreProgram>(new Dictionary<string, string>
        {
            ["ConnectionStrings:restoredb"] = restoreDb,
            ["ConnectionStrings:redis"] = redis.ConnectionString,
            ["Auth:SigningKey"] = GatewayFixture.SigningKey,
            ["services:runs:grpc:0"] = runsHost.GrpcUrl,
            ["services:backup:grpc:0"] = backupHost.GrpcUrl,
            ["services:inventory:grpc:0"] = inventoryHost.GrpcUrl,
            ["Graph:BaseUrl"] = unusedGraph + "/v1.0",
            ["Graph:AuthorityHost"] = unusedGraph,
            ["Graph:ClientId"] = "unused",
            ["Graph:ClientSecret"] = "unused",
        });
        gatewayHost = new WebApplicationFactory<GatewayProgram>().WithWebHostBuilder(web =>
        {
            web.UseSetting("Auth:SigningKey", GatewayFixture.SigningKey);
            web.UseSetting("services:runs:http:0", runsHost.HttpUrl);
            web.UseSetting("services:inventory:http:0", inventoryHost.HttpUrl);
            web.UseSetting("services:backup:http:0", backupHost.HttpUrl);
            web.UseSetting("services:restore:http:0", restoreHost.HttpUrl);
        });
        _ = gatewayHost.Server;
    }

    public async Task DisposeAsync()
    {
        if (gatewayHost is not null)
        {
            await gatewayHost.DisposeAsync();
        }
        if (restoreHost is not null)
        {
            await restoreHost.DisposeAsync();
        }
        if (backupHost is not null)
        {
            await backupHost.DisposeAsync();
        }
        if (inventoryHost is not null)
        {
            await inventoryHost.DisposeAsync();
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

    /// <summary>An anonymous HTTP client of the gateway, as a browser opening the API reference would be.</summary>
    public HttpClient Gateway() => gatewayHost!.CreateClient();
}
