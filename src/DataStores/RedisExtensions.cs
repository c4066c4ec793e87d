using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using OpenTelemetry.Trace;
using StackExchange.Redis;
using TenantAtlas.ServiceDefaults;

namespace TenantAtlas.DataStores;

/// <summary>
/// The shared Redis connection from <c>ConnectionStrings:{name}</c>, through Aspire's <c>AddRedisClient</c>
/// (health check, traces), tuned for a service that must keep serving while Redis is away.
/// </summary>
public static class RedisExtensions
{
    /// <summary>The name Aspire gives its Redis health check.</summary>
    private const string AspireHealthCheckName = "StackExchange.Redis";

    /// <param name="builder">The service's builder.</param>
    /// <param name="connectionName">The Aspire resource name (connection string name).</param>
    /// <param name="unavailableStatus">What /health reports while Redis is down (Degraded when the service can still serve).</param>
    public static IHostApplicationBuilder AddRedis(this IHostApplicationBuilder builder, string connectionName,
        HealthStatus unavailableStatus = HealthStatus.Unhealthy)
    {
        if (string.IsNullOrWhiteSpace(builder.Configuration.GetConnectionString(connectionName)))
        {
            throw new InvalidOperationException(
                $"ConnectionStrings:{connectionName} is not set: give the service its Redis, e.g. ConnectionStrings__{connectionName}=\"127.0.0.1:6379\".");
        }
        // Aspire's own Redis tracing keeps its instrumentation's default 10 s flush, which it does not let us change:
        // holding every profiled command that long cost ~40 MB per process under load (benchmark footprint). The
        // OpenTelemetry instrumentation below is the same, flushed each second.
        builder.AddRedisClient(connectionName, settings => settings.DisableTracing = true, configureOptions: options =>
        {
            // Start and keep serving while Redis is down, and fail commands at once instead of queueing them:
            // callers (the outbox relay, workers) have their own retry and deadline logic.
            options.AbortOnConnectFail = false;
            options.BacklogPolicy = BacklogPolicy.FailFast;
            options.ConnectTimeout = Math.Min(options.ConnectTimeout, 2000);
            // Reconnect quickly after an outage (the default back-off can leave a service disconnected for many seconds).
            options.ReconnectRetryPolicy = new ExponentialRetry(deltaBackOffMilliseconds: 200, maxDeltaBackOffMilliseconds: 2000);
        });
        // Aspire's own switch turns it off: each command is profiled (background polls too, whose spans the sampler then
        // drops), measured at ~0.3 ms per EnsureRun at one caller (docs/benchmarks.md).
        if (!builder.Configuration.GetValue<bool>("Aspire:StackExchange:Redis:DisableTracing"))
        {
            builder.Services.AddOpenTelemetry().WithTracing(tracing =>
                tracing.AddRedisInstrumentation(options => options.FlushInterval = TimeSpan.FromSeconds(1)));
        }
        // A call that needed Redis while it is away answers UNAVAILABLE (retry), not INTERNAL.
        builder.Services.Configure<TransientFailureOptions>(o => o.Detectors.Add(e => e is RedisConnectionException));
        builder.Services.Configure<HealthCheckServiceOptions>(health =>
        {
            foreach (var registration in health.Registrations.Where(r => r.Name == AspireHealthCheckName))
            {
                registration.FailureStatus = unavailableStatus;
            }
        });
        return builder;
    }
}
