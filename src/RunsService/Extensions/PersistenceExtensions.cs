using TenantAtlas.RunsService.Persistence;
using TenantAtlas.DataStores;

namespace TenantAtlas.RunsService.Extensions;

public static class PersistenceExtensions
{
    /// <summary>Aspire resource name of the database (<c>ConnectionStrings__runsdb</c>).</summary>
    public const string ConnectionName = "runsdb";

    /// <summary>The <c>runs</c> schema: EF Core model and migrations, plus the data source the run SQL uses.</summary>
    public static IHostApplicationBuilder AddRunsPersistence(this IHostApplicationBuilder builder) =>
        builder.AddServiceDatabase<RunsDbContext>(ConnectionName, RunsDbContext.Schema);
}
