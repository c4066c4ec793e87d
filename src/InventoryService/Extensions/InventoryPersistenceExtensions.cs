using TenantAtlas.InventoryService.Persistence;
using TenantAtlas.DataStores;

namespace TenantAtlas.InventoryService.Extensions;

public static class InventoryPersistenceExtensions
{
    /// <summary>Aspire resource name of the database (<c>ConnectionStrings__inventorydb</c>).</summary>
    public const string ConnectionName = "inventorydb";

    public static IHostApplicationBuilder AddInventoryPersistence(this IHostApplicationBuilder builder) =>
        builder.AddServiceDatabase<InventoryDbContext>(ConnectionName, InventoryDbContext.Schema);
}
