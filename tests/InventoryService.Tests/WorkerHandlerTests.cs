extern alias inventory;

using System.Collections.Concurrent;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using TenantAtlas.Inventory.V1;
using TenantAtlas.Runs.V1;
using TenantAtlas.Workers;
using InventoryDbContext = inventory::TenantAtlas.InventoryService.Persistence.InventoryDbContext;
using static TenantAtlas.Testing.Suite.DomainSuiteFixture;

namespace TenantAtlas.InventoryService.Tests;

/// <summary>
/// A handler of a real service using its scoped DbContext: one context per job. The worker host's other promises
/// (maximum run duration, recovery, every job branch) are tested in tests/Workers.Tests.
/// </summary>
public sealed class WorkerHandlerTests(HostPerTestFixture suite) : IClassFixture<HostPerTestFixture>
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

    [Fact]
    public async Task PostgresShuttingDownUnderAPooledConnection_IsTriedAgain_NotATerminalFailure()
    {
        // 57P01 admin_shutdown is what a pooled connection meets first after PostgreSQL restarts (issue 12: 3 of 7
        // syncs after a restart ended failed / worker.handler_failed).
        var (_, tenantId, _, _) = await suite.CreateTenantAsync("restart-owner", deviceConfigurations: 1, compliancePolicies: 0);
        var host = suite.StartInventoryHost(settings: new Dictionary<string, string> { ["Worker:TransientRetryDelay"] = "00:00:00.100" },
            services: services => UseHandler<ShutdownOnceHandler>(services));
        try
        {
            var started = await suite.InventoryApi(UserToken("restart-owner"), host).StartInventorySyncAsync(new StartInventorySyncRequest { TenantId = tenantId });
            var run = await suite.WaitForCompletionAsync(started.Run.RunId);

            Assert.Equal(RunOutcome.Succeeded, run.Outcome);
            Assert.Empty(run.Failures);
            Assert.Equal(2, ShutdownOnceHandler.Tries);
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

    /// <summary>Meets a PostgreSQL that is shutting down on its first try, then succeeds.</summary>
    private sealed class ShutdownOnceHandler : IRunHandler
    {
        private static int tries;

        public static int Tries => tries;

        public Task HandleAsync(RunWorkContext run, CancellationToken cancellationToken)
        {
            run.AddTotal(1);
            if (Interlocked.Increment(ref tries) == 1)
            {
                throw new InvalidOperationException("An exception has been raised that is likely due to a transient failure.",
                    new Npgsql.PostgresException("terminating connection due to administrator command", "FATAL", "FATAL", "57P01"));
            }
            run.Succeeded();
            return Task.CompletedTask;
        }
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
