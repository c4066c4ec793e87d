namespace TenantAtlas.AppHost;

/// <summary>The Aspire dashboard as the running app has it.</summary>
public static class Dashboard
{
    /// <summary>The name Aspire gives the dashboard's resource.</summary>
    private const string ResourceName = "aspire-dashboard";

    /// <summary>
    /// The dashboard's address as DCP allocated it: launchSettings' fixed port, or a random one under
    /// <c>--DcpPublisher:RandomizePorts=true</c>. Null without a dashboard (Aspire.Hosting.Testing runs none).
    /// </summary>
    public static string? Url(IServiceProvider services) =>
        services.GetRequiredService<DistributedApplicationModel>().Resources
            .OfType<IResourceWithEndpoints>()
            .FirstOrDefault(resource => resource.Name == ResourceName)?.GetEndpoint("http") is { Exists: true, IsAllocated: true } endpoint
            ? endpoint.Url
            : null;

    /// <summary>
    /// The dashboard's sign-in link: Aspire's default browser-token login, kept on purpose (the dashboard shows
    /// secrets, logs and traces of every service, and a loopback port is reachable by every local user).
    /// </summary>
    public static string? LoginUrl(IServiceProvider services, IConfiguration configuration) =>
        Url(services) is not { } url ? null
        : configuration["AppHost:BrowserToken"] is { Length: > 0 } token ? $"{url}/login?t={token}"
        : url;
}
