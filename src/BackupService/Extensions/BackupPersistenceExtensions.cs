using TenantAtlas.BackupService.Persistence;
using TenantAtlas.DataStores;

namespace TenantAtlas.BackupService.Extensions;

public static class BackupPersistenceExtensions
{
    /// <summary>Aspire resource name of the database (<c>ConnectionStrings__backupdb</c>).</summary>
    public const string ConnectionName = "backupdb";

    public static IHostApplicationBuilder AddBackupPersistence(this IHostApplicationBuilder builder) =>
        builder.AddServiceDatabase<BackupDbContext>(ConnectionName, BackupDbContext.Schema);
}
