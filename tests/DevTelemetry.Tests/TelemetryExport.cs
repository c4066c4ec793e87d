using System.Diagnostics;
using OpenTelemetry;
using OpenTelemetry.Exporter;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace TenantAtlas.DevTelemetry.Tests;

/// <summary>Emits a real two-service trace through the OpenTelemetry .NET SDK and its OTLP exporter.</summary>
internal static class TelemetryExport
{
    public const string RunIdAttribute = "tenantatlas.run.id";
    public const string HostileName = "GET /runs/<b>{runId}</b> & \"more\"";
    public const string HostileValue = "<script>alert('x')</script>";

    private static readonly string[] Tags = ["a", "b"];

    public static TracerProvider CreateTracerProvider(DevTelemetryHost host, string serviceName, string sourceName, OtlpExportProtocol protocol) =>
        Sdk.CreateTracerProviderBuilder()
            .ConfigureResource(r => r.AddService(serviceName))
            .AddSource(sourceName)
            .SetSampler(new AlwaysOnSampler())
            .AddOtlpExporter(o => Configure(o, host, protocol, "v1/traces"))
            .Build();

    public static void Configure(OtlpExporterOptions options, DevTelemetryHost host, OtlpExportProtocol protocol, string httpPath)
    {
        options.Protocol = protocol;
        // A programmatic endpoint is used as given for http/protobuf (no signal path appended), as the base for gRPC.
        options.Endpoint = protocol == OtlpExportProtocol.HttpProtobuf
            ? new Uri(host.Server.BaseAddress, httpPath)
            : host.Server.BaseAddress;
        options.ExportProcessorType = ExportProcessorType.Simple;
        options.HttpClientFactory = host.CreateExporterClient;
    }

    /// <summary>
    /// "frontend" (server span) calls "backend" (client span, error status, an event); each service has its own
    /// TracerProvider and resource, as two processes would. Returns the trace id.
    /// </summary>
    public static string EmitTwoServiceTrace(DevTelemetryHost host, OtlpExportProtocol protocol, string runId, string prefix)
    {
        var frontendSourceName = $"DevTelemetry.Tests.{prefix}.Frontend.{Guid.NewGuid():N}";
        var backendSourceName = $"DevTelemetry.Tests.{prefix}.Backend.{Guid.NewGuid():N}";
        using var frontend = CreateTracerProvider(host, $"{prefix}-frontend", frontendSourceName, protocol);
        using var backend = CreateTracerProvider(host, $"{prefix}-backend", backendSourceName, protocol);
        using var frontendSource = new ActivitySource(frontendSourceName);
        using var backendSource = new ActivitySource(backendSourceName, "1.2.3");

        string traceId;
        var previous = Activity.Current;
        Activity.Current = null;
        try
        {
            using (var parent = frontendSource.StartActivity(HostileName, ActivityKind.Server))
            {
                Assert.NotNull(parent);
                traceId = parent.TraceId.ToHexString();
                parent.SetTag(RunIdAttribute, runId);
                parent.SetTag("html.probe", HostileValue);
                parent.SetTag("http.response.status_code", 202);
                Thread.Sleep(5);
                using (var child = backendSource.StartActivity("StartRun", ActivityKind.Client))
                {
                    Assert.NotNull(child);
                    child.SetTag(RunIdAttribute, runId);
                    child.SetTag("retry.count", 3);
                    child.SetTag("ratio", 0.5);
                    child.SetTag("flag", true);
                    child.SetTag("tags", Tags);
                    child.AddEvent(new ActivityEvent("queued", tags: new ActivityTagsCollection { ["queue"] = "runs" }));
                    child.SetStatus(ActivityStatusCode.Error, "boom <here>");
                    Thread.Sleep(5);
                }
            }
        }
        finally
        {
            Activity.Current = previous;
        }

        Assert.True(backend.ForceFlush(10_000));
        Assert.True(frontend.ForceFlush(10_000));
        return traceId;
    }
}
