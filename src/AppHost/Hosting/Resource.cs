namespace TenantAtlas.AppHost.Hosting;

/// <summary>Where a resource is in its life.</summary>
public enum ResourceState
{
    NotStarted,
    Starting,
    Running,
    Failed,
    Stopped,
}

/// <summary>
/// One node of the suite's resource graph (the Aspire model): something to start, to wait for, and to stop,
/// that other resources may reference.
/// </summary>
public abstract class Resource(string name)
{
    private readonly List<Resource> waitsFor = [];

    public string Name { get; } = name;

    public ResourceState State { get; protected set; } = ResourceState.NotStarted;

    /// <summary>Resources that must be healthy before this one starts.</summary>
    public IReadOnlyList<Resource> WaitsFor => waitsFor;

    /// <summary>The URL a person would open or call, for the resource table.</summary>
    public abstract string DisplayUrl { get; }

    /// <summary>The OS process, when the resource is one.</summary>
    public virtual int? ProcessId => null;

    public void AddWaitFor(Resource resource)
    {
        if (!waitsFor.Contains(resource))
        {
            waitsFor.Add(resource);
        }
    }

    public abstract Task StartAsync(SuiteContext context, CancellationToken ct);

    public abstract Task<bool> IsHealthyAsync(CancellationToken ct);

    public abstract Task StopAsync();

    /// <summary>What went wrong, for the "did not come up" report: usually the last log lines.</summary>
    public abstract string Diagnostics();

    public void MarkFailed() => State = ResourceState.Failed;
}

/// <summary>What resources need from the running suite: where data and binaries live, how verbose to be.</summary>
public sealed record SuiteContext(string RepositoryRoot, string DataDirectory, string Configuration, bool EchoLogs, bool RunningAsRoot);
