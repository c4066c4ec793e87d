using System.Globalization;
using System.Text;
using Google.Protobuf;
using TenantAtlas.DevTelemetry.Otlp.Trace;

namespace TenantAtlas.DevTelemetry;

/// <summary>Turns an OTLP export request into <see cref="SpanRecord"/>s.</summary>
internal static class OtlpTraceConverter
{
    /// <summary>Attribute values longer than this are cut (with a marker), so one huge value cannot blow the memory bound.</summary>
    internal const int MaxValueLength = 8 * 1024;

    private const string UnknownService = "unknown_service";

    public static List<SpanRecord> ToSpans(ExportTraceServiceRequest request)
    {
        var result = new List<SpanRecord>();
        foreach (var resourceSpans in request.ResourceSpans)
        {
            var resource = ToDictionary(resourceSpans.Resource?.Attributes);
            var service = resource.TryGetValue("service.name", out var name) && !string.IsNullOrEmpty(name)
                ? name
                : UnknownService;
            foreach (var scopeSpans in resourceSpans.ScopeSpans)
            {
                var scope = string.IsNullOrEmpty(scopeSpans.Scope?.Name) ? null : scopeSpans.Scope.Name;
                foreach (var span in scopeSpans.Spans)
                {
                    if (span.TraceId.IsEmpty || span.SpanId.IsEmpty)
                    {
                        continue;
                    }

                    result.Add(new SpanRecord
                    {
                        TraceId = ToHex(span.TraceId),
                        SpanId = ToHex(span.SpanId),
                        ParentSpanId = IsEmptyId(span.ParentSpanId) ? null : ToHex(span.ParentSpanId),
                        Name = span.Name,
                        Kind = span.Kind switch
                        {
                            Span.Types.SpanKind.Internal => TraceSpanKind.Internal,
                            Span.Types.SpanKind.Server => TraceSpanKind.Server,
                            Span.Types.SpanKind.Client => TraceSpanKind.Client,
                            Span.Types.SpanKind.Producer => TraceSpanKind.Producer,
                            Span.Types.SpanKind.Consumer => TraceSpanKind.Consumer,
                            _ => TraceSpanKind.Unspecified,
                        },
                        ServiceName = service,
                        ScopeName = scope,
                        Start = FromUnixNanos(span.StartTimeUnixNano),
                        End = FromUnixNanos(span.EndTimeUnixNano),
                        Status = span.Status?.Code switch
                        {
                            Status.Types.StatusCode.Ok => TraceSpanStatus.Ok,
                            Status.Types.StatusCode.Error => TraceSpanStatus.Error,
                            _ => TraceSpanStatus.Unset,
                        },
                        StatusMessage = string.IsNullOrEmpty(span.Status?.Message) ? null : Truncate(span.Status.Message),
                        Attributes = ToDictionary(span.Attributes),
                        Events = span.Events.Count == 0
                            ? []
                            : [.. span.Events.Select(e => new SpanEventRecord(e.Name, FromUnixNanos(e.TimeUnixNano), ToDictionary(e.Attributes)))],
                        ResourceAttributes = resource,
                    });
                }
            }
        }

        return result;
    }

    internal static DateTimeOffset FromUnixNanos(ulong nanos)
    {
        // DateTimeOffset holds 100 ns ticks; clamp nonsense values instead of throwing.
        var ticks = nanos / 100;
        var max = (ulong)(DateTimeOffset.MaxValue.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks);
        return DateTimeOffset.UnixEpoch.AddTicks((long)Math.Min(ticks, max));
    }

    internal static string ToHex(ByteString bytes) => Convert.ToHexStringLower(bytes.Span);

    private static bool IsEmptyId(ByteString id) => id.IsEmpty || !id.Span.ContainsAnyExcept((byte)0);

    private static IReadOnlyDictionary<string, string> ToDictionary(IEnumerable<KeyValue>? attributes)
    {
        if (attributes is null || !attributes.Any())
        {
            return SpanRecord.EmptyAttributes;
        }

        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var attribute in attributes)
        {
            result[attribute.Key] = Truncate(Format(attribute.Value));
        }

        return result;
    }

    private static string Truncate(string value) =>
        value.Length <= MaxValueLength ? value : string.Concat(value.AsSpan(0, MaxValueLength), "… (truncated)");

    internal static string Format(AnyValue? value)
    {
        if (value is null)
        {
            return string.Empty;
        }

        switch (value.ValueCase)
        {
            case AnyValue.ValueOneofCase.StringValue:
                return value.StringValue;
            case AnyValue.ValueOneofCase.BoolValue:
                return value.BoolValue ? "true" : "false";
            case AnyValue.ValueOneofCase.IntValue:
                return value.IntValue.ToString(CultureInfo.InvariantCulture);
            case AnyValue.ValueOneofCase.DoubleValue:
                return value.DoubleValue.ToString("R", CultureInfo.InvariantCulture);
            case AnyValue.ValueOneofCase.BytesValue:
                return Convert.ToBase64String(value.BytesValue.Span);
            case AnyValue.ValueOneofCase.ArrayValue:
                {
                    var builder = new StringBuilder("[");
                    var first = true;
                    foreach (var item in value.ArrayValue.Values)
                    {
                        builder.Append(first ? string.Empty : ", ").Append(Format(item));
                        first = false;
                    }

                    return builder.Append(']').ToString();
                }

            case AnyValue.ValueOneofCase.KvlistValue:
                {
                    var builder = new StringBuilder("{");
                    var first = true;
                    foreach (var item in value.KvlistValue.Values)
                    {
                        builder.Append(first ? string.Empty : ", ").Append(item.Key).Append(": ").Append(Format(item.Value));
                        first = false;
                    }

                    return builder.Append('}').ToString();
                }

            default:
                return string.Empty;
        }
    }
}
