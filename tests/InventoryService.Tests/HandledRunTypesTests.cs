using Microsoft.Extensions.DependencyInjection;
using TenantAtlas.Contracts;
using TenantAtlas.Workers;

namespace TenantAtlas.InventoryService.Tests;

/// <summary>
/// The run-type catalogue's <c>Available</c> flag against what the suite's services really register: a type EnsureRun
/// accepts must have a handler, or its runs are accepted and never done (issue 12); a type with a handler must be
/// startable, or the handler is dead.
/// </summary>
public sealed class HandledRunTypesTests(SuiteFixture suite) : IClassFixture<SuiteFixture>
{
    /// <summary>
    /// The worker hosts of the suite by service, as their Program wires them. A service built later (backup in issue
    /// 13, restore in issue 14) adds its host here when it marks its types available.
    /// </summary>
    private Dictionary<string, IServiceProvider> WorkerHosts => new(StringComparer.Ordinal)
    {
        ["inventory"] = suite.Inventory.Services,
    };

    [Fact]
    public void InventoryService_HandlesExactlyTheAvailableTypesItOwns()
    {
        var handled = suite.Inventory.Services.GetRequiredService<RunHandlerTypes>().All;

        Assert.Equal(RunTypes.AvailableOf("inventory").Select(t => t.Name), handled.Order(StringComparer.Ordinal));
        Assert.Contains(RunTypes.InventorySync, handled);
    }

    [Fact]
    public void EveryAvailableType_IsOwnedByAServiceOfTheSuite_WhoseHostHandlesIt()
    {
        var hosts = WorkerHosts;
        var handledBySuite = hosts.SelectMany(h => h.Value.GetRequiredService<RunHandlerTypes>().All).ToHashSet(StringComparer.Ordinal);

        Assert.All(RunTypes.All.Values.Where(t => t.Available), t =>
            Assert.True(hosts.ContainsKey(t.OwningService) && handledBySuite.Contains(t.Name),
                $"{t.Name} is marked available, but its owning service '{t.OwningService}' has no worker host in the suite that handles it."));
        Assert.All(hosts, h => Assert.Equal(RunTypes.AvailableOf(h.Key).Select(t => t.Name),
            h.Value.GetRequiredService<RunHandlerTypes>().All.Order(StringComparer.Ordinal)));
    }
}
