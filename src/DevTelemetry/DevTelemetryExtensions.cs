using System.Globalization;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace TenantAtlas.DevTelemetry;

/// <summary>
/// Hosts the development OTLP receiver and trace viewer in an ASP.NET Core app.
/// <list type="bullet">
/// <item>OTLP/gRPC: <c>/opentelemetry.proto.collector.{trace,metrics,logs}.v1.{Trace,Metrics,Logs}Service/Export</c>
/// (needs an HTTP/2 endpoint; without TLS that endpoint must be <c>Http2</c>-only).</item>
/// <item>OTLP/HTTP protobuf: <c>POST /v1/traces</c>, <c>/v1/metrics</c>, <c>/v1/logs</c> (any HTTP version).</item>
/// <item>Pages: <c>GET /traces[?q=&amp;limit=&amp;refresh=]</c>, <c>GET /traces/{traceId}</c>.</item>
/// <item>JSON: <c>GET /api/traces[?q=&amp;limit=]</c>, <c>GET /api/traces/{traceId}</c>.</item>
/// </list>
/// Metrics and logs are accepted and discarded; spans go to the <see cref="SpanStore"/> singleton.
/// </summary>
public static class DevTelemetryExtensions
{
    /// <summary>Largest accepted gRPC export message (the exporter's default batch is far below this).</summary>
    private const int MaxGrpcMessageBytes = 32 * 1024 * 1024;

    private const int MaxListLimit = 1000;

    private static readonly JsonSerializerOptions JsonOptions = new(JsonSerializerDefaults.Web) { WriteIndented = true };

    /// <summary>Registers the <see cref="SpanStore"/> (at most <paramref name="maxSpans"/> spans) and gRPC.</summary>
    public static IServiceCollection AddDevTelemetry(this IServiceCollection services, int maxSpans = SpanStore.DefaultMaxSpans)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxSpans);

        services.TryAddSingleton(new SpanStore(maxSpans));
        services.AddRouting();
        services.AddGrpc()
            .AddServiceOptions<OtlpTraceReceiver>(o => o.MaxReceiveMessageSize = MaxGrpcMessageBytes)
            .AddServiceOptions<OtlpMetricsReceiver>(o => o.MaxReceiveMessageSize = MaxGrpcMessageBytes)
            .AddServiceOptions<OtlpLogsReceiver>(o => o.MaxReceiveMessageSize = MaxGrpcMessageBytes);
        return services;
    }

    /// <summary>Maps the OTLP receivers (gRPC and HTTP), the trace pages and the JSON API.</summary>
    public static IEndpointRouteBuilder MapDevTelemetry(this IEndpointRouteBuilder endpoints)
    {
        ArgumentNullException.ThrowIfNull(endpoints);

        endpoints.MapGrpcService<OtlpTraceReceiver>();
        endpoints.MapGrpcService<OtlpMetricsReceiver>();
        endpoints.MapGrpcService<OtlpLogsReceiver>();

        endpoints.MapPost("/v1/traces", OtlpHttpEndpoints.HandleTracesAsync);
        endpoints.MapPost("/v1/metrics", OtlpHttpEndpoints.HandleDiscardAsync);
        endpoints.MapPost("/v1/logs", OtlpHttpEndpoints.HandleDiscardAsync);

        endpoints.MapGet("/traces", ListPageAsync);
        endpoints.MapGet("/traces/{traceId}", TracePageAsync);
        endpoints.MapGet("/api/traces", ListJsonAsync);
        endpoints.MapGet("/api/traces/{traceId}", TraceJsonAsync);
        return endpoints;
    }

    private static Task ListPageAsync(HttpContext context)
    {
        var store = context.RequestServices.GetRequiredService<SpanStore>();
        var query = Query(context, "q");
        var limit = Limit(context);
        var refresh = Math.Clamp(IntQuery(context, "refresh") ?? 0, 0, 3600);
        var traces = store.GetRecentTraces(limit, query);
        return WriteHtmlAsync(context, StatusCodes.Status200OK, TracePages.RenderList(traces, query, limit, refresh, BasePath(context), store));
    }

    private static Task TracePageAsync(HttpContext context)
    {
        var store = context.RequestServices.GetRequiredService<SpanStore>();
        var traceId = RouteTraceId(context);
        var trace = store.GetTrace(traceId);
        return trace is null
            ? WriteHtmlAsync(context, StatusCodes.Status404NotFound, TracePages.RenderNotFound(traceId, BasePath(context)))
            : WriteHtmlAsync(context, StatusCodes.Status200OK, TracePages.RenderTrace(trace, BasePath(context)));
    }

    private static Task ListJsonAsync(HttpContext context)
    {
        var store = context.RequestServices.GetRequiredService<SpanStore>();
        var traces = store.GetRecentTraces(Limit(context), Query(context, "q"));
        var list = new TraceList(store.MaxSpans, store.SpanCount, store.TraceCount, store.EvictedSpanCount, traces);
        return WriteJsonAsync(context, StatusCodes.Status200OK, list);
    }

    private static Task TraceJsonAsync(HttpContext context)
    {
        var store = context.RequestServices.GetRequiredService<SpanStore>();
        var traceId = RouteTraceId(context);
        var trace = store.GetTrace(traceId);
        return trace is null
            ? WriteJsonAsync(context, StatusCodes.Status404NotFound, new { error = "trace not found", traceId })
            : WriteJsonAsync(context, StatusCodes.Status200OK, trace);
    }

    private static async Task WriteHtmlAsync(HttpContext context, int status, string html)
    {
        var response = context.Response;
        response.StatusCode = status;
        response.ContentType = "text/html; charset=utf-8";
        response.Headers.CacheControl = "no-store";
        // The pages carry no script at all; say so, so an attribute value that slipped through could not run.
        response.Headers.ContentSecurityPolicy = "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'";
        response.Headers.XContentTypeOptions = "nosniff";
        await response.WriteAsync(html, context.RequestAborted).ConfigureAwait(false);
    }

    private static Task WriteJsonAsync<T>(HttpContext context, int status, T value)
    {
        context.Response.StatusCode = status;
        context.Response.Headers.CacheControl = "no-store";
        return context.Response.WriteAsJsonAsync(value, JsonOptions, context.RequestAborted);
    }

    private static string RouteTraceId(HttpContext context) =>
        (context.Request.RouteValues["traceId"] as string ?? string.Empty).Trim().ToLowerInvariant();

    private static string? Query(HttpContext context, string name)
    {
        var value = context.Request.Query[name].ToString();
        return string.IsNullOrWhiteSpace(value) ? null : value.Trim();
    }

    private static int Limit(HttpContext context) =>
        Math.Clamp(IntQuery(context, "limit") ?? SpanStore.DefaultListLimit, 1, MaxListLimit);

    private static int? IntQuery(HttpContext context, string name) =>
        int.TryParse(context.Request.Query[name].ToString(), NumberStyles.Integer, CultureInfo.InvariantCulture, out var value)
            ? value
            : null;

    private static string BasePath(HttpContext context) => context.Request.PathBase.Value?.TrimEnd('/') ?? string.Empty;
}

/// <summary>Body of <c>GET /api/traces</c>: store statistics and the matching traces, newest first.</summary>
public sealed record TraceList(int MaxSpans, int SpanCount, int TraceCount, long EvictedSpans, IReadOnlyList<TraceSummary> Traces);
