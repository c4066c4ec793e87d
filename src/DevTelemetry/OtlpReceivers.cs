using Grpc.Core;
using TenantAtlas.DevTelemetry.Otlp.Logs;
using TenantAtlas.DevTelemetry.Otlp.Metrics;
using TenantAtlas.DevTelemetry.Otlp.Trace;

namespace TenantAtlas.DevTelemetry;

/// <summary>OTLP/gRPC <c>TraceService.Export</c>: spans go to the <see cref="SpanStore"/>.</summary>
internal sealed class OtlpTraceReceiver(SpanStore store) : TraceService.TraceServiceBase
{
    private static readonly Task<ExportTraceServiceResponse> Accepted = Task.FromResult(new ExportTraceServiceResponse());

    public override Task<ExportTraceServiceResponse> Export(ExportTraceServiceRequest request, ServerCallContext context)
    {
        store.Add(OtlpTraceConverter.ToSpans(request));
        return Accepted;
    }
}

/// <summary>OTLP/gRPC <c>MetricsService.Export</c>: accepted and discarded.</summary>
internal sealed class OtlpMetricsReceiver : MetricsService.MetricsServiceBase
{
    private static readonly Task<ExportMetricsServiceResponse> Accepted = Task.FromResult(new ExportMetricsServiceResponse());

    public override Task<ExportMetricsServiceResponse> Export(ExportMetricsServiceRequest request, ServerCallContext context) => Accepted;
}

/// <summary>OTLP/gRPC <c>LogsService.Export</c>: accepted and discarded.</summary>
internal sealed class OtlpLogsReceiver : LogsService.LogsServiceBase
{
    private static readonly Task<ExportLogsServiceResponse> Accepted = Task.FromResult(new ExportLogsServiceResponse());

    public override Task<ExportLogsServiceResponse> Export(ExportLogsServiceRequest request, ServerCallContext context) => Accepted;
}
