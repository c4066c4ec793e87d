using System.Threading.Channels;
using Google.Protobuf.WellKnownTypes;
using TenantAtlas.Runs.V1;

namespace TenantAtlas.RunsService.Watch;

/// <summary>
/// One open WatchRun / WatchRuns stream's queue. Runs are offered by the hub (and by the stream's own re-reads); per run,
/// a watcher never goes backwards: a change older than the last one taken (status queued &lt; running &lt; completed, then
/// updated_at) is dropped, which also drops duplicates. A watcher that falls <see cref="Capacity"/> changes behind is cut
/// off rather than slowing the others.
/// </summary>
public sealed class RunWatcher : IDisposable
{
    /// <summary>Changes a watcher may have waiting before it is cut off as too slow.</summary>
    public const int Capacity = 256;

    private readonly Channel<Run> changes = System.Threading.Channels.Channel.CreateBounded<Run>(
        new BoundedChannelOptions(Capacity) { SingleReader = true, FullMode = BoundedChannelFullMode.Wait });
    private readonly Dictionary<string, (int Rank, Timestamp UpdatedAt)> last = new(StringComparer.Ordinal);
    private readonly Action<RunWatcher> unregister;

    internal RunWatcher(Func<Run, bool> wants, Action<RunWatcher> unregister)
    {
        Wants = wants;
        this.unregister = unregister;
    }

    /// <summary>Whether a change of this run is for this watcher (a workspace watcher's visibility, for instance).</summary>
    internal Func<Run, bool> Wants { get; set; }

    /// <summary>The changes to send, in order.</summary>
    public ChannelReader<Run> Changes => changes.Reader;

    /// <summary>True when the watcher fell too far behind and was cut off.</summary>
    public bool TooSlow { get; private set; }

    /// <summary>Queues <paramref name="run"/> unless it is not newer than what this watcher already took of it.</summary>
    public bool Offer(Run run)
    {
        lock (last)
        {
            var key = (Rank(run.Status), run.UpdatedAt ?? new Timestamp());
            if (last.TryGetValue(run.RunId, out var seen) && (key.Item1 < seen.Rank || (key.Item1 == seen.Rank && key.Item2 <= seen.UpdatedAt)))
            {
                return false;
            }
            if (!changes.Writer.TryWrite(run))
            {
                TooSlow = true;
                changes.Writer.TryComplete();
                return false;
            }
            last[run.RunId] = key;
            return true;
        }
    }

    private static int Rank(RunStatus status) => status switch
    {
        RunStatus.Queued => 1,
        RunStatus.Running => 2,
        RunStatus.Completed => 3,
        _ => 0,
    };

    public void Dispose()
    {
        changes.Writer.TryComplete();
        unregister(this);
    }
}
