using System.Collections.Concurrent;
using System.Diagnostics;

namespace TenantAtlas.Bench.Worker;

/// <summary>
/// When each run's handler started, as <see cref="Stopwatch.GetTimestamp"/> (CLOCK_MONOTONIC on Linux, so the
/// benchmark process can subtract its own send timestamps).
/// </summary>
internal sealed class HandlerStarts
{
    private readonly ConcurrentQueue<HandlerStart> starts = new();

    public void Record(Guid runId) => starts.Enqueue(new HandlerStart(runId, Stopwatch.GetTimestamp()));

    /// <summary>Everything recorded so far, emptied.</summary>
    public IReadOnlyList<HandlerStart> Drain()
    {
        var drained = new List<HandlerStart>(starts.Count);
        while (starts.TryDequeue(out var start))
        {
            drained.Add(start);
        }
        return drained;
    }
}

internal sealed record HandlerStart(Guid RunId, long Timestamp);

internal static class HandlerStartsEndpoints
{
    /// <summary><c>POST /bench/handler-starts:drain</c>: the starts recorded since the last drain.</summary>
    public static WebApplication MapHandlerStarts(this WebApplication app)
    {
        app.MapPost("/bench/handler-starts:drain", (HandlerStarts starts) => starts.Drain()).AllowAnonymous();
        return app;
    }
}
