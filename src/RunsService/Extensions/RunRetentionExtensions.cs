using TenantAtlas.RunsService.Retention;

namespace TenantAtlas.RunsService.Extensions;

public static class RunRetentionExtensions
{
    /// <summary>Run retention: the per-workspace setting and the purge of old completed runs.</summary>
    public static IHostApplicationBuilder AddRunRetention(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<RunRetentionOptions>().Bind(builder.Configuration.GetSection(RunRetentionOptions.Section))
            .Validate(o => o.Interval > TimeSpan.Zero, "Retention:Interval must be positive.")
            .Validate(o => o.BatchSize is > 0 and <= RunRetentionOptions.MaxBatchSize,
                $"Retention:BatchSize must be 1-{RunRetentionOptions.MaxBatchSize}.")
            .ValidateOnStart();
        builder.Services.AddScoped<RunRetentionSettings>();
        builder.Services.AddSingleton<RunRetentionPurge>();
        builder.Services.AddHostedService(services => services.GetRequiredService<RunRetentionPurge>());
        return builder;
    }
}
