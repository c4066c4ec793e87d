using TenantAtlas.Workers;
using TenantAtlas.BackupService.Grpc;

namespace TenantAtlas.BackupService.Extensions;

public static class BackupGrpcExtensions
{
    /// <summary>What the BackupService endpoints need besides ServiceDefaults' gRPC setup.</summary>
    public static IHostApplicationBuilder AddBackupGrpc(this IHostApplicationBuilder builder)
    {
        builder.Services.AddScoped<BackupQueries>();
        builder.Services.AddSingleton<TenantAccess>();
        builder.Services.AddScoped<Schedules.ScheduleCommands>();
        builder.Services.AddScoped<Drift.DriftCommands>();
        builder.Services.AddScoped<Drift.SetComparison>();
        return builder;
    }

    public static WebApplication MapBackupGrpc(this WebApplication app)
    {
        app.MapGrpcService<BackupGrpcService>();
        return app;
    }
}
