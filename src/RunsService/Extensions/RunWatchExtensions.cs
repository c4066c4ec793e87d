using TenantAtlas.RunsService.Watch;

namespace TenantAtlas.RunsService.Extensions;

public static class RunWatchExtensions
{
    /// <summary>WatchRun / WatchRuns: the change feed every run write announces to, and the replica's one-subscription fan-out.</summary>
    public static IHostApplicationBuilder AddRunWatch(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<WatchOptions>().Bind(builder.Configuration.GetSection(WatchOptions.Section))
            .Validate(o => o.RecheckInterval > TimeSpan.Zero, "Watch:RecheckInterval must be positive.")
            .ValidateOnStart();
        builder.Services.AddSingleton<RunChangeFeed>();
        builder.Services.AddSingleton<RunWatchHub>();
        return builder;
    }
}
