using System.Collections.Concurrent;

namespace TenantAtlas.Workers;

/// <summary>
/// A service's own reaction to CancelRun on one of its runs, whether or not this process works on it: e.g. RestoreService
/// cancels the restore whose queued run was cancelled (RunsService completed that run at once; no handler ever saw it).
/// Registered in DI; called for every cancel message of the service's stream, so it must be idempotent and cheap for
/// runs it does not know.
/// </summary>
public interface IRunCancelObserver
{
    Task CancelRequestedAsync(Guid runId, CancellationToken cancellationToken);
}

/// <summary>
/// The runs this process is working on, by run id, each with the token that stops its handler when CancelRun asks it
/// to (RunsService's message on <c>ops:{service}:cancel</c>, or a heartbeat that finds cancel_requested).
/// </summary>
public sealed class RunCancellations
{
    private readonly ConcurrentDictionary<string, CancellationTokenSource> running = new(StringComparer.Ordinal);

    /// <summary>Tracks a run while its handler works; disposing the result forgets it.</summary>
    internal Registration Track(string runId)
    {
        var source = new CancellationTokenSource();
        running[runId] = source;
        return new Registration(this, runId, source);
    }

    /// <summary>Stops the handler of <paramref name="runId"/> if this process works on it; false otherwise.</summary>
    public bool Cancel(string runId)
    {
        if (!running.TryGetValue(runId, out var source))
        {
            return false;
        }
        try
        {
            source.Cancel();
        }
        catch (ObjectDisposedException)
        {
            return false; // finished meanwhile
        }
        return true;
    }

    internal sealed class Registration(RunCancellations owner, string runId, CancellationTokenSource source) : IDisposable
    {
        public CancellationToken Token => source.Token;

        public bool IsCancellationRequested => source.IsCancellationRequested;

        public void Dispose()
        {
            owner.running.TryRemove(new KeyValuePair<string, CancellationTokenSource>(runId, source));
            source.Dispose();
        }
    }
}
