using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Npgsql;
using TenantAtlas.RunsService.Persistence;

namespace TenantAtlas.RunsService.Extensions;

public static class PersistenceExtensions
{
    /// <summary>Aspire resource name of the database (<c>ConnectionStrings__runsdb</c>).</summary>
    public const string ConnectionName = "runsdb";

    /// <summary>PostgreSQL through one NpgsqlDataSource (shared by EF and the run SQL), migrations, health.</summary>
    public static IHostApplicationBuilder AddRunsPersistence(this IHostApplicationBuilder builder)
    {
        var connectionString = builder.Configuration.GetConnectionString(ConnectionName);
        if (string.IsNullOrWhiteSpace(connectionString))
        {
            throw new InvalidOperationException(
                $"ConnectionStrings:{ConnectionName} is not set: give RunsService its PostgreSQL database, " +
                $"e.g. ConnectionStrings__{ConnectionName}=\"Host=127.0.0.1;Port=5432;Username=postgres;Database=tenantatlas\".");
        }

        var dataSource = new NpgsqlDataSourceBuilder(connectionString) { Name = ConnectionName }.Build();
        builder.Services.AddSingleton(dataSource);
        builder.Services.AddDbContext<RunsDbContext>(options => options.UseNpgsql(dataSource,
            npgsql => npgsql.MigrationsHistoryTable("__ef_migrations_history", RunsDbContext.Schema)));
        builder.Services.AddHostedService<DatabaseMigrator>();
        builder.Services.AddHealthChecks().AddCheck<DatabaseHealthCheck>("runsdb", tags: ["ready"]);
        return builder;
    }
}

/// <summary>Applies checked-in migrations before the service accepts calls (hosted services start first).</summary>
internal sealed partial class DatabaseMigrator(IServiceProvider services, ILogger<DatabaseMigrator> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        await using var scope = services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<RunsDbContext>();
        var pending = (await db.Database.GetPendingMigrationsAsync(cancellationToken)).ToList();
        // EF takes a database lock while migrating, so replicas starting together apply each migration once.
        await db.Database.MigrateAsync(cancellationToken);
        if (pending.Count > 0)
        {
            LogMigrated(logger, pending.Count, pending);
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(Level = LogLevel.Information, Message = "Run database is up to date ({Count} migrations applied: {Migrations})")]
    private static partial void LogMigrated(ILogger logger, int count, IReadOnlyList<string> migrations);
}

/// <summary>Ready only while the run database answers.</summary>
internal sealed class DatabaseHealthCheck(NpgsqlDataSource dataSource) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            await using var command = dataSource.CreateCommand("SELECT 1");
            await command.ExecuteScalarAsync(cancellationToken);
            return HealthCheckResult.Healthy();
        }
        catch (Exception e) when (e is NpgsqlException or TimeoutException)
        {
            return HealthCheckResult.Unhealthy("The run database does not answer.", e);
        }
    }
}
