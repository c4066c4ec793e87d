using System.Net;
using System.Net.Http.Json;
using Microsoft.Extensions.Logging;
using OpenTelemetry;
using OpenTelemetry.Exporter;
using OpenTelemetry.Logs;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;

namespace TenantAtlas.DevTelemetry.Tests;

/// <summary>The real OpenTelemetry .NET OTLP exporter (1.20) sending to the receiver, over http/protobuf and gRPC.</summary>
public sealed class OtlpExporterTests : IAsyncLifetime
{
    private DevTelemetryHost _host = null!;

    public async Task InitializeAsync() => _host = await DevTelemetryHost.StartAsync();

    public async Task DisposeAsync() => await _host.DisposeAsync();

    [Theory]
    [InlineData(OtlpExportProtocol.HttpProtobuf)]
    [InlineData(OtlpExportProtocol.Grpc)]
    public async Task Export_TwoServices_TraceListedWithBothServices(OtlpExportProtocol protocol)
    {
        var runId = Guid.NewGuid().ToString();
        var traceId = TelemetryExport.EmitTwoServiceTrace(_host, protocol, runId, "list");

        var list = await _host.Client.GetFromJsonAsync<TraceList>("/api/traces");

        Assert.NotNull(list);
        var trace = Assert.Single(list.Traces, t => t.TraceId == traceId);
        Assert.Equal(["list-frontend", "list-backend"], trace.Services);
        Assert.Equal(2, trace.SpanCount);
        Assert.Equal(TelemetryExport.HostileName, trace.RootName);
        Assert.Equal("list-frontend", trace.RootService);
        Assert.True(trace.HasError);
        Assert.True(trace.Duration > TimeSpan.Zero);
        Assert.Equal(2, list.SpanCount);

        var exchanges = _host.Recorder.Exchanges;
        Assert.NotEmpty(exchanges);
        Assert.All(exchanges, e => Assert.Equal(HttpStatusCode.OK, e.Status));
        if (protocol == OtlpExportProtocol.Grpc)
        {
            Assert.All(exchanges, e => Assert.Equal("/opentelemetry.proto.collector.trace.v1.TraceService/Export", e.Path));
            Assert.All(exchanges, e => Assert.Equal(HttpVersion.Version20, e.Version));
        }
        else
        {
            Assert.All(exchanges, e => Assert.Equal("/v1/traces", e.Path));
            Assert.All(exchanges, e => Assert.Equal("application/x-protobuf", e.ContentType));
        }
    }

    [Fact]
    public async Task Export_SpanDetails_SurviveTheWire()
    {
        var runId = Guid.NewGuid().ToString();
        var traceId = TelemetryExport.EmitTwoServiceTrace(_host, OtlpExportProtocol.HttpProtobuf, runId, "detail");

        var detail = await _host.Client.GetFromJsonAsync<TraceDetail>($"/api/traces/{traceId}");

        Assert.NotNull(detail);
        Assert.Equal(2, detail.Spans.Count);
        var parent = detail.Spans[0];
        var child = detail.Spans[1];
        Assert.Equal(traceId, parent.TraceId);
        Assert.Null(parent.ParentSpanId);
        Assert.Equal(parent.SpanId, child.ParentSpanId);
        Assert.Equal(16, parent.SpanId.Length);
        Assert.Equal(TraceSpanKind.Server, parent.Kind);
        Assert.Equal(TraceSpanKind.Client, child.Kind);
        Assert.Equal("detail-frontend", parent.ServiceName);
        Assert.Equal("detail-backend", child.ServiceName);
        Assert.Equal("detail-backend", child.ResourceAttributes["service.name"]);
        Assert.StartsWith("DevTelemetry.Tests.detail.Backend.", child.ScopeName, StringComparison.Ordinal);
        Assert.Equal(runId, parent.Attributes[TelemetryExport.RunIdAttribute]);
        Assert.Equal("202", parent.Attributes["http.response.status_code"]);
        Assert.Equal("3", child.Attributes["retry.count"]);
        Assert.Equal("0.5", child.Attributes["ratio"]);
        Assert.Equal("true", child.Attributes["flag"]);
        Assert.Equal("[a, b]", child.Attributes["tags"]);
        Assert.Equal(TraceSpanStatus.Unset, parent.Status);
        Assert.Equal(TraceSpanStatus.Error, child.Status);
        Assert.Equal("boom <here>", child.StatusMessage);
        var queued = Assert.Single(child.Events);
        Assert.Equal("queued", queued.Name);
        Assert.Equal("runs", queued.Attributes["queue"]);
        Assert.True(child.Start >= parent.Start && child.End <= parent.End);
        Assert.True(Math.Abs((DateTimeOffset.UtcNow - parent.Start).TotalMinutes) < 5);
    }

    [Fact]
    public async Task TimelinePage_RendersBothSpans_HtmlEncoded()
    {
        var traceId = TelemetryExport.EmitTwoServiceTrace(_host, OtlpExportProtocol.HttpProtobuf, Guid.NewGuid().ToString(), "page");

        var response = await _host.Client.GetAsync($"/traces/{traceId}");
        var html = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/html", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains("GET /runs/&lt;b&gt;{runId}&lt;/b&gt; &amp; &quot;more&quot;", html, StringComparison.Ordinal);
        Assert.Contains("StartRun", html, StringComparison.Ordinal);
        Assert.Contains("page-frontend", html, StringComparison.Ordinal);
        Assert.Contains("page-backend", html, StringComparison.Ordinal);
        Assert.Contains("&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;", html, StringComparison.Ordinal);
        Assert.DoesNotContain("<script", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("<b>", html, StringComparison.Ordinal);
        Assert.Contains("boom &lt;here&gt;", html, StringComparison.Ordinal);
        // One expandable row per span, the child indented one level below the root.
        Assert.Equal(2, CountOf(html, "<details>"));
        Assert.Contains("padding-left:8px", html, StringComparison.Ordinal);
        Assert.Contains("padding-left:24px", html, StringComparison.Ordinal);
        Assert.Contains("class=\"bar err\"", html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Filter_ByRunId_FindsTheTrace()
    {
        var runId = Guid.NewGuid().ToString();
        var traceId = TelemetryExport.EmitTwoServiceTrace(_host, OtlpExportProtocol.HttpProtobuf, runId, "filter");
        var otherTraceId = TelemetryExport.EmitTwoServiceTrace(_host, OtlpExportProtocol.HttpProtobuf, Guid.NewGuid().ToString(), "filter");

        var byValue = await _host.Client.GetFromJsonAsync<TraceList>($"/api/traces?q={runId}");
        var byKeyValue = await _host.Client.GetFromJsonAsync<TraceList>($"/api/traces?q={Uri.EscapeDataString(TelemetryExport.RunIdAttribute + "=" + runId)}");
        var byTraceId = await _host.Client.GetFromJsonAsync<TraceList>($"/api/traces?q={traceId.ToUpperInvariant()}");
        var bySpanName = await _host.Client.GetFromJsonAsync<TraceList>("/api/traces?q=startrun");
        var none = await _host.Client.GetFromJsonAsync<TraceList>("/api/traces?q=no-such-value");
        var page = await _host.Client.GetStringAsync($"/traces?q={runId}");
        var allPage = await _host.Client.GetStringAsync("/traces");

        Assert.Equal(traceId, Assert.Single(byValue!.Traces).TraceId);
        Assert.Equal(traceId, Assert.Single(byKeyValue!.Traces).TraceId);
        Assert.Equal(traceId, Assert.Single(byTraceId!.Traces).TraceId);
        Assert.Equal(2, bySpanName!.Traces.Count);
        Assert.Equal(otherTraceId, bySpanName.Traces[0].TraceId); // newest first
        Assert.Empty(none!.Traces);
        Assert.Contains($"/traces/{traceId}", page, StringComparison.Ordinal);
        Assert.DoesNotContain(otherTraceId, page, StringComparison.Ordinal);
        Assert.Contains($"value=\"{runId}\"", page, StringComparison.Ordinal);
        Assert.Contains(traceId, allPage, StringComparison.Ordinal);
        Assert.Contains(otherTraceId, allPage, StringComparison.Ordinal);
        Assert.True(allPage.IndexOf(otherTraceId, StringComparison.Ordinal) < allPage.IndexOf(traceId, StringComparison.Ordinal));
        Assert.Contains("class=\"error\"", allPage, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(OtlpExportProtocol.HttpProtobuf)]
    [InlineData(OtlpExportProtocol.Grpc)]
    public void MetricsAndLogsExports_AreAccepted(OtlpExportProtocol protocol)
    {
        var meterName = "DevTelemetry.Tests.Meter." + Guid.NewGuid().ToString("N");
        using (var meterProvider = Sdk.CreateMeterProviderBuilder()
            .ConfigureResource(r => r.AddService("metrics-service"))
            .AddMeter(meterName)
            .AddOtlpExporter(o => TelemetryExport.Configure(o, _host, protocol, "v1/metrics"))
            .Build())
        using (var meter = new System.Diagnostics.Metrics.Meter(meterName))
        {
            meter.CreateCounter<long>("runs.started").Add(3);
            meter.CreateHistogram<double>("run.duration").Record(12.5);
            Assert.True(meterProvider.ForceFlush(10_000));
        }

        using (var loggerFactory = LoggerFactory.Create(logging => logging.AddOpenTelemetry(o =>
        {
            o.SetResourceBuilder(ResourceBuilder.CreateDefault().AddService("logs-service"));
            o.AddOtlpExporter(e => TelemetryExport.Configure(e, _host, protocol, "v1/logs"));
        })))
        {
            loggerFactory.CreateLogger("DevTelemetry.Tests").LogWarning("Run {RunId} took {Ms} ms", Guid.NewGuid(), 42);
        }

        var exchanges = _host.Recorder.Exchanges;
        var (metricsPath, logsPath) = protocol == OtlpExportProtocol.Grpc
            ? ("/opentelemetry.proto.collector.metrics.v1.MetricsService/Export", "/opentelemetry.proto.collector.logs.v1.LogsService/Export")
            : ("/v1/metrics", "/v1/logs");
        Assert.Contains(exchanges, e => e.Path == metricsPath);
        Assert.Contains(exchanges, e => e.Path == logsPath);
        Assert.All(exchanges, e => Assert.Equal(HttpStatusCode.OK, e.Status));
        Assert.Equal(0, _host.Store.SpanCount);
    }

    private static int CountOf(string text, string value)
    {
        var count = 0;
        for (var i = text.IndexOf(value, StringComparison.Ordinal); i >= 0; i = text.IndexOf(value, i + value.Length, StringComparison.Ordinal))
        {
            count++;
        }

        return count;
    }
}
