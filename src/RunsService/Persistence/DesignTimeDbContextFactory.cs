using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;

namespace TenantAtlas.RunsService.Persistence;

/// <summary>Lets <c>dotnet ef migrations add</c> build the model without starting the service (it never connects).</summary>
internal sealed class DesignTimeDbContextFactory : IDesignTimeDbContextFactory<RunsDbContext>
{
    public RunsDbContext CreateDbContext(string[] args) => new(new DbContextOptionsBuilder<RunsDbContext>()
        .UseNpgsql("Host=localhost;Database=design_time", npgsql => npgsql.MigrationsHistoryTable("__ef_migrations_history", RunsDbContext.Schema))
        .Options);
}
