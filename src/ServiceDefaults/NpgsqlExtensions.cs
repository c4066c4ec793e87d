using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace TenantAtlas.ServiceDefaults;

/// <summary>
/// A service's PostgreSQL database from <c>ConnectionStrings:{name}</c>, in the shape of Aspire's
/// <c>AddNpgsqlDbContext</c> (Aspire.Npgsql.* is not available here): one NpgsqlDataSource shared by EF Core and
/// hand-written SQL, checked-in migrations applied before the service takes calls, and a readiness check.
/// </summary>
public static class NpgsqlExtensions
{
    /// <summary>Statements Npgsql prepares automatically per connection (<c>Max Auto Prepare</c>) when the connection string does not say.</summary>
    public const int AutoPreparedStatements = 64;

    public static TBuilder AddNpgsqlDbContext<TBuilder, TContext>(this TBuilder builder, string connectionName, string schema)
        where TBuilder : IHostApplicationBuilder
        where TContext : DbContext
    {
        var connectionString = builder.Configuration.GetConnectionString(connectionName);
        if (string.IsNullOrWhiteSpace(connectionString))
        {
            throw new InvalidOperationException(
                $"ConnectionStrings:{connectionName} is not set: give the service its PostgreSQL database, " +
                $"e.g. ConnectionStrings__{connectionName}=\"Host=127.0.0.1;Port=5432;Username=postgres;Database=tenantatlas\".");
        }

        var dataSourceBuilder = new NpgsqlDataSourceBuilder(connectionString) { Name = connectionName };
        if (dataSourceBuilder.ConnectionStringBuilder.MaxAutoPrepare == 0)
        {
            // A service sends the same few statements over and over: prepared once per connection, each call
            // skips parsing and planning (unless the connection string chooses otherwise).
            dataSourceBuilder.ConnectionStringBuilder.MaxAutoPrepare = AutoPreparedStatements;
        }
        var dataSource = dataSourceBuilder.Build();
        builder.Services.AddSingleton(dataSource);
        // Pooled: a context per request would rebuild its options and resolve EF's internal services every time
        // (measured: most of RunsService's CPU per EnsureRun before pooling).
        builder.Services.AddDbContextPool<TContext>(options => options.UseNpgsql(dataSource,
            npgsql => npgsql.MigrationsHistoryTable("__ef_migrations_history", schema)));
        builder.Services.AddHostedService<DatabaseMigrator<TContext>>();
        builder.Services.AddHealthChecks().AddCheck<DatabaseHealthCheck>(connectionName);
        return builder;
    }
}

/// <summary>Applies checked-in migrations before the service accepts calls (hosted services start before the server).</summary>
internal sealed partial class DatabaseMigrator<TContext>(IServiceProvider services, ILogger<DatabaseMigrator<TContext>> logger)
    : IHostedService where TContext : DbContext
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        await using var scope = services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<TContext>();
        // EF takes a database lock while migrating, so replicas starting together apply each migration once;
        // it logs each migration it applies.
        await db.Database.MigrateAsync(cancellationToken);
        LogUpToDate(logger, typeof(TContext).Name);
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(Level = LogLevel.Information, Message = "{Context}: database schema is up to date")]
    private static partial void LogUpToDate(ILogger logger, string context);
}

/// <summary>Ready only while the database answers.</summary>
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
            return HealthCheckResult.Unhealthy("The database does not answer.", e);
        }
    }
}
