using System.IO.Compression;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using Google.Protobuf;
using Grpc.Net.Client;
using OpenTelemetry.Exporter;
using OpenTelemetry.Trace;
using TenantAtlas.DevTelemetry.Otlp.Logs;
using TenantAtlas.DevTelemetry.Otlp.Metrics;
using TenantAtlas.DevTelemetry.Otlp.Trace;
using OtlpStatus = TenantAtlas.DevTelemetry.Otlp.Trace.Status;

namespace TenantAtlas.DevTelemetry.Tests;

/// <summary>The receiver driven directly: a gRPC client generated from the same protos, raw OTLP/HTTP posts.</summary>
public sealed class ReceiverTests : IAsyncLifetime
{
    private static readonly ByteString TraceIdBytes = ByteString.CopyFrom(Convert.FromHexString("0af7651916cd43dd8448eb211c80319c"));
    private DevTelemetryHost _host = null!;
    private GrpcChannel _channel = null!;

    public async Task InitializeAsync()
    {
        _host = await DevTelemetryHost.StartAsync();
        _channel = GrpcChannel.ForAddress(_host.Server.BaseAddress, new GrpcChannelOptions { HttpHandler = _host.Server.CreateHandler() });
    }

    public async Task DisposeAsync()
    {
        _channel.Dispose();
        await _host.DisposeAsync();
    }

    [Fact]
    public async Task GrpcExport_StoresEveryValueShape()
    {
        var client = new TraceService.TraceServiceClient(_channel);

        await client.ExportAsync(Request());

        var detail = await _host.Client.GetFromJsonAsync<TraceDetail>("/api/traces/0AF7651916CD43DD8448EB211C80319C");
        Assert.NotNull(detail);
        var span = Assert.Single(detail.Spans);
        Assert.Equal("0af7651916cd43dd8448eb211c80319c", span.TraceId);
        Assert.Equal("b7ad6b7169203331", span.SpanId);
        Assert.Null(span.ParentSpanId); // all-zero parent id means root
        Assert.Equal("process message", span.Name);
        Assert.Equal(TraceSpanKind.Consumer, span.Kind);
        Assert.Equal("unknown_service", span.ServiceName);
        Assert.Equal("my.scope", span.ScopeName);
        Assert.Equal(DateTimeOffset.FromUnixTimeMilliseconds(1_700_000_000_000), span.Start);
        Assert.Equal(TimeSpan.FromMilliseconds(250), span.Duration);
        Assert.Equal(TraceSpanStatus.Ok, span.Status);
        Assert.Equal("x", span.Attributes["s"]);
        Assert.Equal("-7", span.Attributes["i"]);
        Assert.Equal("1.25", span.Attributes["d"]);
        Assert.Equal("false", span.Attributes["b"]);
        Assert.Equal("AQI=", span.Attributes["bytes"]);
        Assert.Equal("[1, y]", span.Attributes["arr"]);
        Assert.Equal("{k: v}", span.Attributes["kv"]);
        Assert.Equal("value", span.ResourceAttributes["host.name"]);
        var e = Assert.Single(span.Events);
        Assert.Equal("exception", e.Name);
        Assert.Equal("bad", e.Attributes["exception.message"]);
    }

    [Fact]
    public async Task GrpcExport_SkipsSpansWithoutIds_AndCountsResentSpansOnce()
    {
        var client = new TraceService.TraceServiceClient(_channel);
        var request = Request();
        request.ResourceSpans[0].ScopeSpans[0].Spans.Add(new Span { Name = "no ids" });

        await client.ExportAsync(request);
        await client.ExportAsync(request);

        Assert.Equal(1, _host.Store.SpanCount);
    }

    [Fact]
    public async Task GrpcMetricsAndLogsExports_Succeed()
    {
        var metrics = await new MetricsService.MetricsServiceClient(_channel).ExportAsync(new ExportMetricsServiceRequest());
        var logs = await new LogsService.LogsServiceClient(_channel).ExportAsync(new ExportLogsServiceRequest());

        Assert.NotNull(metrics);
        Assert.NotNull(logs);
    }

    [Fact]
    public async Task HttpExport_AcceptsGzip_AndAnswersProtobuf()
    {
        using var compressed = new MemoryStream();
        await using (var gzip = new GZipStream(compressed, CompressionLevel.Fastest, leaveOpen: true))
        {
            Request().WriteTo(gzip);
        }

        using var content = new ByteArrayContent(compressed.ToArray());
        content.Headers.ContentType = new MediaTypeHeaderValue("application/x-protobuf");
        content.Headers.ContentEncoding.Add("gzip");
        using var response = await _host.Client.PostAsync("/v1/traces", content);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/x-protobuf", response.Content.Headers.ContentType?.MediaType);
        ExportTraceServiceResponse.Parser.ParseFrom(await response.Content.ReadAsByteArrayAsync());
        Assert.Equal(1, _host.Store.SpanCount);
    }

    [Fact]
    public async Task HttpExport_RejectsJsonAndGarbage()
    {
        using var json = await _host.Client.PostAsync("/v1/traces", JsonContent.Create(new { resourceSpans = Array.Empty<object>() }));
        using var garbageContent = new ByteArrayContent([0x0A, 0xFF, 0xFF]);
        garbageContent.Headers.ContentType = new MediaTypeHeaderValue("application/x-protobuf");
        using var garbage = await _host.Client.PostAsync("/v1/traces", garbageContent);

        Assert.Equal(HttpStatusCode.UnsupportedMediaType, json.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, garbage.StatusCode);
        Assert.Equal(0, _host.Store.SpanCount);
    }

    [Theory]
    [InlineData("/v1/metrics", "application/x-protobuf")]
    [InlineData("/v1/logs", "application/x-protobuf")]
    [InlineData("/v1/logs", "application/json")]
    public async Task HttpMetricsAndLogs_AreDiscardedWith200(string path, string contentType)
    {
        using var content = new ByteArrayContent([0x0A, 0x02, 0x0A, 0x00]);
        content.Headers.ContentType = new MediaTypeHeaderValue(contentType);

        using var response = await _host.Client.PostAsync(path, content);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(contentType, response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task UnknownTrace_Is404_OnPageAndApi()
    {
        using var page = await _host.Client.GetAsync("/traces/<nope>");
        using var api = await _host.Client.GetAsync("/api/traces/ffffffffffffffffffffffffffffffff");

        Assert.Equal(HttpStatusCode.NotFound, page.StatusCode);
        Assert.Contains("&lt;nope&gt;", await page.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.NotFound, api.StatusCode);
    }

    [Fact]
    public async Task ListPage_WithoutTraces_SaysSo()
    {
        var html = await _host.Client.GetStringAsync("/traces?q=%3Cscript%3E");

        Assert.Contains("No stored trace matches.", html, StringComparison.Ordinal);
        Assert.Contains("value=\"&lt;script&gt;\"", html, StringComparison.Ordinal);
        Assert.DoesNotContain("<script", html, StringComparison.Ordinal);
    }

    private static ExportTraceServiceRequest Request()
    {
        var span = new Span
        {
            TraceId = TraceIdBytes,
            SpanId = ByteString.CopyFrom(Convert.FromHexString("b7ad6b7169203331")),
            ParentSpanId = ByteString.CopyFrom(new byte[8]),
            Name = "process message",
            Kind = Span.Types.SpanKind.Consumer,
            StartTimeUnixNano = 1_700_000_000_000_000_000,
            EndTimeUnixNano = 1_700_000_000_250_000_000,
            Status = new OtlpStatus { Code = OtlpStatus.Types.StatusCode.Ok },
            Attributes =
            {
                Kv("s", new AnyValue { StringValue = "x" }),
                Kv("i", new AnyValue { IntValue = -7 }),
                Kv("d", new AnyValue { DoubleValue = 1.25 }),
                Kv("b", new AnyValue { BoolValue = false }),
                Kv("bytes", new AnyValue { BytesValue = ByteString.CopyFrom(1, 2) }),
                Kv("arr", new AnyValue { ArrayValue = new ArrayValue { Values = { new AnyValue { IntValue = 1 }, new AnyValue { StringValue = "y" } } } }),
                Kv("kv", new AnyValue { KvlistValue = new KeyValueList { Values = { Kv("k", new AnyValue { StringValue = "v" }) } } }),
            },
            Events =
            {
                new Span.Types.Event
                {
                    Name = "exception",
                    TimeUnixNano = 1_700_000_000_100_000_000,
                    Attributes = { Kv("exception.message", new AnyValue { StringValue = "bad" }) },
                },
            },
        };
        return new ExportTraceServiceRequest
        {
            ResourceSpans =
            {
                new ResourceSpans
                {
                    Resource = new Resource { Attributes = { Kv("host.name", new AnyValue { StringValue = "value" }) } },
                    ScopeSpans = { new ScopeSpans { Scope = new InstrumentationScope { Name = "my.scope" }, Spans = { span } } },
                },
            },
        };
    }

    private static KeyValue Kv(string key, AnyValue value) => new() { Key = key, Value = value };
}

/// <summary>The bound holds end to end: many traces from the real exporter into a small store.</summary>
public sealed class EvictionEndToEndTests : IAsyncLifetime
{
    private DevTelemetryHost _host = null!;

    public async Task InitializeAsync() => _host = await DevTelemetryHost.StartAsync(maxSpans: 50);

    public async Task DisposeAsync() => await _host.DisposeAsync();

    [Fact]
    public async Task ManyTraces_StoreStaysBounded_NewestKept()
    {
        var sourceName = "DevTelemetry.Tests.Eviction." + Guid.NewGuid().ToString("N");
        using var provider = TelemetryExport.CreateTracerProvider(_host, "eviction", sourceName, OtlpExportProtocol.HttpProtobuf);
        using var source = new System.Diagnostics.ActivitySource(sourceName);
        var traceIds = new List<string>();
        for (var i = 0; i < 40; i++)
        {
            System.Diagnostics.Activity.Current = null;
            using var root = source.StartActivity("root-" + i);
            traceIds.Add(root!.TraceId.ToHexString());
            using (source.StartActivity("child-a"))
            {
            }

            using (source.StartActivity("child-b"))
            {
            }
        }

        Assert.True(provider.ForceFlush(10_000));

        var list = await _host.Client.GetFromJsonAsync<TraceList>("/api/traces?limit=1000");
        Assert.NotNull(list);
        Assert.True(list.SpanCount <= 50, $"{list.SpanCount} spans stored");
        Assert.Equal(50, list.MaxSpans);
        Assert.Equal(120 - list.SpanCount, list.EvictedSpans);
        Assert.Equal(list.SpanCount, list.Traces.Sum(t => t.SpanCount));
        Assert.Equal(3, list.Traces.Single(t => t.TraceId == traceIds[^1]).SpanCount);
        Assert.Equal("root-39", list.Traces[0].RootName);
        using var oldest = await _host.Client.GetAsync($"/api/traces/{traceIds[0]}");
        Assert.Equal(HttpStatusCode.NotFound, oldest.StatusCode);
    }
}
