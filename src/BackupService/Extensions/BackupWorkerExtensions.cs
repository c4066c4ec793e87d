using TenantAtlas.BackupService.Capture;
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
            .AddHandler<AddPoliciesHandler>(AddPoliciesHandler.Type);
        builder.Services.AddSingleton<PolicyReader>();
        builder.Services.AddSingleton<CaptureWriter>();
        return builder;
    }
}
