using TenantAtlas.RunsService.Retention;

namespace TenantAtlas.RunsService.Extensions;

public static class RunRetentionExtensions
{
    /// <summary>Run retention: the per-workspace setting and the purge of old completed runs.</summary>
    public static IHostApplicationBuilder AddRunRetention(this IHostApplicationBuilder builder)
    {
        builder.Services.AddScoped<RunRetentionSettings>();
        return builder;
    }
}
