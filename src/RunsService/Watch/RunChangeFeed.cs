using TenantAtlas.RunsService.Runs;

namespace TenantAtlas.RunsService.Watch;

/// <summary>
/// Announces every committed change of a run to the watchers of all RunsService replicas. <see cref="RunStore"/> calls
/// it after each write that changed a run (never inside one: a change is announced only once it is visible).
/// </summary>
public sealed class RunChangeFeed
{
    /// <summary>Announces <paramref name="run"/> as it is after a committed change. Never throws, never waits.</summary>
    public void Publish(RunRecord run)
    {
        _ = run; // WatchRun fan-out: not built yet.
    }
}
