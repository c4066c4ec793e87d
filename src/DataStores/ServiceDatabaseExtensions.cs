using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Npgsql;
using TenantAtlas.ServiceDefaults;

namespace TenantAtlas.DataStores;

/// <summary>
/// A service's PostgreSQL database from <c>ConnectionStrings:{name}</c> (as the AppHost sets it): Aspire's
/// <c>AddNpgsqlDataSource</c> (health check, traces, metrics) with statements auto-prepared, one pooled EF Core
/// context over that same data source (so EF and hand-written SQL share one connection pool), and the checked-in
/// migrations applied before the service takes calls.
/// </summary>
public static class ServiceDatabaseExtensions
{
    /// <summary>Statements Npgsql prepares automatically per connection (<c>Max Auto Prepare</c>) when the connection string does not say.</summary>
    public const int AutoPreparedStatements = 64;

    public static IHostApplicationBuilder AddServiceDatabase<TContext>(this IHostApplicationBuilder builder, string connectionName, string schema)
        where TContext : DbContext
    {
        if (string.IsNullOrWhiteSpace(builder.Configuration.GetConnectionString(connectionName)))
        {
            throw new InvalidOperationException(
                $"ConnectionStrings:{connectionName} is not set: give the service its PostgreSQL database, " +
                $"e.g. ConnectionStrings__{connectionName}=\"Host=127.0.0.1;Port=5432;Username=postgres;Database={connectionName}\".");
        }
        builder.AddNpgsqlDataSource(connectionName, configureDataSourceBuilder: dataSource =>
        {
            if (dataSource.ConnectionStringBuilder.MaxAutoPrepare == 0)
            {
                // A service sends the same few statements over and over: prepared once per connection, each call
                // skips parsing and planning (measured on EnsureRun; unless the connection string chooses otherwise).
                dataSource.ConnectionStringBuilder.MaxAutoPrepare = AutoPreparedStatements;
            }
        });
        // Pooled: a context per request would rebuild its options and resolve EF's internal services every time
        // (measured: most of RunsService's CPU per EnsureRun before pooling).
        builder.Services.AddDbContextPool<TContext>((services, options) => options.UseNpgsql(services.GetRequiredService<NpgsqlDataSource>(),
            npgsql => npgsql.MigrationsHistoryTable("__ef_migrations_history", schema)));
        builder.EnrichNpgsqlDbContext<TContext>(settings =>
        {
            // Retrying strategies refuse the explicit transactions the services use; the data source's health check
            // already covers the database.
            settings.DisableRetry = true;
            settings.DisableHealthChecks = true;
        });
        builder.Services.AddHostedService(services => new DatabaseMigrator<TContext>(services, schema,
            services.GetRequiredService<ILogger<DatabaseMigrator<TContext>>>()));
        // A server shutting down or restarting (57P01 admin_shutdown, 57P02 crash_shutdown, 57P03 cannot_connect_now)
        // kills the pooled connections: the next command on one fails once, and the one after it reconnects. (A server
        // out of resources, class 53 — disk full, out of memory, too many connections — is transient by Npgsql's own
        // PostgresException.IsTransient, so it answers UNAVAILABLE too; the disk-full fault scenario proves it.)
        builder.Services.Configure<TransientFailureOptions>(o => o.Detectors.Add(e =>
            e is PostgresException { SqlState: PostgresErrorCodes.AdminShutdown or PostgresErrorCodes.CrashShutdown or PostgresErrorCodes.CannotConnectNow }
            or NpgsqlException { IsTransient: true }));
        return builder;
    }
}

/// <summary>Applies checked-in migrations before the service accepts calls (hosted services start before the server).</summary>
internal sealed partial class DatabaseMigrator<TContext>(IServiceProvider services, string schema, ILogger<DatabaseMigrator<TContext>> logger)
    : IHostedService where TContext : DbContext
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        await using var scope = services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<TContext>();
        // Replicas start together: one migrates while the others wait, then find nothing left to apply. EF's own
        // migration lock did not stop two fresh replicas from both creating the same index (seen with --replicas 2),
        // so a session-level advisory lock per schema is held around the whole migration.
        await db.Database.OpenConnectionAsync(cancellationToken);
        try
        {
            await AdvisoryLockAsync(db, "pg_advisory_lock", cancellationToken);
            await db.Database.MigrateAsync(cancellationToken);
            await AdvisoryLockAsync(db, "pg_advisory_unlock", cancellationToken);
        }
        finally
        {
            await db.Database.CloseConnectionAsync();
        }
        LogUpToDate(logger, typeof(TContext).Name);
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    private async Task AdvisoryLockAsync(TContext db, string function, CancellationToken ct)
    {
        await using var command = db.Database.GetDbConnection().CreateCommand();
        command.CommandText = $"SELECT {function}(hashtext(@key))";
        var key = command.CreateParameter();
        key.ParameterName = "key";
        key.Value = $"tenantatlas.migrations.{schema}";
        command.Parameters.Add(key);
        await command.ExecuteScalarAsync(ct);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "{Context}: database schema is up to date")]
    private static partial void LogUpToDate(ILogger logger, string context);
}
