using TenantAtlas.InventoryService.Groups;
using TenantAtlas.InventoryService.Sync;
using TenantAtlas.Workers;

namespace TenantAtlas.InventoryService.Extensions;

public static class InventoryWorkerExtensions
{
    /// <summary>The service name: consumer group "inventory" on stream ops:inventory.</summary>
    public const string ServiceName = "inventory";

    /// <summary>The worker host with the inventory handlers.</summary>
    public static IHostApplicationBuilder AddInventoryWorker(this IHostApplicationBuilder builder)
    {
        builder.AddRunWorker(ServiceName)
            .AddHandler<InventorySyncHandler>(InventorySyncHandler.Type)
            .AddHandler<DirectoryGroupsSyncHandler>(DirectoryGroupsSyncHandler.Type);
        builder.Services.AddSingleton<InventoryItemWriter>();
        builder.Services.AddSingleton<DirectoryGroupWriter>();
        return builder;
    }
}
