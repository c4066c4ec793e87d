using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace TenantAtlas.DevTelemetry.Tests;

/// <summary>A minimal web app hosting the receiver on a <see cref="TestServer"/>, as the AppHost does on Kestrel.</summary>
public sealed class DevTelemetryHost : IAsyncDisposable
{
    private readonly WebApplication _app;

    private DevTelemetryHost(WebApplication app)
    {
        _app = app;
        Server = app.GetTestServer();
        Store = app.Services.GetRequiredService<SpanStore>();
        Client = Server.CreateClient();
    }

    public TestServer Server { get; }

    public SpanStore Store { get; }

    /// <summary>Client for the pages and the JSON API.</summary>
    public HttpClient Client { get; }

    /// <summary>Every request the exporters sent, with the status they got.</summary>
    public RecordingHandler Recorder { get; private set; } = null!;

    public static async Task<DevTelemetryHost> StartAsync(int maxSpans = SpanStore.DefaultMaxSpans)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { EnvironmentName = "Development" });
        builder.WebHost.UseTestServer();
        builder.Logging.ClearProviders();
        builder.Services.AddDevTelemetry(maxSpans);
        var app = builder.Build();
        app.MapDevTelemetry();
        await app.StartAsync();
        var host = new DevTelemetryHost(app);
        host.Recorder = new RecordingHandler(host.Server.CreateHandler());
        return host;
    }

    /// <summary>An HttpClient for an OTLP exporter (<c>OtlpExporterOptions.HttpClientFactory</c>) that reaches the test server.</summary>
    public HttpClient CreateExporterClient() =>
        new(Recorder, disposeHandler: false) { BaseAddress = Server.BaseAddress, Timeout = TimeSpan.FromSeconds(30) };

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        Recorder.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}

/// <summary>Records each request's path and response status; runs synchronous sends over the async path.</summary>
public sealed class RecordingHandler(HttpMessageHandler inner) : DelegatingHandler(inner)
{
    private readonly List<(string Path, string? ContentType, Version Version, HttpStatusCode Status)> _exchanges = [];

    public IReadOnlyList<(string Path, string? ContentType, Version Version, HttpStatusCode Status)> Exchanges
    {
        get
        {
            lock (_exchanges)
            {
                return [.. _exchanges];
            }
        }
    }

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var response = await base.SendAsync(request, cancellationToken);
        lock (_exchanges)
        {
            _exchanges.Add((request.RequestUri!.AbsolutePath, request.Content?.Headers.ContentType?.MediaType, request.Version, response.StatusCode));
        }

        return response;
    }

    // The OTLP/HTTP exporter sends synchronously (HttpClient.Send); TestServer's handler only implements SendAsync.
    protected override HttpResponseMessage Send(HttpRequestMessage request, CancellationToken cancellationToken) =>
        SendAsync(request, cancellationToken).GetAwaiter().GetResult();
}
