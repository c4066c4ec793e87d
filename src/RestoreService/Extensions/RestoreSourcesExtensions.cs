using TenantAtlas.Workers;
using BackupClient = TenantAtlas.Backup.V1.BackupService.BackupServiceClient;
using InventoryClient = TenantAtlas.Inventory.V1.InventoryService.InventoryServiceClient;

namespace TenantAtlas.RestoreService.Extensions;

public static class RestoreSourcesExtensions
{
    /// <summary>Service-discovery address of BackupService's gRPC endpoint (<c>services__backup__grpc__0</c>).</summary>
    public const string BackupServiceAddress = "http://_grpc.backup";

    /// <summary>Service-discovery address of InventoryService's gRPC endpoint (<c>services__inventory__grpc__0</c>).</summary>
    public const string InventoryServiceAddress = "http://_grpc.inventory";

    /// <summary>
    /// What a restore reads besides Graph: backup sets and their stored content from BackupService, and the target's
    /// directory-group cache from InventoryService. Each service keeps its own data; RestoreService asks, never reads their databases.
    /// </summary>
    public static IHostApplicationBuilder AddRestoreSources(this IHostApplicationBuilder builder)
    {
        builder.Services.AddSuiteGrpcClient<BackupClient>(BackupServiceAddress);
        builder.Services.AddSuiteGrpcClient<InventoryClient>(InventoryServiceAddress);
        return builder;
    }
}
