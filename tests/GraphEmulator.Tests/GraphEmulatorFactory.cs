using System.Net.Http.Json;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Graph;
using Microsoft.Kiota.Abstractions.Authentication;
using Microsoft.Kiota.Http.HttpClientLibrary.Middleware;
using Microsoft.Kiota.Http.HttpClientLibrary.Middleware.Options;
using TenantAtlas.GraphEmulator.Tenants;

namespace TenantAtlas.GraphEmulator.Tests;

/// <summary>
/// Hosts the emulator in-process, drives its admin API, and builds real <see cref="GraphServiceClient"/>s whose
/// SDK pipeline (<see cref="GraphClientFactory"/>: retry, redirect, compression...) ends in the test server.
/// Each test defines its own tenant, so tests sharing a factory stay independent.
/// </summary>
public class GraphEmulatorFactory : WebApplicationFactory<Program>
{
    /// <summary>The Graph base URL on the test server.</summary>
    public const string GraphBaseUrl = "http://localhost/v1.0";

    /// <summary>Short SDK back-off so throttling tests stay quick (Graph's default is Delay 3, MaxRetry 3).</summary>
    public static RetryHandlerOption FastRetry() => new() { Delay = 1, MaxRetry = 5 };

    /// <summary>Defines a new tenant (random id and credentials unless given) and returns it with its summary.</summary>
    public async Task<TestTenant> DefineTenantAsync(TenantDefinition definition, string? tenantId = null)
    {
        tenantId ??= Guid.NewGuid().ToString();
        if (string.IsNullOrEmpty(definition.ClientId))
            definition.ClientId = Guid.NewGuid().ToString();
        if (string.IsNullOrEmpty(definition.ClientSecret))
            definition.ClientSecret = $"secret-{Guid.NewGuid():N}";

        using var admin = CreateClient();
        using var response = await admin.PutAsJsonAsync($"/emulator/tenants/{tenantId}", definition);
        response.EnsureSuccessStatusCode();
        var summary = await response.Content.ReadFromJsonAsync<TenantSummary>()
            ?? throw new InvalidOperationException("The emulator returned no tenant summary.");
        return new TestTenant(summary.TenantId, definition.ClientId, definition.ClientSecret, summary);
    }

    public async Task SetFaultsAsync(string tenantId, FaultSettings faults)
    {
        using var admin = CreateClient();
        using var response = await admin.PutAsJsonAsync($"/emulator/tenants/{tenantId}/faults", faults);
        response.EnsureSuccessStatusCode();
    }

    public async Task ClearFaultsAsync(string tenantId)
    {
        using var admin = CreateClient();
        using var response = await admin.DeleteAsync($"/emulator/tenants/{tenantId}/faults");
        response.EnsureSuccessStatusCode();
    }

    public async Task<RequestCounts> GetRequestCountsAsync(string tenantId)
    {
        using var admin = CreateClient();
        return await admin.GetFromJsonAsync<RequestCounts>($"/emulator/tenants/{tenantId}/requests")
            ?? throw new InvalidOperationException("The emulator returned no request counts.");
    }

    /// <summary>A plain HTTP client of the test server carrying a bearer token of the tenant, for raw Graph JSON.</summary>
    public async Task<HttpClient> CreateGraphHttpClientAsync(TestTenant tenant)
    {
        using var tokens = CreateTokenProvider(tenant);
        var token = await tokens.GetAuthorizationTokenAsync(new Uri(GraphBaseUrl));
        var http = CreateClient();
        http.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", token);
        return http;
    }

    public async Task<TenantSummary> GetSummaryAsync(string tenantId)
    {
        using var admin = CreateClient();
        return await admin.GetFromJsonAsync<TenantSummary>($"/emulator/tenants/{tenantId}")
            ?? throw new InvalidOperationException("The emulator returned no tenant summary.");
    }

    /// <summary>A token provider for the tenant's credentials (or a wrong secret) on the emulator's token endpoint.</summary>
    public EmulatorAccessTokenProvider CreateTokenProvider(TestTenant tenant, string? clientSecret = null)
    {
        var http = CreateClient();
        return new EmulatorAccessTokenProvider(
            http,
            EmulatorAccessTokenProvider.TokenEndpointFor(http.BaseAddress!, tenant.TenantId),
            tenant.ClientId,
            clientSecret ?? tenant.ClientSecret);
    }

    /// <summary>A real Graph SDK client for the tenant, authenticated through the emulator's token endpoint.</summary>
    public GraphServiceClient CreateGraphClient(TestTenant tenant, RetryHandlerOption? retry = null) =>
        CreateGraphClient(CreateTokenProvider(tenant), retry);

    /// <summary>A real Graph SDK client: the default Graph handlers (with <paramref name="retry"/>) over the test server.</summary>
    public GraphServiceClient CreateGraphClient(IAccessTokenProvider tokens, RetryHandlerOption? retry = null)
    {
        var handlers = GraphClientFactory.CreateDefaultHandlers();
        var retryHandler = handlers.OfType<RetryHandler>().Single();
        handlers[handlers.IndexOf(retryHandler)] = new RetryHandler(retry ?? FastRetry());
        retryHandler.Dispose();

        var httpClient = GraphClientFactory.Create(handlers, finalHandler: Server.CreateHandler());
        return new GraphServiceClient(httpClient, new BaseBearerTokenAuthenticationProvider(tokens), GraphBaseUrl);
    }
}

/// <summary>A tenant defined for one test: its id, credentials and the emulator's summary (policy ids in order).</summary>
public sealed record TestTenant(string TenantId, string ClientId, string ClientSecret, TenantSummary Summary);
