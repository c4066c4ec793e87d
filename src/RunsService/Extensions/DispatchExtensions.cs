using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using TenantAtlas.RunsService.Dispatch;
using TenantAtlas.DataStores;

namespace TenantAtlas.RunsService.Extensions;

public static class DispatchExtensions
{
    /// <summary>Aspire resource name of Redis (<c>ConnectionStrings__redis</c>).</summary>
    public const string RedisConnectionName = "redis";

    /// <summary>The outbox relay that hands new runs' jobs to the services' Redis streams.</summary>
    public static IHostApplicationBuilder AddRunDispatch(this IHostApplicationBuilder builder)
    {
        // Runs are still accepted while Redis is down (their jobs wait in the outbox), so that is Degraded, not Unhealthy.
        builder.AddRedis(RedisConnectionName, HealthStatus.Degraded);
        builder.Services.AddSingleton<DispatchSignal>();
        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services.AddSingleton<JobPublisher>();
        builder.Services.AddSingleton<ImmediateDispatch>();
        builder.Services.AddSingleton<CancelSignal>();
        builder.Services.AddSingleton<DispatchExpiry>();
        builder.Services.AddHostedService<OutboxRelay>();
        builder.Services.AddSingleton<LostJobSweep>();
        builder.Services.AddHostedService(services => services.GetRequiredService<LostJobSweep>());
        return builder;
    }
}
