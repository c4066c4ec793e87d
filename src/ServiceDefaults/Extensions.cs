using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace TenantAtlas.ServiceDefaults;

/// <summary>
/// The two calls every service makes: <see cref="AddServiceDefaults"/> right after creating the builder and
/// <see cref="MapDefaultEndpoints"/> right after building the app (the Aspire ServiceDefaults pattern).
/// </summary>
public static class Extensions
{
    /// <summary>Telemetry, health, service discovery, resilient HTTP clients, message size limits and gRPC basics.</summary>
    public static TBuilder AddServiceDefaults<TBuilder>(this TBuilder builder) where TBuilder : IHostApplicationBuilder
    {
        builder.ConfigureOpenTelemetry();
        builder.AddDefaultHealthChecks();
        builder.Services.AddServiceDiscovery();
        builder.Services.ConfigureHttpClientDefaults(http =>
        {
            http.AddStandardResilienceHandler();
            http.AddServiceDiscovery();
        });
        builder.AddRequestLimits();
        builder.AddGrpcDefaults();
        return builder;
    }

    /// <summary>Health endpoints (HTTP and gRPC) and gRPC reflection. Endpoints only: middleware is each Program's to order.</summary>
    public static WebApplication MapDefaultEndpoints(this WebApplication app)
    {
        app.MapHealthEndpoints();
        app.MapGrpcDefaults();
        return app;
    }
}
