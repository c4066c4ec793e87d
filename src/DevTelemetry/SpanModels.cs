using System.Text.Json.Serialization;

namespace TenantAtlas.DevTelemetry;

/// <summary>Span kind as OTLP defines it.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<TraceSpanKind>))]
public enum TraceSpanKind
{
    Unspecified = 0,
    Internal = 1,
    Server = 2,
    Client = 3,
    Producer = 4,
    Consumer = 5,
}

/// <summary>Span status code as OTLP defines it.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<TraceSpanStatus>))]
public enum TraceSpanStatus
{
    Unset = 0,
    Ok = 1,
    Error = 2,
}

/// <summary>A time-stamped annotation of a span (for example an <c>exception</c> event).</summary>
public sealed record SpanEventRecord(string Name, DateTimeOffset Time, IReadOnlyDictionary<string, string> Attributes);

/// <summary>One received span. Ids are lower-case hex; <see cref="ParentSpanId"/> is null for a root span.</summary>
public sealed record SpanRecord
{
    public required string TraceId { get; init; }
    public required string SpanId { get; init; }
    public string? ParentSpanId { get; init; }
    public required string Name { get; init; }
    public TraceSpanKind Kind { get; init; }

    /// <summary>The resource attribute <c>service.name</c> (<c>unknown_service</c> when absent).</summary>
    public required string ServiceName { get; init; }

    public string? ScopeName { get; init; }
    public DateTimeOffset Start { get; init; }
    public DateTimeOffset End { get; init; }
    public TraceSpanStatus Status { get; init; }
    public string? StatusMessage { get; init; }
    public IReadOnlyDictionary<string, string> Attributes { get; init; } = EmptyAttributes;
    public IReadOnlyList<SpanEventRecord> Events { get; init; } = [];

    /// <summary>Attributes of the resource that sent the span (shared by all spans of one export batch).</summary>
    public IReadOnlyDictionary<string, string> ResourceAttributes { get; init; } = EmptyAttributes;

    public TimeSpan Duration => End >= Start ? End - Start : TimeSpan.Zero;

    public double DurationMs => Duration.TotalMilliseconds;

    internal static readonly IReadOnlyDictionary<string, string> EmptyAttributes =
        new Dictionary<string, string>(0, StringComparer.Ordinal);
}

/// <summary>One line of the recent-traces list.</summary>
public sealed record TraceSummary
{
    public required string TraceId { get; init; }

    /// <summary>Name of the root span (the earliest span without a parent in the trace, else the earliest span).</summary>
    public required string RootName { get; init; }

    public required string RootService { get; init; }

    /// <summary>Services involved, in order of their first span.</summary>
    public required IReadOnlyList<string> Services { get; init; }

    public int SpanCount { get; init; }
    public DateTimeOffset Start { get; init; }
    public TimeSpan Duration { get; init; }
    public double DurationMs => Duration.TotalMilliseconds;
    public bool HasError { get; init; }
    public int ErrorCount { get; init; }
}

/// <summary>A trace with its spans, ordered by start time.</summary>
public sealed record TraceDetail(TraceSummary Summary, IReadOnlyList<SpanRecord> Spans);
