using TenantAtlas.InventoryService.Groups;
using TenantAtlas.InventoryService.Grpc;

namespace TenantAtlas.InventoryService.Extensions;

public static class InventoryGrpcExtensions
{
    /// <summary>What the InventoryService endpoints need besides ServiceDefaults' gRPC setup.</summary>
    public static IHostApplicationBuilder AddInventoryGrpc(this IHostApplicationBuilder builder)
    {
        builder.Services.AddSingleton<Workers.TenantAccess>();
        builder.Services.AddScoped<InventoryQueries>();
        builder.Services.AddScoped<DirectoryGroupQueries>();
        return builder;
    }

    public static WebApplication MapInventoryGrpc(this WebApplication app)
    {
        app.MapGrpcService<InventoryGrpcService>();
        return app;
    }
}
