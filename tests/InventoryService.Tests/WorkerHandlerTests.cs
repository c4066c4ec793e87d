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

/// <summary>What the worker host promises a handler: a DI scope of its own per job, and a maximum run duration.</summary>
public sealed class WorkerHandlerTests(WorkerHandlerFixture suite) : IClassFixture<WorkerHandlerFixture>
{
    private static readonly TimeSpan MaxDuration = TimeSpan.FromSeconds(2);

    [Fact]
    public async Task HandlerThatNeverReturns_RunCompletesFailedWorkerTimeout_WithinItsMaximumDuration()
    {
        var (_, tenantId, _, _) = await suite.CreateTenantAsync("timeout-owner", deviceConfigurations: 1, compliancePolicies: 0);
        var host = suite.StartInventoryHost(
            settings: new Dictionary<string, string> { ["Worker:MaxRunDurations:inventory.sync"] = MaxDuration.ToString() },
            services: services => UseHandler<NeverReturnsHandler>(services));
        try
        {
            var started = await suite.InventoryApi(UserToken("timeout-owner"), host).StartInventorySyncAsync(new StartInventorySyncRequest { TenantId = tenantId });
            var run = await suite.WaitForCompletionAsync(started.Run.RunId, TimeSpan.FromSeconds(20));

            Assert.Equal(RunOutcome.Failed, run.Outcome);
            Assert.Equal(RunJobProcessor.TimeoutCode, Assert.Single(run.Failures).Code);
            var took = run.CompletedAt.ToDateTime() - run.StartedAt.ToDateTime();
            Assert.InRange(took, MaxDuration - TimeSpan.FromMilliseconds(100), MaxDuration + TimeSpan.FromSeconds(3));
            await suite.AssertNoActiveRunsAsync();
        }
        finally
        {
            await suite.StopInventoryHostAsync(host);
        }
    }

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

    /// <summary>Hangs and ignores its cancellation: the worker must not wait for it.</summary>
    private sealed class NeverReturnsHandler : IRunHandler
    {
        public Task HandleAsync(RunWorkContext run, CancellationToken cancellationToken) => Task.Delay(Timeout.Infinite, CancellationToken.None);
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
