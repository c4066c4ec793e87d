using TenantAtlas.RestoreService.Execution;
using TenantAtlas.RestoreService.Planning;
using TenantAtlas.RestoreService.Restores;
using TenantAtlas.TenantGraph;
using TenantAtlas.Workers;

namespace TenantAtlas.RestoreService.Extensions;

public static class RestoreWorkerExtensions
{
    /// <summary>The service name: consumer group "restore" on stream ops:restore.</summary>
    public const string ServiceName = "restore";

    /// <summary>The worker host with the restore handlers, the write pacer and the adapter sweep.</summary>
    public static IHostApplicationBuilder AddRestoreWorker(this IHostApplicationBuilder builder)
    {
        builder.AddRunWorker(ServiceName)
            .AddHandler<PreviewHandler>(Contracts.RunTypes.RestorePreview)
            .AddHandler<ExecuteHandler>(Contracts.RunTypes.RestoreExecute);
        builder.Services.AddOptions<RestoreOptions>().Bind(builder.Configuration.GetSection(RestoreOptions.Section))
            .Validate(o => o.PlanLifetime > TimeSpan.Zero, "Restore:PlanLifetime must be positive.")
            .Validate(o => o.WritesPerWindow > 0 && o.WriteWindow > TimeSpan.Zero, "Restore:WritesPerWindow and Restore:WriteWindow must be positive.")
            .Validate(o => o.AdapterSweepInterval > TimeSpan.Zero, "Restore:AdapterSweepInterval must be positive.")
            .ValidateOnStart();
        builder.Services.AddSingleton<PolicyReader>();
        builder.Services.AddScoped<RestoreStore>();
        builder.Services.AddSingleton<SourceReader>();
        builder.Services.AddSingleton<GroupMapper>();
        builder.Services.AddSingleton<WritePacer>();
        builder.Services.AddSingleton<SecretVault>();
        builder.Services.AddSingleton<TargetTemplates>();
        builder.Services.AddScoped<TemplateWriter>();
        builder.Services.AddScoped<ItemWriter>();
        builder.Services.AddSingleton<PacedGraphWriter>();
        builder.Services.AddSingleton<AdapterRuns>();
        builder.Services.AddScoped<IRunCancelObserver, RunCancelObserver>();
        builder.Services.AddSingleton<AdapterSweep>();
        builder.Services.AddHostedService(services => services.GetRequiredService<AdapterSweep>());
        return builder;
    }
}
