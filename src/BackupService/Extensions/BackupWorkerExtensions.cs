using TenantAtlas.TenantGraph;
using TenantAtlas.BackupService.Capture;
using TenantAtlas.BackupService.Schedules;
using TenantAtlas.Workers;

namespace TenantAtlas.BackupService.Extensions;

public static class BackupWorkerExtensions
{
    /// <summary>The service name: consumer group "backup" on stream ops:backup.</summary>
    public const string ServiceName = "backup";

    /// <summary>The worker host with the backup handlers.</summary>
    public static IHostApplicationBuilder AddBackupWorker(this IHostApplicationBuilder builder)
    {
        builder.AddRunWorker(ServiceName)
            .AddHandler<AddPoliciesHandler>(AddPoliciesHandler.Type)
            .AddHandler<ScheduleRunHandler>(Contracts.RunTypes.BackupScheduleRunNow)
            .AddHandler<ScheduleRunHandler>(Contracts.RunTypes.BackupScheduleRetry)
            .AddHandler<ScheduleRunHandler>(Contracts.RunTypes.BackupScheduleScheduled)
            .AddHandler<Drift.DriftHandler>(Drift.DriftHandler.Type);
        builder.Services.AddSingleton<PolicyReader>();
        builder.Services.AddSingleton<CaptureWriter>();
        builder.Services.AddSingleton<PolicyCapture>();
        builder.Services.AddSingleton<ScheduleSets>();
        // Every replica runs a scheduler; the ONCE identity of each slot makes that safe (see BackupScheduler).
        builder.Services.AddOptions<SchedulerOptions>().Bind(builder.Configuration.GetSection(SchedulerOptions.Section))
            .Validate(o => o.Interval > TimeSpan.Zero, "Backup:Scheduler:Interval must be positive.").ValidateOnStart();
        builder.Services.AddSingleton<BackupScheduler>();
        builder.Services.AddHostedService(services => services.GetRequiredService<BackupScheduler>());
        return builder;
    }
}
