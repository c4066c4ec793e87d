using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using TenantAtlas.AppHost.Hosting;
using TenantAtlas.DevTelemetry;

namespace TenantAtlas.AppHost.Telemetry;

/// <summary>
/// The development OTLP endpoint, hosted inside the AppHost (the Aspire dashboard cannot be installed here):
/// services export to its gRPC endpoint; a person opens its trace pages on the HTTP endpoint.
/// </summary>
public sealed class DevTelemetryResource(string name, int grpcPort, int httpPort) : Resource(name)
{
    private WebApplication? app;

    /// <summary>Where services send OTLP/gRPC.</summary>
    public string OtlpEndpoint => $"http://127.0.0.1:{grpcPort}";

    /// <summary>The trace viewer's root.</summary>
    public string BaseUrl => $"http://127.0.0.1:{httpPort}";

    /// <summary>The trace pages.</summary>
    public string TracesUrl => $"{BaseUrl}/traces";

    public string ApiUrl => $"http://127.0.0.1:{httpPort}/api/traces";

    public override string DisplayUrl => $"traces={TracesUrl}  otlp={OtlpEndpoint}";

    public override async Task StartAsync(SuiteContext context, CancellationToken ct)
    {
        State = ResourceState.Starting;
        var builder = WebApplication.CreateSlimBuilder();
        // Only the endpoints below: the AppHost's output folder also holds the services' appsettings.json (copied
        // with the project references), whose Kestrel endpoints must not apply here.
        builder.Configuration.Sources.Clear();
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.ListenLocalhost(grpcPort, o => o.Protocols = HttpProtocols.Http2);
            kestrel.ListenLocalhost(httpPort, o => o.Protocols = HttpProtocols.Http1);
        });
        builder.Services.AddDevTelemetry();
        app = builder.Build();
        app.MapDevTelemetry();
        app.MapGet("/", () => Results.Redirect("/traces"));
        await app.StartAsync(ct);
    }

    public override Task<bool> IsHealthyAsync(CancellationToken ct)
    {
        if (app is not null)
        {
            State = ResourceState.Running;
        }
        return Task.FromResult(app is not null);
    }

    public override async Task StopAsync()
    {
        if (app is not null)
        {
            await app.StopAsync();
            await app.DisposeAsync();
            State = ResourceState.Stopped;
        }
    }

    public override string Diagnostics() => "the development OTLP endpoint could not start (port in use?)";
}
