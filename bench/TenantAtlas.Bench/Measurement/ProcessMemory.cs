using System.Globalization;

namespace TenantAtlas.Bench.Measurement;

/// <summary>
/// Samples the resident set size of processes (VmRSS in /proc/{pid}/status) in the background and keeps the
/// peak seen, so a phase's peak is measured rather than the process's lifetime high-water mark.
/// </summary>
public sealed class ProcessMemory : IAsyncDisposable
{
    private readonly Dictionary<int, long> peaks;
    private readonly CancellationTokenSource stop = new();
    private readonly Task sampling;

    public ProcessMemory(IEnumerable<int> processIds, TimeSpan interval)
    {
        peaks = processIds.ToDictionary(id => id, _ => 0L);
        sampling = Task.Run(async () =>
        {
            using var timer = new PeriodicTimer(interval);
            do
            {
                Sample();
            }
            while (await timer.WaitForNextTickAsync(stop.Token).ConfigureAwait(false));
        });
    }

    /// <summary>Peak resident set size in MB (10^6 bytes) seen so far for the process.</summary>
    public double PeakMegabytes(int processId)
    {
        lock (peaks)
        {
            return peaks[processId] / 1e6;
        }
    }

    public static long ResidentBytes(int processId)
    {
        foreach (var line in File.ReadLines($"/proc/{processId}/status"))
        {
            if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
            {
                var kilobytes = line["VmRSS:".Length..].Trim().Split(' ')[0];
                return long.Parse(kilobytes, CultureInfo.InvariantCulture) * 1024;
            }
        }
        return 0;
    }

    private void Sample()
    {
        lock (peaks)
        {
            foreach (var id in peaks.Keys.ToList())
            {
                try
                {
                    peaks[id] = Math.Max(peaks[id], ResidentBytes(id));
                }
                catch (IOException)
                {
                    // The process ended; keep its last peak.
                }
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await stop.CancelAsync();
        try
        {
            await sampling;
        }
        catch (OperationCanceledException)
        {
        }
        Sample();
        stop.Dispose();
    }
}
