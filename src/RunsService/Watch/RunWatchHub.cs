namespace TenantAtlas.RunsService.Watch;

/// <summary>The in-process fan-out of run changes to WatchRun / WatchRuns streams: one subscription per replica.</summary>
public sealed class RunWatchHub;
