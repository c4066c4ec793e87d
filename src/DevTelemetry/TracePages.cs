using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;

namespace TenantAtlas.DevTelemetry;

/// <summary>Server-rendered HTML for the trace list and the trace timeline: inline CSS, no script, everything encoded.</summary>
internal static class TracePages
{
    private const string Css = """
        :root{--line:#d0d7de;--muted:#57606a}
        *{box-sizing:border-box}
        body{margin:0;font:14px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;color:#1f2328;background:#f6f8fa}
        header{display:flex;gap:16px;align-items:baseline;padding:10px 16px;background:#24292f;color:#fff}
        header a{color:#fff;text-decoration:none;font-weight:600}
        header .muted{color:#c9d1d9}
        main{padding:16px}
        h1{font-size:18px;margin:0 0 6px}
        h4{margin:10px 0 4px;font-size:13px}
        a{color:#0969da}
        .muted{color:var(--muted)}
        .mono{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:12px}
        form.filter{display:flex;gap:8px;margin:0 0 10px}
        form.filter input[type=search]{flex:1;max-width:640px;padding:6px 8px;border:1px solid var(--line);border-radius:6px;font:inherit}
        form.filter button{padding:6px 14px;border:1px solid var(--line);border-radius:6px;background:#fff;font:inherit;cursor:pointer}
        table{border-collapse:collapse;width:100%;background:#fff;border:1px solid var(--line)}
        th,td{padding:6px 8px;border-bottom:1px solid var(--line);text-align:left;vertical-align:top}
        th{background:#f6f8fa;font-weight:600;font-size:12px}
        td.num{text-align:right;white-space:nowrap}
        .chip{display:inline-block;margin:1px 4px 1px 0;padding:0 7px;border-radius:10px;color:#fff;font-size:12px;white-space:nowrap}
        .error{display:inline-block;padding:0 6px;border-radius:4px;background:#cf222e;color:#fff;font-size:12px;font-weight:600}
        .legend{margin:6px 0 12px}
        .timeline{background:#fff;border:1px solid var(--line)}
        .axis,.timeline summary{display:grid;grid-template-columns:minmax(300px,38%) 1fr;align-items:center}
        .axis{border-bottom:1px solid var(--line);background:#f6f8fa;font-size:12px;color:var(--muted)}
        .axis{padding-right:8px}
        .axis .ticks{position:relative;height:22px;margin-left:8px}
        .axis .tick{position:absolute;top:3px;transform:translateX(-50%);white-space:nowrap}
        .axis .tick.first{transform:none}
        .axis .tick.last{transform:translateX(-100%)}
        .timeline details{border-bottom:1px solid #eaeef2}
        .timeline details[open]{background:#fbfcfd}
        .timeline summary{cursor:pointer;list-style:none;padding:2px 8px 2px 0}
        .timeline summary::-webkit-details-marker{display:none}
        .timeline summary:hover{background:#f3f6f9}
        .label{overflow:hidden;white-space:nowrap;text-overflow:ellipsis}
        .label .name{font-weight:600}
        .label .meta{color:var(--muted);font-size:12px}
        .track{position:relative;height:20px;margin-left:8px;background:repeating-linear-gradient(90deg,transparent 0 calc(25% - 1px),#eaeef2 calc(25% - 1px) 25%)}
        .bar{position:absolute;top:3px;height:14px;min-width:2px;border-radius:3px}
        .bar.err{outline:2px solid #cf222e;outline-offset:1px}
        .bar-text{position:absolute;top:2px;font-size:11px;color:var(--muted);white-space:nowrap}
        .info{padding:4px 12px 12px}
        .info table{width:auto;min-width:50%;font-size:12px}
        .info td:first-child{white-space:nowrap;color:var(--muted)}
        .info td{padding:2px 8px;word-break:break-word}
        """;

    public static string RenderList(IReadOnlyList<TraceSummary> traces, string? query, int limit, int refreshSeconds, string basePath, SpanStore store)
    {
        var html = new StringBuilder(4096 + (traces.Count * 512));
        Begin(html, "Traces", basePath, refreshSeconds);
        html.Append("<main><h1>Recent traces</h1>");
        html.Append("<form class=\"filter\" method=\"get\" action=\"").Append(Enc(basePath)).Append("/traces\">")
            .Append("<input type=\"search\" name=\"q\" value=\"").Append(Enc(query ?? string.Empty))
            .Append("\" placeholder=\"Trace id, span name, service or attribute value (e.g. a run id); key=value for one attribute\">")
            .Append("<button type=\"submit\">Filter</button>");
        if (!string.IsNullOrEmpty(query))
        {
            html.Append("<a href=\"").Append(Enc(basePath)).Append("/traces\">clear</a>");
        }

        html.Append("</form>");
        html.Append("<p class=\"muted\">").Append(traces.Count).Append(traces.Count == 1 ? " trace" : " traces")
            .Append(string.IsNullOrEmpty(query) ? string.Empty : " matching")
            .Append(traces.Count >= limit ? " (limit " + limit.ToString(CultureInfo.InvariantCulture) + ")" : string.Empty)
            .Append(", newest first · store: ").Append(store.SpanCount).Append(" spans in ").Append(store.TraceCount)
            .Append(" traces, at most ").Append(store.MaxSpans).Append(" spans");
        var evicted = store.EvictedSpanCount;
        if (evicted > 0)
        {
            html.Append(", ").Append(evicted).Append(" evicted");
        }

        html.Append(" · ");
        var refreshHref = basePath + "/traces?" + (string.IsNullOrEmpty(query) ? string.Empty : "q=" + Uri.EscapeDataString(query) + "&");
        if (refreshSeconds > 0)
        {
            html.Append("<a href=\"").Append(Enc(refreshHref.TrimEnd('&', '?'))).Append("\">stop auto-refresh</a>");
        }
        else
        {
            html.Append("<a href=\"").Append(Enc(refreshHref + "refresh=5")).Append("\">auto-refresh</a>");
        }

        html.Append("</p>");

        if (traces.Count == 0)
        {
            html.Append("<p>").Append(string.IsNullOrEmpty(query)
                ? "No traces yet. Services export here when OTEL_EXPORTER_OTLP_ENDPOINT points at this host."
                : "No stored trace matches.").Append("</p>");
        }
        else
        {
            html.Append("<table><thead><tr><th>Started (UTC)</th><th>Root span</th><th>Services</th>")
                .Append("<th class=\"num\">Spans</th><th class=\"num\">Duration</th><th></th></tr></thead><tbody>");
            foreach (var trace in traces)
            {
                html.Append("<tr><td class=\"mono\">").Append(Enc(FormatTimestamp(trace.Start))).Append("</td>")
                    .Append("<td><a href=\"").Append(Enc(basePath)).Append("/traces/").Append(Enc(Uri.EscapeDataString(trace.TraceId))).Append("\">")
                    .Append(Enc(trace.RootName.Length == 0 ? "(unnamed)" : trace.RootName)).Append("</a>")
                    .Append("<div class=\"mono muted\">").Append(Enc(trace.TraceId)).Append("</div></td><td>");
                foreach (var service in trace.Services)
                {
                    Chip(html, service);
                }

                html.Append("</td><td class=\"num\">").Append(trace.SpanCount).Append("</td>")
                    .Append("<td class=\"num\">").Append(Enc(FormatDuration(trace.Duration))).Append("</td><td>");
                if (trace.HasError)
                {
                    html.Append("<span class=\"error\" title=\"").Append(trace.ErrorCount).Append(" span(s) with status Error\">error</span>");
                }

                html.Append("</td></tr>");
            }

            html.Append("</tbody></table>");
        }

        html.Append("</main>");
        return End(html);
    }

    public static string RenderTrace(TraceDetail trace, string basePath)
    {
        var summary = trace.Summary;
        var spans = trace.Spans;
        var html = new StringBuilder(4096 + (spans.Count * 1024));
        Begin(html, summary.RootName + " · trace", basePath, refreshSeconds: 0);
        html.Append("<main><h1>").Append(Enc(summary.RootName.Length == 0 ? "(unnamed)" : summary.RootName)).Append("</h1>");
        html.Append("<div class=\"muted\"><span class=\"mono\">").Append(Enc(summary.TraceId)).Append("</span> · started ")
            .Append(Enc(FormatTimestamp(summary.Start))).Append(" UTC · ").Append(Enc(FormatDuration(summary.Duration)))
            .Append(" · ").Append(summary.SpanCount).Append(summary.SpanCount == 1 ? " span" : " spans");
        if (summary.HasError)
        {
            html.Append(" · <span class=\"error\">").Append(summary.ErrorCount).Append(" error</span>");
        }

        html.Append(" · <a href=\"").Append(Enc(basePath)).Append("/api/traces/").Append(Enc(Uri.EscapeDataString(summary.TraceId)))
            .Append("\">JSON</a></div>");
        html.Append("<div class=\"legend\">");
        foreach (var service in summary.Services)
        {
            Chip(html, service);
        }

        html.Append("</div>");

        var total = Math.Max(summary.Duration.Ticks, 1);
        html.Append("<div class=\"timeline\"><div class=\"axis\"><div style=\"padding:3px 8px\">Span</div><div class=\"ticks\">");
        for (var i = 0; i <= 4; i++)
        {
            var cls = i == 0 ? "tick first" : i == 4 ? "tick last" : "tick";
            html.Append("<span class=\"").Append(cls).Append("\" style=\"left:").Append(i * 25).Append("%\">")
                .Append(Enc(FormatDuration(TimeSpan.FromTicks(summary.Duration.Ticks * i / 4)))).Append("</span>");
        }

        html.Append("</div></div>");
        foreach (var (span, depth) in Flatten(spans))
        {
            var offset = span.Start - summary.Start;
            var left = Math.Clamp(offset.Ticks * 100.0 / total, 0, 100);
            var width = Math.Clamp(span.Duration.Ticks * 100.0 / total, 0, 100 - left);
            var color = ServiceColor(span.ServiceName);
            var isError = span.Status == TraceSpanStatus.Error;
            var durationText = FormatDuration(span.Duration);

            html.Append("<details><summary><span class=\"label\" style=\"padding-left:")
                .Append(8 + (Math.Min(depth, 40) * 16)).Append("px\" title=\"").Append(Enc(span.Name)).Append("\">")
                .Append(isError ? "<span class=\"error\">error</span> " : string.Empty)
                .Append("<span class=\"name\">").Append(Enc(span.Name.Length == 0 ? "(unnamed)" : span.Name)).Append("</span> ")
                .Append("<span class=\"meta\">").Append(Enc(span.ServiceName)).Append(" · ").Append(Enc(KindText(span.Kind)))
                .Append(" · ").Append(Enc(durationText)).Append("</span>");

            html.Append("</span><span class=\"track\"><span class=\"bar").Append(isError ? " err" : string.Empty)
                .Append("\" style=\"left:").Append(Percent(left)).Append("%;width:").Append(Percent(width))
                .Append("%;background:").Append(color).Append("\" title=\"").Append(Enc(span.ServiceName + ": " + span.Name + " (" + durationText + ")"))
                .Append("\"></span>");
            if (left + width <= 80)
            {
                html.Append("<span class=\"bar-text\" style=\"left:calc(").Append(Percent(left + width)).Append("% + 4px)\">")
                    .Append(Enc(durationText)).Append("</span>");
            }
            else if (left >= 15)
            {
                html.Append("<span class=\"bar-text\" style=\"right:calc(").Append(Percent(100 - left)).Append("% + 4px)\">")
                    .Append(Enc(durationText)).Append("</span>");
            }

            html.Append("</span></summary><div class=\"info\" style=\"padding-left:").Append(12 + (Math.Min(depth, 40) * 16)).Append("px\">");
            RenderSpanInfo(html, span, summary.Start);
            html.Append("</div></details>");
        }

        html.Append("</div></main>");
        return End(html);
    }

    public static string RenderNotFound(string traceId, string basePath)
    {
        var html = new StringBuilder();
        Begin(html, "Trace not found", basePath, refreshSeconds: 0);
        html.Append("<main><h1>Trace not found</h1><p>No stored trace has the id <span class=\"mono\">").Append(Enc(traceId))
            .Append("</span>. It may not have arrived yet, or it was evicted.</p><p><a href=\"").Append(Enc(basePath))
            .Append("/traces\">All traces</a></p></main>");
        return End(html);
    }

    private static void RenderSpanInfo(StringBuilder html, SpanRecord span, DateTimeOffset traceStart)
    {
        html.Append("<table><tbody>");
        Row(html, "span id", span.SpanId, mono: true);
        Row(html, "parent span id", span.ParentSpanId ?? "(root)", mono: true);
        Row(html, "service", span.ServiceName);
        Row(html, "kind", KindText(span.Kind));
        if (span.ScopeName is not null)
        {
            Row(html, "scope", span.ScopeName);
        }

        Row(html, "start", "+" + FormatDuration(span.Start - traceStart) + " (" + FormatTimestamp(span.Start) + " UTC)");
        Row(html, "duration", FormatDuration(span.Duration));
        Row(html, "status", span.Status.ToString() + (span.StatusMessage is null ? string.Empty : ": " + span.StatusMessage));
        html.Append("</tbody></table>");

        if (span.Attributes.Count > 0)
        {
            html.Append("<h4>Attributes</h4>");
            Attributes(html, span.Attributes);
        }

        if (span.Events.Count > 0)
        {
            html.Append("<h4>Events</h4><table><tbody>");
            foreach (var e in span.Events)
            {
                html.Append("<tr><td class=\"mono\">+").Append(Enc(FormatDuration(e.Time - traceStart))).Append("</td><td><strong>")
                    .Append(Enc(e.Name)).Append("</strong>");
                if (e.Attributes.Count > 0)
                {
                    Attributes(html, e.Attributes);
                }

                html.Append("</td></tr>");
            }

            html.Append("</tbody></table>");
        }

        if (span.ResourceAttributes.Count > 0)
        {
            html.Append("<h4>Resource</h4>");
            Attributes(html, span.ResourceAttributes);
        }
    }

    private static void Attributes(StringBuilder html, IReadOnlyDictionary<string, string> attributes)
    {
        html.Append("<table><tbody>");
        foreach (var (key, value) in attributes.OrderBy(a => a.Key, StringComparer.Ordinal))
        {
            Row(html, key, value, mono: true);
        }

        html.Append("</tbody></table>");
    }

    private static void Row(StringBuilder html, string key, string value, bool mono = false) =>
        html.Append("<tr><td>").Append(Enc(key)).Append("</td><td").Append(mono ? " class=\"mono\"" : string.Empty).Append('>')
            .Append(Enc(value)).Append("</td></tr>");

    /// <summary>Depth-first by start time; spans whose parent is missing are shown as roots.</summary>
    internal static List<(SpanRecord Span, int Depth)> Flatten(IReadOnlyList<SpanRecord> spans)
    {
        var ids = new HashSet<string>(spans.Select(s => s.SpanId), StringComparer.Ordinal);
        var children = new Dictionary<string, List<SpanRecord>>(StringComparer.Ordinal);
        var roots = new List<SpanRecord>();
        foreach (var span in spans)
        {
            if (span.ParentSpanId is { } parent && ids.Contains(parent) && parent != span.SpanId)
            {
                if (!children.TryGetValue(parent, out var list))
                {
                    children[parent] = list = [];
                }

                list.Add(span);
            }
            else
            {
                roots.Add(span);
            }
        }

        var result = new List<(SpanRecord, int)>(spans.Count);
        var visited = new HashSet<string>(StringComparer.Ordinal);
        var stack = new Stack<(SpanRecord Span, int Depth)>();
        for (var i = roots.Count - 1; i >= 0; i--)
        {
            stack.Push((roots[i], 0));
        }

        while (true)
        {
            while (stack.Count > 0)
            {
                var (span, depth) = stack.Pop();
                if (!visited.Add(span.SpanId))
                {
                    continue;
                }

                result.Add((span, depth));
                if (children.TryGetValue(span.SpanId, out var list))
                {
                    for (var i = list.Count - 1; i >= 0; i--)
                    {
                        stack.Push((list[i], depth + 1));
                    }
                }
            }

            // Parent cycles (malformed input) leave spans unreached: show them as roots rather than hide them.
            var unreached = spans.FirstOrDefault(s => !visited.Contains(s.SpanId));
            if (unreached is null)
            {
                return result;
            }

            stack.Push((unreached, 0));
        }
    }

    /// <summary>A stable color per service name (FNV-1a hash to a hue), dark enough for white text.</summary>
    internal static string ServiceColor(string service)
    {
        var hash = 2166136261u;
        foreach (var c in service)
        {
            hash = (hash ^ c) * 16777619u;
        }

        // Hues 20..330: pure reds stay reserved for errors.
        var hue = 20 + (hash % 311);
        var lightness = 36 + (int)(hash / 360 % 10);
        return string.Create(CultureInfo.InvariantCulture, $"hsl({hue},62%,{lightness}%)");
    }

    internal static string FormatDuration(TimeSpan duration)
    {
        var ms = duration.TotalMilliseconds;
        return ms switch
        {
            < 0 => "-" + FormatDuration(-duration),
            0 => "0",
            < 1 => (ms * 1000).ToString("0", CultureInfo.InvariantCulture) + " µs",
            < 10 => ms.ToString("0.00", CultureInfo.InvariantCulture) + " ms",
            < 1000 => ms.ToString("0.#", CultureInfo.InvariantCulture) + " ms",
            < 60_000 => duration.TotalSeconds.ToString("0.00", CultureInfo.InvariantCulture) + " s",
            _ => string.Create(CultureInfo.InvariantCulture, $"{(int)duration.TotalMinutes}m {duration.Seconds:00}.{duration.Milliseconds / 100}s"),
        };
    }

    private static string FormatTimestamp(DateTimeOffset time) =>
        time.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss.fff", CultureInfo.InvariantCulture);

    private static string Percent(double value) => value.ToString("0.###", CultureInfo.InvariantCulture);

    private static string KindText(TraceSpanKind kind) => kind switch
    {
        TraceSpanKind.Internal => "internal",
        TraceSpanKind.Server => "server",
        TraceSpanKind.Client => "client",
        TraceSpanKind.Producer => "producer",
        TraceSpanKind.Consumer => "consumer",
        _ => "unspecified",
    };

    private static void Chip(StringBuilder html, string service) =>
        html.Append("<span class=\"chip\" style=\"background:").Append(ServiceColor(service)).Append("\">")
            .Append(Enc(service)).Append("</span>");

    private static void Begin(StringBuilder html, string title, string basePath, int refreshSeconds)
    {
        html.Append("<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\">")
            .Append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">");
        if (refreshSeconds > 0)
        {
            html.Append("<meta http-equiv=\"refresh\" content=\"").Append(refreshSeconds).Append("\">");
        }

        html.Append("<title>").Append(Enc(title)).Append(" · TenantAtlas dev telemetry</title><style>").Append(Css)
            .Append("</style></head><body><header><a href=\"").Append(Enc(basePath)).Append("/traces\">TenantAtlas traces</a>")
            .Append("<span class=\"muted\">development OTLP receiver · in-memory, recent spans only</span></header>");
    }

    private static string End(StringBuilder html) => html.Append("</body></html>").ToString();

    private static string Enc(string value) => HtmlEncoder.Default.Encode(value);
}
