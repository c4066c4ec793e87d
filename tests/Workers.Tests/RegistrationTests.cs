using Microsoft.Extensions.Hosting;
using TenantAtlas.Contracts;

namespace TenantAtlas.Workers.Tests;

/// <summary>Wiring mistakes are refused when the service starts, with a message that says what to fix.</summary>
public sealed class RegistrationTests : WorkerHarnessTests
{
    [Fact]
    public void TwoHandlersForOneType_AreRefused()
    {
        var e = Assert.Throws<InvalidOperationException>(() => Harness.BuildWorker(handlers: w => w
            .AddHandler<ScriptedHandler>(RunTypes.InventorySync)
            .AddHandler<ScriptedHandler>(RunTypes.InventorySync)));

        Assert.Contains("already has a handler", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void TypesOutsideTheCatalogue_OrOfAnotherService_AreRefused()
    {
        var unknown = Assert.Throws<InvalidOperationException>(() => Harness.BuildWorker(handlers: w => w.AddHandler<ScriptedHandler>("inventory.nothing")));
        var foreign = Assert.Throws<InvalidOperationException>(() => Harness.BuildWorker(handlers: w => w.AddHandler<ScriptedHandler>(RunTypes.RestoreExecute)));

        Assert.Contains("not in the run-type catalogue", unknown.Message, StringComparison.Ordinal);
        Assert.Contains("ops:restore", foreign.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ATypeNoServiceHandlesYet_IsRefused_UntilTheCatalogueMarksItAvailable()
    {
        var e = Assert.Throws<InvalidOperationException>(() => Harness.BuildWorker(handlers: w => w
            .AddHandler<ScriptedHandler>(RunTypes.InventorySync)
            .AddHandler<ScriptedHandler>(RunTypes.OperationsReportGenerate)));

        Assert.Contains($"'{RunTypes.OperationsReportGenerate}' is marked unavailable", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AWorkerMissingAHandlerOfAnAvailableTypeOfItsService_DoesNotStart_NamingTheType()
    {
        using var host = Harness.BuildWorker(handlers: w => w.AddHandler<ScriptedHandler>(RunTypes.InventorySync));

        var e = await Assert.ThrowsAsync<InvalidOperationException>(() => host.StartAsync());

        Assert.Contains($"no run handler for {RunTypes.DirectoryGroupsSync}, which the run-type catalogue marks available", e.Message, StringComparison.Ordinal);
        Assert.Equal([RunTypes.DirectoryGroupsSync, RunTypes.InventorySync], RunTypes.AvailableOf(WorkerHarness.Service).Select(t => t.Name));
    }

    [Fact]
    public async Task AWorkerWithoutHandlers_DoesNotStart()
    {
        // "audit" owns no type: nothing is missing, but a worker that handles nothing is still a mistake.
        using var host = Harness.BuildWorker(handlers: _ => { }, service: "audit");

        var e = await Assert.ThrowsAsync<InvalidOperationException>(() => host.StartAsync());

        Assert.Contains("The audit worker has no run handler:", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SettingsThatCannotWork_AreRefusedAtStart_NamingTheSetting()
    {
        using var host = Harness.BuildWorker(new Dictionary<string, string?> { ["Worker:MaxPollInterval"] = "00:00:00" });

        var e = await Assert.ThrowsAnyAsync<Exception>(() => host.StartAsync());

        Assert.Contains("Worker:MaxPollInterval", e.Message, StringComparison.Ordinal);
    }
}
