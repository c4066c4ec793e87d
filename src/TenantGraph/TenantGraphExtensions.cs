using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace TenantAtlas.TenantGraph;

public static class TenantGraphExtensions
{
    /// <summary>Per-tenant Graph clients; the "graph" HTTP handler is where requests leave the process.</summary>
    public static IHostApplicationBuilder AddTenantGraph(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<GraphOptions>().Bind(builder.Configuration.GetSection(GraphOptions.Section))
            .Validate(o => Uri.IsWellFormedUriString(o.BaseUrl, UriKind.Absolute), "Graph:BaseUrl must be an absolute URL.")
            .Validate(o => !string.IsNullOrWhiteSpace(o.ClientId) && !string.IsNullOrWhiteSpace(o.ClientSecret),
                "Graph:ClientId and Graph:ClientSecret (the app registration) are required.")
            .Validate(o => o.MaxRetries >= 0 && o.RetryDelaySeconds >= 0, "Graph:MaxRetries and Graph:RetryDelaySeconds must not be negative.")
            .Validate(o => o.RequestTimeout > o.LongestBackOff,
                "Graph:RequestTimeout must be longer than the back-off of Graph:MaxRetries retries (Graph:RetryDelaySeconds × (2^MaxRetries − 1) seconds), " +
                "or the last retries never happen.")
            .ValidateOnStart();
#pragma warning disable EXTEXP0001 // The SDK's own retry handler honours Retry-After; the generic HTTP resilience must not retry on top.
        builder.Services.AddHttpClient(TenantGraphClients.HttpClientName).RemoveAllResilienceHandlers();
#pragma warning restore EXTEXP0001
        // Graph calls show in the run's trace as HTTP client spans (one per request, retries included); the SDK's
        // own internal spans (a dozen per request) are left out as noise.
        builder.Services.AddSingleton<TenantGraphClients>();
        return builder;
    }
}
