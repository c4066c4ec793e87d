extern alias backup;
extern alias inventory;
extern alias restore;

using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using TenantAtlas.Contracts;
using TenantAtlas.Workers;
using BackupWorker = backup::TenantAtlas.BackupService.Extensions.BackupWorkerExtensions;
using InventoryWorker = inventory::TenantAtlas.InventoryService.Extensions.InventoryWorkerExtensions;
using RestoreWorker = restore::TenantAtlas.RestoreService.Extensions.RestoreWorkerExtensions;

namespace TenantAtlas.BackupService.Tests;

/// <summary>
/// The run-type catalogue's <c>Available</c> flag against what the suite's services really register: a type EnsureRun
/// accepts must have a handler, or its runs are accepted and never done (issue 12); a type with a handler must be
/// startable, or the handler is dead. Each service's worker is wired exactly as its Program wires it (not started).
/// </summary>
public sealed class HandledRunTypesTests
{
    /// <summary>The worker registrations of the suite by service.</summary>
    private static readonly Dictionary<string, Action<WebApplicationBuilder>> Workers = new(StringComparer.Ordinal)
    {
        ["inventory"] = builder => InventoryWorker.AddInventoryWorker(builder),
        ["backup"] = builder => BackupWorker.AddBackupWorker(builder),
        ["restore"] = builder => RestoreWorker.AddRestoreWorker(builder),
    };

    [Theory]
    [InlineData("inventory", RunTypes.InventorySync)]
    [InlineData("backup", RunTypes.BackupSetAddPolicies)]
    [InlineData("restore", RunTypes.RestoreExecute)]
    public void EachService_HandlesExactlyTheAvailableTypesItOwns(string service, string example)
    {
        var handled = HandledBy(service);

        Assert.Equal(RunTypes.AvailableOf(service).Select(t => t.Name), handled.Order(StringComparer.Ordinal));
        Assert.Contains(example, handled);
    }

    [Fact]
    public void EveryAvailableType_IsOwnedByAServiceOfTheSuite_WhoseWorkerHandlesIt()
    {
        var handledBySuite = Workers.Keys.SelectMany(HandledBy).ToHashSet(StringComparer.Ordinal);

        Assert.All(RunTypes.All.Values.Where(t => t.Available), t =>
            Assert.True(Workers.ContainsKey(t.OwningService) && handledBySuite.Contains(t.Name),
                $"{t.Name} is marked available, but its owning service '{t.OwningService}' has no worker in the suite that handles it."));
    }

    private static IReadOnlyCollection<string> HandledBy(string service)
    {
        var builder = WebApplication.CreateBuilder();
        // Registration only: nothing is started, so nothing connects.
        builder.Configuration["ConnectionStrings:redis"] = "127.0.0.1:1";
        Workers[service](builder);
        using var app = builder.Build();
        return app.Services.GetRequiredService<RunHandlerTypes>().All;
    }
}
