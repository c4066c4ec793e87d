using TenantAtlas.DataStores;
using TenantAtlas.RestoreService.Persistence;

namespace TenantAtlas.RestoreService.Extensions;

public static class RestorePersistenceExtensions
{
    /// <summary>Aspire resource name of the database (<c>ConnectionStrings__restoredb</c>).</summary>
    public const string ConnectionName = "restoredb";

    public static IHostApplicationBuilder AddRestorePersistence(this IHostApplicationBuilder builder) =>
        builder.AddServiceDatabase<RestoreDbContext>(ConnectionName, RestoreDbContext.Schema);
}
