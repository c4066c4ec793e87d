using System.IO.Compression;
using Google.Protobuf;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using TenantAtlas.DevTelemetry.Otlp.Trace;

namespace TenantAtlas.DevTelemetry;

/// <summary>OTLP/HTTP with binary protobuf bodies (<c>POST /v1/traces</c>, <c>/v1/metrics</c>, <c>/v1/logs</c>).</summary>
internal static class OtlpHttpEndpoints
{
    internal const string ProtobufContentType = "application/x-protobuf";

    /// <summary>Largest accepted export body, after gzip decompression.</summary>
    internal const int MaxBodyBytes = 64 * 1024 * 1024;

    private static readonly byte[] EmptyMessage = [];

    public static async Task HandleTracesAsync(HttpContext context)
    {
        var request = context.Request;
        if (!IsProtobuf(request.ContentType))
        {
            await DrainAsync(context).ConfigureAwait(false);
            context.Response.StatusCode = StatusCodes.Status415UnsupportedMediaType;
            await context.Response.WriteAsync(
                "The development OTLP receiver accepts OTLP/HTTP with Content-Type: application/x-protobuf (http/protobuf) or OTLP/gRPC.",
                context.RequestAborted).ConfigureAwait(false);
            return;
        }

        ExportTraceServiceRequest export;
        try
        {
            using var buffer = new MemoryStream();
            var gzip = request.Headers.ContentEncoding.ToString().Equals("gzip", StringComparison.OrdinalIgnoreCase);
            var body = gzip ? new GZipStream(request.Body, CompressionMode.Decompress, leaveOpen: true) : request.Body;
            try
            {
                if (!await CopyBoundedAsync(body, buffer, context.RequestAborted).ConfigureAwait(false))
                {
                    context.Response.StatusCode = StatusCodes.Status413PayloadTooLarge;
                    return;
                }
            }
            finally
            {
                if (gzip)
                {
                    await body.DisposeAsync().ConfigureAwait(false);
                }
            }

            buffer.Position = 0;
            export = ExportTraceServiceRequest.Parser.ParseFrom(buffer);
        }
        catch (Exception ex) when (ex is InvalidProtocolBufferException or InvalidDataException)
        {
            context.Response.StatusCode = StatusCodes.Status400BadRequest;
            await context.Response.WriteAsync("Body is not an OTLP ExportTraceServiceRequest: " + ex.Message, context.RequestAborted)
                .ConfigureAwait(false);
            return;
        }

        var store = context.RequestServices.GetRequiredService<SpanStore>();
        store.Add(OtlpTraceConverter.ToSpans(export));
        await WriteAcceptedAsync(context, new ExportTraceServiceResponse().ToByteArray()).ConfigureAwait(false);
    }

    /// <summary>Metrics and logs: read and discard the body, answer success in the request's encoding.</summary>
    public static async Task HandleDiscardAsync(HttpContext context)
    {
        await DrainAsync(context).ConfigureAwait(false);
        if (IsJson(context.Request.ContentType))
        {
            context.Response.StatusCode = StatusCodes.Status200OK;
            context.Response.ContentType = "application/json";
            await context.Response.WriteAsync("{}", context.RequestAborted).ConfigureAwait(false);
            return;
        }

        await WriteAcceptedAsync(context, EmptyMessage).ConfigureAwait(false);
    }

    /// <summary>Copies at most <see cref="MaxBodyBytes"/> (after decompression); false when the body is larger.</summary>
    private static async Task<bool> CopyBoundedAsync(Stream source, MemoryStream target, CancellationToken cancellationToken)
    {
        var chunk = new byte[64 * 1024];
        int read;
        while ((read = await source.ReadAsync(chunk, cancellationToken).ConfigureAwait(false)) > 0)
        {
            if (target.Length + read > MaxBodyBytes)
            {
                return false;
            }

            target.Write(chunk, 0, read);
        }

        return true;
    }

    private static async Task WriteAcceptedAsync(HttpContext context, byte[] message)
    {
        context.Response.StatusCode = StatusCodes.Status200OK;
        context.Response.ContentType = ProtobufContentType;
        context.Response.ContentLength = message.Length;
        if (message.Length > 0)
        {
            await context.Response.Body.WriteAsync(message, context.RequestAborted).ConfigureAwait(false);
        }
    }

    private static async Task DrainAsync(HttpContext context)
    {
        try
        {
            await context.Request.Body.CopyToAsync(Stream.Null, context.RequestAborted).ConfigureAwait(false);
        }
        catch (IOException)
        {
            // A client that went away; nothing to answer.
        }
    }

    private static bool IsProtobuf(string? contentType) =>
        contentType is not null
        && (contentType.StartsWith(ProtobufContentType, StringComparison.OrdinalIgnoreCase)
            || contentType.StartsWith("application/protobuf", StringComparison.OrdinalIgnoreCase));

    private static bool IsJson(string? contentType) =>
        contentType is not null && contentType.StartsWith("application/json", StringComparison.OrdinalIgnoreCase);
}
