namespace TenantAtlas.AppHost.Resources;

/// <summary>What every service project of the suite gets from the AppHost.</summary>
public static class SuiteServiceExtensions
{
    /// <summary>
    /// Readiness on <c>/health</c> of its HTTP endpoint (so <c>WaitFor</c> means "serves"), the development signing
    /// key, and a short OTLP export timeout: without it each service waits out the exporter's 10 s default for a final
    /// flush to a dashboard that is already gone, and stopping takes tens of seconds.
    /// </summary>
    public static IResourceBuilder<ProjectResource> WithSuiteDefaults(this IResourceBuilder<ProjectResource> service,
        IResourceBuilder<ParameterResource> signingKey)
    {
        service.WithHttpHealthCheck("/health", endpointName: "http")
            .WithEnvironment("Auth__SigningKey", signingKey)
            .WithEnvironment("OTEL_EXPORTER_OTLP_TIMEOUT", "1000");
        // Telemetry goes to the dashboard, unless the person running the AppHost names another OTLP backend.
        if (Environment.GetEnvironmentVariable("OTEL_EXPORTER_OTLP_ENDPOINT") is { Length: > 0 } otlpEndpoint)
        {
            service.WithEnvironment("OTEL_EXPORTER_OTLP_ENDPOINT", otlpEndpoint)
                .WithEnvironment("OTEL_EXPORTER_OTLP_PROTOCOL", Environment.GetEnvironmentVariable("OTEL_EXPORTER_OTLP_PROTOCOL") ?? "grpc")
                .WithEnvironment("OTEL_EXPORTER_OTLP_HEADERS", Environment.GetEnvironmentVariable("OTEL_EXPORTER_OTLP_HEADERS") ?? string.Empty);
        }
        return service;
    }
}
