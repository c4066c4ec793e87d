extern alias inventory;

using System.Collections.Concurrent;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using TenantAtlas.Inventory.V1;
using TenantAtlas.Runs.V1;
using TenantAtlas.Workers;
using InventoryDbContext = inventory::TenantAtlas.InventoryService.Persistence.InventoryDbContext;
using static TenantAtlas.InventoryService.Tests.SuiteFixture;

namespace TenantAtlas.InventoryService.Tests;

public sealed class WorkerHandlerFixture : SuiteFixture
{
    protected override bool StartsInventoryHost => false;
}

/// <summary>
/// A handler of a real service using its scoped DbContext: one context per job. The worker host's other promises
/// (maximum run duration, recovery, every job branch) are tested in tests/Workers.Tests.
/// </summary>
public sealed class WorkerHandlerTests(WorkerHandlerFixture suite) : IClassFixture<WorkerHandlerFixture>
{
    [Fact]
    public async Task HandlerUsingAScopedDbContext_Works_WithAContextOfItsOwnPerJob()
    {
        var (_, tenantId, _, _) = await suite.CreateTenantAsync("scope-owner", deviceConfigurations: 1, compliancePolicies: 0);
        var host = suite.StartInventoryHost(services: services => UseHandler<DbContextHandler>(services));
        try
        {
            var api = suite.InventoryApi(UserToken("scope-owner"), host);
            var first = await api.StartInventorySyncAsync(new StartInventorySyncRequest { TenantId = tenantId, Families = { PolicyFamily.DeviceConfigurations } });
            var second = await api.StartInventorySyncAsync(new StartInventorySyncRequest { TenantId = tenantId, Families = { PolicyFamily.CompliancePolicies } });
            var runs = new[] { await suite.WaitForCompletionAsync(first.Run.RunId), await suite.WaitForCompletionAsync(second.Run.RunId) };

            Assert.All(runs, run => Assert.Equal(RunOutcome.Succeeded, run.Outcome));
            Assert.All(runs, run => Assert.Equal(1, run.Counts.Succeeded));
            Assert.Equal(2, DbContextHandler.ContextsUsed.Distinct().Count());
        }
        finally
        {
            await suite.StopInventoryHostAsync(host);
        }
    }

    private static void UseHandler<THandler>(IServiceCollection services) where THandler : class, IRunHandler
    {
        services.RemoveAllKeyed<IRunHandler>(Contracts.RunTypes.InventorySync);
        services.AddKeyedScoped<IRunHandler, THandler>(Contracts.RunTypes.InventorySync);
    }

    /// <summary>Reads the service's own database through the scoped (pooled) DbContext.</summary>
    private sealed class DbContextHandler(InventoryDbContext db) : IRunHandler
    {
        public static ConcurrentBag<DbContextId> ContextsUsed { get; } = [];

        public async Task HandleAsync(RunWorkContext run, CancellationToken cancellationToken)
        {
            ContextsUsed.Add(db.ContextId);
            run.AddTotal(1);
            await db.Database.ExecuteSqlRawAsync("SELECT 1", cancellationToken);
            run.Succeeded();
        }
    }
}
