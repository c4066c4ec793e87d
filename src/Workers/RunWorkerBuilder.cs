using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using TenantAtlas.Contracts;

namespace TenantAtlas.Workers;

/// <summary>
/// The run types a worker host handles, as registered; the worker refuses to start without any, or without one of the
/// available types of its service.
/// </summary>
public sealed class RunHandlerTypes
{
    private readonly HashSet<string> types = new(StringComparer.Ordinal);

    public IReadOnlyCollection<string> All => types;

    internal bool Add(string runType) => types.Add(runType);

    /// <summary>Refuses a worker that lacks a handler of an available type of its service, or has none at all.</summary>
    internal void RequireComplete(string service)
    {
        // An available type without a handler would be accepted by EnsureRun and fail worker.no_handler.
        var missing = RunTypes.AvailableOf(service).Select(t => t.Name).Where(t => !types.Contains(t)).ToList();
        if (missing.Count > 0)
        {
            throw new InvalidOperationException(
                $"The {service} worker has no run handler for {string.Join(", ", missing)}, which the run-type catalogue marks " +
                $"available: add one with AddRunWorker(\"{service}\").AddHandler<THandler>(runType), or mark the type unavailable.");
        }
        if (types.Count == 0)
        {
            throw new InvalidOperationException(
                $"The {service} worker has no run handler: add one with AddRunWorker(\"{service}\").AddHandler<THandler>(runType).");
        }
    }
}

/// <summary>
/// What <c>AddRunWorker("inventory")</c> returns: <c>.AddHandler&lt;InventorySyncHandler&gt;(RunTypes.InventorySync)</c>
/// for each run type the service's workers do.
/// </summary>
public sealed class RunWorkerBuilder(IHostApplicationBuilder host, string service, RunHandlerTypes types)
{
    /// <summary>The host the worker belongs to, for registrations of the handlers' own dependencies.</summary>
    public IHostApplicationBuilder Host => host;

    /// <summary>
    /// Registers the handler of <paramref name="runType"/>, created in each job's own DI scope. The type must be in the
    /// run-type catalogue, available and owned by this service, and have one handler: anything else is a wiring mistake,
    /// refused now.
    /// </summary>
    public RunWorkerBuilder AddHandler<THandler>(string runType) where THandler : class, IRunHandler
    {
        var known = RunTypes.Find(runType)
            ?? throw new InvalidOperationException($"Run type '{runType}' is not in the run-type catalogue (TenantAtlas.Contracts.RunTypes).");
        if (known.OwningService != service)
        {
            throw new InvalidOperationException(
                $"Run type '{runType}' belongs to the {known.OwningService} service: its jobs go to {known.Stream}, which the {service} worker does not read.");
        }
        if (!known.Available)
        {
            // EnsureRun refuses unavailable types, so this handler would never run: the catalogue must say it can.
            throw new InvalidOperationException(
                $"Run type '{runType}' is marked unavailable in the run-type catalogue, so no run of it can be started: " +
                "mark it Available in TenantAtlas.Contracts.RunTypes together with registering its handler.");
        }
        if (!types.Add(runType))
        {
            throw new InvalidOperationException($"Run type '{runType}' already has a handler in the {service} worker.");
        }
        host.Services.AddKeyedScoped<IRunHandler, THandler>(runType);
        return this;
    }
}
