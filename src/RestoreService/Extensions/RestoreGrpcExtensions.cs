using TenantAtlas.RestoreService.Grpc;
using TenantAtlas.RestoreService.Restores;
using TenantAtlas.Workers;

namespace TenantAtlas.RestoreService.Extensions;

public static class RestoreGrpcExtensions
{
    /// <summary>What the RestoreService endpoints need besides ServiceDefaults' gRPC setup.</summary>
    public static IHostApplicationBuilder AddRestoreGrpc(this IHostApplicationBuilder builder)
    {
        builder.Services.AddSingleton<TenantAccess>();
        builder.Services.AddScoped<RestoreQueries>();
        builder.Services.AddScoped<RestoreCommands>();
        return builder;
    }

    public static WebApplication MapRestoreGrpc(this WebApplication app)
    {
        app.MapGrpcService<RestoreGrpcService>();
        return app;
    }
}
