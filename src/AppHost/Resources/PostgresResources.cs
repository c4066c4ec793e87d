using Npgsql;

namespace TenantAtlas.AppHost.Resources;

/// <summary>
/// A local PostgreSQL 15 server run by DCP as an executable (<c>Scripts/run-postgres.sh</c>): Aspire's
/// <c>AddPostgres</c> needs a container engine, which these machines lack. Its connection string names the
/// <c>postgres</c> maintenance database; services reference a <see cref="PostgresDatabaseResource"/> instead.
/// </summary>
public sealed class PostgresServerResource(string name, string command, string workingDirectory)
    : ExecutableResource(name, command, workingDirectory), IResourceWithConnectionString
{
    internal const string EndpointName = "tcp";

    public EndpointReference PrimaryEndpoint => field ??= new(this, EndpointName);

    /// <summary>Databases to create (when missing) once the server answers.</summary>
    public List<PostgresDatabaseResource> Databases { get; } = [];

    public ReferenceExpression ConnectionStringExpression => ConnectionStringFor("postgres");

    internal ReferenceExpression ConnectionStringFor(string database) => ReferenceExpression.Create(
        $"Host={PrimaryEndpoint.Property(EndpointProperty.Host)};Port={PrimaryEndpoint.Property(EndpointProperty.Port)};Username=postgres;Database={database}");
}

/// <summary>A database of a <see cref="PostgresServerResource"/>, referenced by a service as <c>ConnectionStrings__{name}</c>.</summary>
public sealed class PostgresDatabaseResource(string name, PostgresServerResource parent)
    : Resource(name), IResourceWithParent<PostgresServerResource>, IResourceWithConnectionString
{
    public PostgresServerResource Parent { get; } = parent;

    public ReferenceExpression ConnectionStringExpression => Parent.ConnectionStringFor(Name);
}

public static class PostgresResourceExtensions
{
    /// <summary>
    /// PostgreSQL with its cluster in <paramref name="dataDirectory"/> (kept between runs), on a port DCP chooses,
    /// healthy once it answers the PostgreSQL protocol (DCP's proxy port accepts TCP even when nothing is behind it).
    /// </summary>
    public static IResourceBuilder<PostgresServerResource> AddLocalPostgres(this IDistributedApplicationBuilder builder,
        string name, string dataDirectory)
    {
        var script = Path.Combine(builder.AppHostDirectory, "Scripts", "run-postgres.sh");
        var server = new PostgresServerResource(name, script, builder.AppHostDirectory);
        builder.Eventing.Subscribe<ResourceReadyEvent>(server, async (ready, ct) =>
        {
            // Aspire passes a parent's state on to its children only for containers: say here that each database runs,
            // so its health check starts and what waits for it can start.
            var notifications = ready.Services.GetRequiredService<ResourceNotificationService>();
            foreach (var database in server.Databases)
            {
                await CreateDatabaseIfMissingAsync(server, database.Name, ct);
                await notifications.PublishUpdateAsync(database, state => state with
                {
                    State = KnownResourceStates.Running,
                    StartTimeStamp = DateTime.UtcNow,
                });
            }
        });
        return builder.AddResource(server)
            .WithEndpoint(name: PostgresServerResource.EndpointName, scheme: "tcp")
            .WithArgs(context =>
            {
                context.Args.Add(dataDirectory);
                context.Args.Add(server.PrimaryEndpoint.Property(EndpointProperty.TargetPort));
            })
            .WithIconName("DatabaseMultiple")
            .WithProbeHealthCheck(PostgresServerResource.EndpointName, ProtocolProbes.PostgresAsync);
    }

    /// <summary>A database on the server, created when missing once the server is ready; healthy once it accepts connections.</summary>
    public static IResourceBuilder<PostgresDatabaseResource> AddDatabase(this IResourceBuilder<PostgresServerResource> server, string name)
    {
        var database = new PostgresDatabaseResource(name, server.Resource);
        server.Resource.Databases.Add(database);
        var healthCheck = $"{name}_database";
        server.ApplicationBuilder.Services.AddHealthChecks().AddAsyncCheck(healthCheck, async ct =>
        {
            try
            {
                // Unpooled: a pooled connection may be one a restart of the server closed, failing a probe of a healthy server.
                await using var connection = new NpgsqlConnection(await database.ConnectionStringExpression.GetValueAsync(ct) + ";Timeout=2;Pooling=false");
                await connection.OpenAsync(ct);
                return HealthCheckResult.Healthy();
            }
            catch (Exception e) when (e is NpgsqlException or InvalidOperationException or TimeoutException)
            {
                return HealthCheckResult.Unhealthy($"database {name} does not accept connections yet", e);
            }
        });
        return server.ApplicationBuilder.AddResource(database)
            .WithInitialState(new CustomResourceSnapshot
            {
                ResourceType = "PostgresDatabase",
                State = KnownResourceStates.Waiting,
                Properties = [],
            })
            .WithIconName("Database")
            .WithHealthCheck(healthCheck);
    }

    /// <summary>
    /// Aspire raises the server's ready event again whenever a resource that waits for it starts (an operator's start
    /// command, a restarted service), also while a PostgreSQL that crashed is still recovering: wait for it to accept
    /// connections rather than fail that start.
    /// </summary>
    private static async Task CreateDatabaseIfMissingAsync(PostgresServerResource server, string database, CancellationToken ct)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await CreateDatabaseIfMissingOnceAsync(server, database, ct);
                return;
            }
            catch (NpgsqlException e) when (e.IsTransient && attempt < 120)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(500), ct);
            }
        }
    }

    private static async Task CreateDatabaseIfMissingOnceAsync(PostgresServerResource server, string database, CancellationToken ct)
    {
        await using var connection = new NpgsqlConnection(await server.ConnectionStringExpression.GetValueAsync(ct) + ";Pooling=false");
        await connection.OpenAsync(ct);
        await using var exists = new NpgsqlCommand("SELECT 1 FROM pg_database WHERE datname = @name", connection);
        exists.Parameters.AddWithValue("name", database);
        if (await exists.ExecuteScalarAsync(ct) is null)
        {
            // Identifiers cannot be parameters; the names are the AppHost's own constants.
            await using var create = new NpgsqlCommand($"CREATE DATABASE \"{database}\"", connection);
            await create.ExecuteNonQueryAsync(ct);
        }
    }
}
