namespace TenantAtlas.DevTelemetry;

/// <summary>
/// Recent spans in bounded memory, grouped by trace. Holds at most <see cref="MaxSpans"/> spans: when more arrive,
/// whole traces are evicted, least recently updated first (a trace that still receives spans stays). A single trace
/// larger than the bound keeps its newest spans. Thread-safe; a re-sent span (same trace and span id) replaces
/// the earlier copy instead of counting twice.
/// </summary>
public sealed class SpanStore
{
    /// <summary>Default bound on the number of stored spans.</summary>
    public const int DefaultMaxSpans = 20_000;

    /// <summary>Default number of traces a listing returns.</summary>
    public const int DefaultListLimit = 100;

    private readonly Lock _gate = new();
    private readonly Dictionary<string, TraceEntry> _traces = new(StringComparer.Ordinal);

    // Least recently updated trace first.
    private readonly LinkedList<TraceEntry> _order = new();
    private int _spanCount;
    private long _evicted;

    public SpanStore(int maxSpans = DefaultMaxSpans)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxSpans);
        MaxSpans = maxSpans;
    }

    /// <summary>The most spans kept at once.</summary>
    public int MaxSpans { get; }

    /// <summary>Spans currently stored.</summary>
    public int SpanCount
    {
        get
        {
            lock (_gate)
            {
                return _spanCount;
            }
        }
    }

    /// <summary>Traces currently stored.</summary>
    public int TraceCount
    {
        get
        {
            lock (_gate)
            {
                return _traces.Count;
            }
        }
    }

    /// <summary>Spans evicted since the store was created.</summary>
    public long EvictedSpanCount
    {
        get
        {
            lock (_gate)
            {
                return _evicted;
            }
        }
    }

    /// <summary>Adds spans (any mix of traces) and evicts the least recently updated traces beyond the bound.</summary>
    public void Add(IEnumerable<SpanRecord> spans)
    {
        ArgumentNullException.ThrowIfNull(spans);
        lock (_gate)
        {
            foreach (var span in spans)
            {
                if (!_traces.TryGetValue(span.TraceId, out var entry))
                {
                    entry = new TraceEntry(span.TraceId);
                    entry.Node = _order.AddLast(entry);
                    _traces.Add(span.TraceId, entry);
                }
                else if (entry.Node!.Next is not null)
                {
                    _order.Remove(entry.Node);
                    _order.AddLast(entry.Node);
                }

                if (entry.Upsert(span))
                {
                    _spanCount++;
                }
            }

            Evict();
        }
    }

    /// <summary>Removes everything.</summary>
    public void Clear()
    {
        lock (_gate)
        {
            _traces.Clear();
            _order.Clear();
            _spanCount = 0;
        }
    }

    /// <summary>
    /// Recent traces, newest first (by trace start). <paramref name="filter"/> keeps traces whose id starts with it,
    /// or with a span whose name, service or any attribute value contains it (case-insensitive); <c>key=value</c>
    /// also matches an attribute <c>key</c> whose value is exactly <c>value</c>.
    /// </summary>
    public IReadOnlyList<TraceSummary> GetRecentTraces(int limit = DefaultListLimit, string? filter = null)
    {
        var matcher = TraceMatcher.Create(filter);
        return Collect(limit, spans => matcher is null || matcher.Matches(spans));
    }

    /// <summary>Traces with a span whose attribute <paramref name="key"/> equals <paramref name="value"/>, newest first.</summary>
    public IReadOnlyList<TraceSummary> FindTracesByAttribute(string key, string value, int limit = DefaultListLimit)
    {
        ArgumentNullException.ThrowIfNull(key);
        ArgumentNullException.ThrowIfNull(value);
        return Collect(limit, spans => spans.Any(s =>
            s.Attributes.TryGetValue(key, out var v) && string.Equals(v, value, StringComparison.Ordinal)));
    }

    /// <summary>One trace with its spans ordered by start, or null when it is not (or no longer) stored.</summary>
    public TraceDetail? GetTrace(string traceId)
    {
        ArgumentNullException.ThrowIfNull(traceId);
        SpanRecord[] spans;
        lock (_gate)
        {
            if (!_traces.TryGetValue(traceId.Trim().ToLowerInvariant(), out var entry))
            {
                return null;
            }

            spans = [.. entry.Spans];
        }

        Array.Sort(spans, CompareByStart);
        return new TraceDetail(Summarize(spans), spans);
    }

    private List<TraceSummary> Collect(int limit, Func<IReadOnlyList<SpanRecord>, bool> predicate)
    {
        if (limit <= 0)
        {
            return [];
        }

        List<SpanRecord[]> snapshot;
        lock (_gate)
        {
            snapshot = new List<SpanRecord[]>(_traces.Count);
            foreach (var entry in _traces.Values)
            {
                snapshot.Add([.. entry.Spans]);
            }
        }

        var result = new List<TraceSummary>();
        foreach (var spans in snapshot)
        {
            if (spans.Length > 0 && predicate(spans))
            {
                result.Add(Summarize(spans));
            }
        }

        result.Sort((a, b) => b.Start.CompareTo(a.Start) is var c && c != 0
            ? c
            : string.CompareOrdinal(a.TraceId, b.TraceId));
        if (result.Count > limit)
        {
            result.RemoveRange(limit, result.Count - limit);
        }

        return result;
    }

    private void Evict()
    {
        while (_spanCount > MaxSpans && _order.First is { } oldest)
        {
            var entry = oldest.Value;
            if (oldest.Next is null)
            {
                // Only one trace left and it alone exceeds the bound: keep its newest spans.
                var excess = _spanCount - MaxSpans;
                entry.RemoveOldest(excess);
                _spanCount -= excess;
                _evicted += excess;
                break;
            }

            _order.RemoveFirst();
            _traces.Remove(entry.TraceId);
            _spanCount -= entry.Spans.Count;
            _evicted += entry.Spans.Count;
        }
    }

    internal static TraceSummary Summarize(IReadOnlyList<SpanRecord> spans)
    {
        var ids = new HashSet<string>(StringComparer.Ordinal);
        foreach (var span in spans)
        {
            ids.Add(span.SpanId);
        }

        SpanRecord? root = null;
        SpanRecord? earliest = null;
        SpanRecord? orphan = null;
        var start = DateTimeOffset.MaxValue;
        var end = DateTimeOffset.MinValue;
        var errors = 0;
        var services = new List<(string Service, DateTimeOffset First)>();
        foreach (var span in spans)
        {
            if (span.Start < start)
            {
                start = span.Start;
            }

            if (span.End > end)
            {
                end = span.End;
            }

            if (span.Status == TraceSpanStatus.Error)
            {
                errors++;
            }

            if (earliest is null || span.Start < earliest.Start)
            {
                earliest = span;
            }

            if (span.ParentSpanId is null)
            {
                if (root is null || span.Start < root.Start)
                {
                    root = span;
                }
            }
            else if (!ids.Contains(span.ParentSpanId) && (orphan is null || span.Start < orphan.Start))
            {
                // Parent not received (yet): the earliest such span stands in when there is no real root.
                orphan = span;
            }

            var index = services.FindIndex(s => s.Service == span.ServiceName);
            if (index < 0)
            {
                services.Add((span.ServiceName, span.Start));
            }
            else if (span.Start < services[index].First)
            {
                services[index] = (span.ServiceName, span.Start);
            }
        }

        root ??= orphan ?? earliest!;
        services.Sort((a, b) => a.First.CompareTo(b.First));
        return new TraceSummary
        {
            TraceId = root.TraceId,
            RootName = root.Name,
            RootService = root.ServiceName,
            Services = services.ConvertAll(s => s.Service),
            SpanCount = spans.Count,
            Start = start,
            Duration = end > start ? end - start : TimeSpan.Zero,
            HasError = errors > 0,
            ErrorCount = errors,
        };
    }

    private static int CompareByStart(SpanRecord a, SpanRecord b) =>
        a.Start.CompareTo(b.Start) is var c && c != 0 ? c : string.CompareOrdinal(a.SpanId, b.SpanId);

    private sealed class TraceEntry(string traceId)
    {
        private readonly Dictionary<string, int> _indexBySpanId = new(StringComparer.Ordinal);

        public string TraceId { get; } = traceId;

        public List<SpanRecord> Spans { get; } = [];

        public LinkedListNode<TraceEntry>? Node { get; set; }

        /// <summary>Adds the span, or replaces a copy with the same id; true when the span is new.</summary>
        public bool Upsert(SpanRecord span)
        {
            if (_indexBySpanId.TryGetValue(span.SpanId, out var index))
            {
                Spans[index] = span;
                return false;
            }

            _indexBySpanId.Add(span.SpanId, Spans.Count);
            Spans.Add(span);
            return true;
        }

        public void RemoveOldest(int count)
        {
            Spans.RemoveRange(0, Math.Min(count, Spans.Count));
            _indexBySpanId.Clear();
            for (var i = 0; i < Spans.Count; i++)
            {
                _indexBySpanId[Spans[i].SpanId] = i;
            }
        }
    }

    private sealed class TraceMatcher
    {
        private readonly string _text;
        private readonly string? _key;
        private readonly string? _value;

        private TraceMatcher(string text)
        {
            _text = text;
            var eq = text.IndexOf('=', StringComparison.Ordinal);
            if (eq > 0 && !text.AsSpan(0, eq).ContainsAny(' ', '\t'))
            {
                _key = text[..eq];
                _value = text[(eq + 1)..];
            }
        }

        public static TraceMatcher? Create(string? filter) =>
            string.IsNullOrWhiteSpace(filter) ? null : new TraceMatcher(filter.Trim());

        public bool Matches(IReadOnlyList<SpanRecord> spans)
        {
            if (spans.Count > 0 && spans[0].TraceId.StartsWith(_text, StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }

            foreach (var span in spans)
            {
                if (Contains(span.Name) || Contains(span.ServiceName) || Contains(span.SpanId))
                {
                    return true;
                }

                if (_key is not null && span.Attributes.TryGetValue(_key, out var exact)
                    && string.Equals(exact, _value, StringComparison.Ordinal))
                {
                    return true;
                }

                foreach (var value in span.Attributes.Values)
                {
                    if (Contains(value))
                    {
                        return true;
                    }
                }
            }

            return false;
        }

        private bool Contains(string? value) =>
            value is not null && value.Contains(_text, StringComparison.OrdinalIgnoreCase);
    }
}
