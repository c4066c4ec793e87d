namespace TenantAtlas.RunsService.Watch;

/// <summary>The <c>Watch</c> configuration section: WatchRun / WatchRuns streams.</summary>
public sealed class WatchOptions
{
    public const string Section = "Watch";

    /// <summary>
    /// How often an open stream checks the caller's access again (a watcher who lost it is cut off) and, for WatchRun,
    /// re-reads the run, so a change whose announcement was lost (Redis restarting) reaches it within this time.
    /// </summary>
    public TimeSpan RecheckInterval { get; set; } = TimeSpan.FromSeconds(15);
}
