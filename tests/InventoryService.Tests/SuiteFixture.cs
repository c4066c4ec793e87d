extern alias inventory;

using Grpc.Net.Client;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using TenantAtlas.Testing.Suite;
using InventoryClient = TenantAtlas.Inventory.V1.InventoryService.InventoryServiceClient;
using InventoryProgram = inventory::Program;

namespace TenantAtlas.InventoryService.Tests;

/// <summary>
/// The suite in one process on real PostgreSQL and Redis: RunsService, the Graph emulator, and one or more
/// InventoryService hosts (each with a worker in the "inventory" consumer group). One per test class.
/// </summary>
public class SuiteFixture : DomainSuiteFixture
{
    private string inventoryDb = string.Empty;

    /// <summary>The first InventoryService host (its worker handles runs unless a test starts more).</summary>
    public WebApplicationFactory<InventoryProgram> Inventory { get; private set; } = null!;

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        inventoryDb = await (await PostgresServer.SharedAsync()).CreateDatabaseAsync("suite_inventory");
        if (StartsInventoryHost)
        {
            Inventory = StartInventoryHost(recordSpans: true);
        }
    }

    /// <summary>False for tests that start and stop every InventoryService host themselves.</summary>
    protected virtual bool StartsInventoryHost => true;

    /// <summary>Another InventoryService process (another consumer in the group). Stop it with <see cref="StopInventoryHostAsync"/>.</summary>
    public WebApplicationFactory<InventoryProgram> StartInventoryHost(bool recordSpans = false,
        IReadOnlyDictionary<string, string>? settings = null, Action<IServiceCollection>? services = null) =>
        StartServiceHost<InventoryProgram>("inventorydb", inventoryDb, recordSpans, settings, services);

    public Task StopInventoryHostAsync(WebApplicationFactory<InventoryProgram> host) => StopServiceHostAsync(host);

    public InventoryClient InventoryApi(string token, WebApplicationFactory<InventoryProgram>? host = null) =>
        new(InventoryChannel(token, host));

    public GrpcChannel InventoryChannel(string token, WebApplicationFactory<InventoryProgram>? host = null) => Channel((host ?? Inventory).Server, token);
}

/// <summary>No standing InventoryService host: each test starts the host (with its own settings or handlers) that takes its runs.</summary>
public sealed class HostPerTestFixture : SuiteFixture
{
    protected override bool StartsInventoryHost => false;
}
