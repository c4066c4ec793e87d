namespace TenantAtlas.ServiceDefaults;

/// <summary>
/// Wakes one waiting loop (the dispatch relay, a worker's read loop) early: "there may be work". Many wakes before
/// the loop looks count as one; the loop still polls on its own timeout, so a lost wake costs latency, not work.
/// </summary>
public class WakeSignal : IDisposable
{
    private readonly SemaphoreSlim pending = new(0, 1);

    /// <summary>There may be work. Cheap when already signalled; harmless after disposal.</summary>
    public void Wake()
    {
        // Checked first: at thousands of wakes per second, a throw per already-signalled wake showed in profiles.
        if (pending.CurrentCount > 0)
        {
            return;
        }
        try
        {
            pending.Release();
        }
        catch (Exception e) when (e is SemaphoreFullException or ObjectDisposedException)
        {
            // Signalled in between by another caller, or the loop has stopped.
        }
    }

    /// <summary>Waits for a wake or the timeout, whichever comes first; true when woken.</summary>
    public Task<bool> WaitAsync(TimeSpan timeout, CancellationToken ct) => pending.WaitAsync(timeout, ct);

    public void Dispose()
    {
        pending.Dispose();
        GC.SuppressFinalize(this);
    }
}
