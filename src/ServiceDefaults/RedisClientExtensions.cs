using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using StackExchange.Redis;

namespace TenantAtlas.ServiceDefaults;

/// <summary>
/// Registers the shared Redis connection from <c>ConnectionStrings:{name}</c>, in the shape of Aspire's
/// <c>AddRedisClient</c> (Aspire.StackExchange.Redis is not available here).
/// </summary>
public static class RedisClientExtensions
{
    /// <param name="builder">The service's builder.</param>
    /// <param name="connectionName">The Aspire resource name (connection string name).</param>
    /// <param name="unavailableStatus">What /health reports while Redis is down (Degraded when the service can still serve).</param>
    public static TBuilder AddRedisClient<TBuilder>(this TBuilder builder, string connectionName,
        HealthStatus unavailableStatus = HealthStatus.Unhealthy) where TBuilder : IHostApplicationBuilder
    {
        var connectionString = builder.Configuration.GetConnectionString(connectionName);
        if (string.IsNullOrWhiteSpace(connectionString))
        {
            throw new InvalidOperationException(
                $"ConnectionStrings:{connectionName} is not set: give the service its Redis, e.g. ConnectionStrings__{connectionName}=\"127.0.0.1:6379\".");
        }
        var options = ConfigurationOptions.Parse(connectionString);
        // Start and keep serving while Redis is down, and fail commands at once instead of queueing them:
        // callers (the outbox relay, workers) have their own retry and deadline logic.
        options.AbortOnConnectFail = false;
        options.BacklogPolicy = BacklogPolicy.FailFast;
        options.ConnectTimeout = Math.Min(options.ConnectTimeout, 2000);
        // Reconnect quickly after an outage (the default back-off can leave a service disconnected for many seconds).
        options.ReconnectRetryPolicy = new ExponentialRetry(deltaBackOffMilliseconds: 200, maxDeltaBackOffMilliseconds: 2000);
        builder.Services.AddSingleton<IConnectionMultiplexer>(_ => ConnectionMultiplexer.Connect(options));
        builder.Services.AddHealthChecks().AddCheck<RedisHealthCheck>(connectionName, unavailableStatus);
        return builder;
    }
}

/// <summary>Ready only while Redis answers PING.</summary>
internal sealed class RedisHealthCheck(IConnectionMultiplexer redis) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(
        HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            await redis.GetDatabase().PingAsync();
            return HealthCheckResult.Healthy();
        }
        catch (RedisException e)
        {
            return new HealthCheckResult(context.Registration.FailureStatus, "Redis does not answer.", e);
        }
    }
}
