using Yarp.ReverseProxy.Configuration;

namespace TenantAtlas.Gateway.Extensions;

/// <summary>
/// /v1/** to the service that owns it. Destinations are service names (<c>http://runs</c>) that service discovery
/// resolves (Aspire's <c>services__{service}__http__0</c>, or DNS where nothing is configured); the bearer token is
/// validated here and forwarded unchanged, so each service still decides access itself.
/// </summary>
public static class GatewayRoutingExtensions
{
    /// <summary>Route → service, most specific first. Everything else under /v1 is RunsService's.</summary>
    private static readonly (string RouteId, string Path, string Service, int Order)[] Routes =
    [
        ("inventory-sync", "/v1/tenants/{tenantId}/inventory:sync", "inventory", 0),
        ("inventory-items", "/v1/tenants/{tenantId}/inventory/{**rest}", "inventory", 0),
        ("directory-groups-sync", "/v1/tenants/{tenantId}/directory-groups:sync", "inventory", 0),
        ("directory-groups", "/v1/tenants/{tenantId}/directory-groups", "inventory", 0),
        ("directory-groups-resolve", "/v1/tenants/{tenantId}/directory-groups:resolve", "inventory", 0),
        ("backup-sets-of-tenant", "/v1/tenants/{tenantId}/backup-sets", "backup", 0),
        ("backup-sets", "/v1/backup-sets/{**rest}", "backup", 0),
        ("backup-schedules-of-tenant", "/v1/tenants/{tenantId}/backup-schedules", "backup", 0),
        ("backup-schedules", "/v1/backup-schedules/{**rest}", "backup", 0),
        ("drift-generate", "/v1/tenants/{tenantId}/drift:generate", "backup", 0),
        ("drift-runs", "/v1/drift-runs/{**rest}", "backup", 0),
        ("restores-of-tenant", "/v1/tenants/{tenantId}/restores", "restore", 0),
        ("restores", "/v1/restores/{**rest}", "restore", 0),
        // Watch streams (WatchRun / WatchRuns) go to a cluster of their own whose idle timeout fits a stream that may
        // stay quiet for long (YARP's default of 100 s would cut a watched run that does not change for that long).
        ("run-watch", "/v1/runs/{runId}:watch", WatchCluster, 0),
        ("workspace-runs-watch", "/v1/workspaces/{workspaceId}/runs:watch", WatchCluster, 0),
        ("runs", "/v1/{**rest}", "runs", 10),
    ];

    /// <summary>RunsService again, for long-lived watch streams.</summary>
    private const string WatchCluster = "runs-watch";

    /// <summary>The service behind a cluster of the proxy.</summary>
    public static string ServiceOf(string clusterId) => clusterId == WatchCluster ? "runs" : clusterId;

    public static IHostApplicationBuilder AddGatewayRouting(this IHostApplicationBuilder builder)
    {
        var watchIdle = builder.Configuration.GetValue("Gateway:WatchIdleTimeout", TimeSpan.FromHours(1));
        var clusters = Routes.Select(r => r.Service).Distinct().Select(cluster => new ClusterConfig
        {
            ClusterId = cluster,
            Destinations = new Dictionary<string, DestinationConfig>
            {
                [cluster] = new() { Address = $"http://{ServiceOf(cluster)}" },
            },
            HttpRequest = cluster == WatchCluster ? new Yarp.ReverseProxy.Forwarder.ForwarderRequestConfig { ActivityTimeout = watchIdle } : null,
        }).ToList();
        var routes = Routes.Select(r => new RouteConfig
        {
            RouteId = r.RouteId,
            ClusterId = r.Service,
            Order = r.Order,
            AuthorizationPolicy = "default",
            Match = new RouteMatch { Path = r.Path },
        }).ToList();
        builder.Services.AddReverseProxy().LoadFromMemory(routes, clusters).AddServiceDiscoveryDestinationResolver();
        return builder;
    }

    public static WebApplication MapGatewayRoutes(this WebApplication app)
    {
        app.MapReverseProxy();
        return app;
    }
}
