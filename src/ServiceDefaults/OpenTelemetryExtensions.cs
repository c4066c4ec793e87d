using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;

namespace TenantAtlas.ServiceDefaults;

/// <summary>Traces, metrics and logs for every service; exported over OTLP when an endpoint is configured.</summary>
public static class OpenTelemetryExtensions
{
    /// <summary>Prefix of every ActivitySource and Meter the suite's own code creates.</summary>
    public const string TelemetryPrefix = "TenantAtlas.";

    public static TBuilder ConfigureOpenTelemetry<TBuilder>(this TBuilder builder) where TBuilder : IHostApplicationBuilder
    {
        builder.Logging.AddOpenTelemetry(logging =>
        {
            logging.IncludeFormattedMessage = true;
            logging.IncludeScopes = true;
        });

        builder.Services.AddOpenTelemetry()
            .WithMetrics(metrics => metrics
                .AddAspNetCoreInstrumentation()
                .AddHttpClientInstrumentation()
                .AddRuntimeInstrumentation()
                .AddMeter(TelemetryPrefix + "*"))
            .WithTracing(tracing => tracing
                .SetSampler(BackgroundClientSpanSampler.ParentBased())
                .AddSource(builder.Environment.ApplicationName)
                .AddSource(TelemetryPrefix + "*")
                .AddAspNetCoreInstrumentation(options =>
                    // Health probes every few seconds would drown the interesting traces.
                    options.Filter = context => !IsHealthProbe(context.Request.Path.Value))
                .AddGrpcClientInstrumentation()
                .AddHttpClientInstrumentation());

        // OTLP only when the environment names an endpoint (AppHost, Aspire dashboard, a collector).
        if (!string.IsNullOrWhiteSpace(builder.Configuration["OTEL_EXPORTER_OTLP_ENDPOINT"]))
        {
            builder.Services.AddOpenTelemetry().UseOtlpExporter();
        }

        return builder;
    }

    private static bool IsHealthProbe(string? path) =>
        path is not null && (path.StartsWith(HealthExtensions.HealthPath, StringComparison.OrdinalIgnoreCase)
            || path.StartsWith(HealthExtensions.AlivePath, StringComparison.OrdinalIgnoreCase)
            || path.StartsWith("/grpc.health.v1.Health/", StringComparison.Ordinal));
}
