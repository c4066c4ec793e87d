using System.Diagnostics;

namespace TenantAtlas.Bench.Measurement;

/// <summary>What a load phase achieved: operations completed, how long it took, per-operation latency.</summary>
public sealed record LoadResult(long Operations, TimeSpan Elapsed, LatencyStats Latency)
{
    /// <summary>Where the measured phase's CPU and WAL went (<see cref="CpuProfile.Describe"/>), when a profile was asked for.</summary>
    public string? Profile { get; init; }

    public double PerSecond => Operations / Elapsed.TotalSeconds;
}

/// <summary>
/// Closed-loop load: <c>callers</c> concurrent loops, each calling the operation again as soon as the last call
/// returned, first for a warm-up (not counted), then for the measured duration. Every operation gets a number
/// unique in the process, so scenarios can make distinct identities from it.
/// </summary>
public static class LoadGenerator
{
    private static long s_sequence;

    public static long NextSequence() => Interlocked.Increment(ref s_sequence);

    /// <param name="measuring">Called between warm-up and measurement (e.g. to forget what the warm-up recorded).</param>
    /// <param name="profile">Snapshotted around the measured phase; the result's <see cref="LoadResult.Profile"/> says per <paramref name="unit"/>.</param>
    public static Task<LoadResult> RunAsync(int callers, TimeSpan warmup, TimeSpan duration, Func<long, Task> operation,
        Action? measuring = null, CpuProfile? profile = null, string unit = "call") =>
        RunAsync(callers, warmup, duration, (_, sequence) => operation(sequence), measuring, profile, unit);

    /// <param name="operation">Given the caller's number (0 to <paramref name="callers"/> − 1) and the operation's, e.g. to bind each caller to one replica.</param>
    public static async Task<LoadResult> RunAsync(int callers, TimeSpan warmup, TimeSpan duration, Func<int, long, Task> operation,
        Action? measuring = null, CpuProfile? profile = null, string unit = "call")
    {
        await LoopAsync(callers, warmup, operation, record: false);
        measuring?.Invoke();
        var before = profile is null ? null : await profile.TakeAsync();
        var result = await LoopAsync(callers, duration, operation, record: true);
        return before is null ? result : result with { Profile = CpuProfile.Describe(before, await profile!.TakeAsync(), result.Operations, unit) };
    }

    private static async Task<LoadResult> LoopAsync(int callers, TimeSpan duration, Func<int, long, Task> operation, bool record)
    {
        var latencies = new List<double>[callers];
        var start = Stopwatch.GetTimestamp();
        var deadline = start + (long)(duration.TotalSeconds * Stopwatch.Frequency);
        var loops = Enumerable.Range(0, callers).Select(caller => Task.Run(async () =>
        {
            var mine = latencies[caller] = new List<double>(4096);
            while (Stopwatch.GetTimestamp() < deadline)
            {
                var sequence = NextSequence();
                var sent = Stopwatch.GetTimestamp();
                await operation(caller, sequence);
                if (record)
                {
                    mine.Add(Stopwatch.GetElapsedTime(sent).TotalMilliseconds);
                }
            }
        }));
        await Task.WhenAll(loops);
        var elapsed = Stopwatch.GetElapsedTime(start);
        var all = latencies.SelectMany(l => l).ToList();
        return new LoadResult(all.Count, elapsed, LatencyStats.From(all));
    }
}
