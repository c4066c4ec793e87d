using System.Text.Json.Serialization;
using Microsoft.Extensions.DependencyInjection.Extensions;
using TenantAtlas.GraphEmulator.Graph;
using TenantAtlas.GraphEmulator.Tenants;

namespace TenantAtlas.GraphEmulator.Extensions;

public static class GraphEmulatorExtensions
{
    /// <summary>The tenant store, Graph-style JSON (camelCase, nulls omitted), problem details and health checks.</summary>
    public static IHostApplicationBuilder AddGraphEmulator(this IHostApplicationBuilder builder)
    {
        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services.AddSingleton<TenantStore>();
        builder.Services.AddSingleton<GraphSubRequestPipeline>();
        builder.Services.ConfigureHttpJsonOptions(options =>
            options.SerializerOptions.DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull);
        builder.Services.AddProblemDetails();
        builder.Services.AddHealthChecks();
        return builder;
    }

    /// <summary>
    /// Puts <see cref="GraphRequestMiddleware"/> (auth, faults, budget, request log) in front of every <c>/v1.0</c>
    /// request, and builds the same pipeline for <c>$batch</c> sub-requests.
    /// </summary>
    public static WebApplication UseGraphRequestPipeline(this WebApplication app)
    {
        app.Services.GetRequiredService<GraphSubRequestPipeline>().SetUp(app);
        app.UseWhen(
            context => context.Request.Path.StartsWithSegments("/v1.0", StringComparison.OrdinalIgnoreCase),
            graph => graph.UseMiddleware<GraphRequestMiddleware>());
        return app;
    }
}
