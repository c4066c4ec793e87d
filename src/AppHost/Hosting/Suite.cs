using System.Runtime.InteropServices;

namespace TenantAtlas.AppHost.Hosting;

/// <summary>
/// The suite's resource graph and its runner: starts each resource once everything it waits for is healthy, says
/// which one failed and why if one does not come up, prints the resource table, and on Ctrl-C or SIGTERM stops
/// everything it started, in reverse order.
/// </summary>
public sealed class Suite(SuiteContext context)
{
    private static readonly TimeSpan HealthTimeout = TimeSpan.FromSeconds(120);
    private readonly List<Resource> resources = [];
    private readonly List<Resource> started = [];
    private readonly List<Func<CancellationToken, Task>> onReady = [];

    public SuiteContext Context { get; } = context;

    public IReadOnlyList<Resource> Resources => resources;

    public T Add<T>(T resource) where T : Resource
    {
        resources.Add(resource);
        return resource;
    }

    /// <summary>Work to do once every resource is healthy (e.g. seeding demo data), before the table is printed.</summary>
    public void OnReady(Func<CancellationToken, Task> action) => onReady.Add(action);

    /// <summary>Runs until Ctrl-C / SIGTERM; returns the process exit code.</summary>
    public async Task<int> RunAsync(Action<Suite> printReady)
    {
        using var stopping = new CancellationTokenSource();
        Console.CancelKeyPress += (_, e) =>
        {
            e.Cancel = true;
            stopping.Cancel();
        };
        using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, signal =>
        {
            signal.Cancel = true;
            stopping.Cancel();
        });
        using var sighup = PosixSignalRegistration.Create(PosixSignal.SIGHUP, signal =>
        {
            signal.Cancel = true;
            stopping.Cancel();
        });

        var exitCode = 0;
        try
        {
            await StartAllAsync(stopping.Token);
            foreach (var action in onReady)
            {
                await action(stopping.Token);
            }
            printReady(this);
            await Task.Delay(Timeout.Infinite, stopping.Token);
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
            Console.WriteLine("Stopping the suite...");
        }
        catch (ResourceFailedException e)
        {
            Console.Error.WriteLine();
            Console.Error.WriteLine($"✗ {e.Resource.Name} did not come up: {e.Message}");
            Console.Error.WriteLine(e.Resource.Diagnostics());
            exitCode = 1;
        }
        finally
        {
            await StopAllAsync();
        }
        return exitCode;
    }

    private async Task StartAllAsync(CancellationToken ct)
    {
        var pending = resources.ToList();
        while (pending.Count > 0)
        {
            var ready = pending.Where(r => r.WaitsFor.All(d => d.State == ResourceState.Running)).ToList();
            if (ready.Count == 0)
            {
                throw new ResourceFailedException(pending[0], "its dependencies never became healthy (a cycle in the resource graph?)");
            }
            foreach (var resource in ready)
            {
                Console.WriteLine($"→ starting {resource.Name}");
                started.Add(resource);
                try
                {
                    await resource.StartAsync(Context, ct);
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    resource.MarkFailed();
                    throw new ResourceFailedException(resource, e.Message);
                }
            }
            await Task.WhenAll(ready.Select(r => WaitHealthyAsync(r, ct)));
            pending.RemoveAll(ready.Contains);
        }
    }

    private static async Task WaitHealthyAsync(Resource resource, CancellationToken ct)
    {
        var deadline = DateTime.UtcNow + HealthTimeout;
        while (!await resource.IsHealthyAsync(ct))
        {
            if (DateTime.UtcNow > deadline)
            {
                resource.MarkFailed();
                throw new ResourceFailedException(resource, $"not healthy after {HealthTimeout.TotalSeconds:0} s");
            }
            await Task.Delay(200, ct);
        }
        Console.WriteLine($"✓ {resource.Name} healthy");
    }

    private async Task StopAllAsync()
    {
        for (var i = started.Count - 1; i >= 0; i--)
        {
            try
            {
                await started[i].StopAsync();
            }
            catch (Exception e)
            {
                Console.Error.WriteLine($"stopping {started[i].Name} failed: {e.Message}");
            }
        }
        started.Clear();
    }
}

/// <summary>A resource that could not be started or did not become healthy.</summary>
public sealed class ResourceFailedException(Resource resource, string message) : Exception(message)
{
    public Resource Resource { get; } = resource;
}
