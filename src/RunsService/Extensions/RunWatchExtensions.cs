using TenantAtlas.RunsService.Watch;

namespace TenantAtlas.RunsService.Extensions;

public static class RunWatchExtensions
{
    /// <summary>WatchRun / WatchRuns: the change feed every run write announces to, and the in-process fan-out.</summary>
    public static IHostApplicationBuilder AddRunWatch(this IHostApplicationBuilder builder)
    {
        builder.Services.AddSingleton<RunChangeFeed>();
        builder.Services.AddSingleton<RunWatchHub>();
        return builder;
    }
}
