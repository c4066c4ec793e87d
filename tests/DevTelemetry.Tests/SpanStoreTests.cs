namespace TenantAtlas.DevTelemetry.Tests;

public sealed class SpanStoreTests
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 23, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Eviction_KeepsStoreBounded_OldestTracesFirst()
    {
        var store = new SpanStore(maxSpans: 10);

        for (var t = 0; t < 5; t++)
        {
            store.Add(Trace(t, spans: 3));
            Assert.True(store.SpanCount <= 10);
        }

        Assert.Equal(9, store.SpanCount);
        Assert.Equal(6, store.EvictedSpanCount);
        Assert.Null(store.GetTrace(TraceId(0)));
        Assert.Null(store.GetTrace(TraceId(1)));
        Assert.Equal([TraceId(4), TraceId(3), TraceId(2)], store.GetRecentTraces().Select(t => t.TraceId));
    }

    [Fact]
    public void Eviction_SparesTraceThatStillReceivesSpans()
    {
        var store = new SpanStore(maxSpans: 9);
        store.Add(Trace(0, spans: 3));
        store.Add(Trace(1, spans: 3));
        store.Add(Trace(2, spans: 2));

        store.Add([Span(0, 99, parent: 0)]); // trace 0 is active again
        store.Add(Trace(3, spans: 3));

        Assert.NotNull(store.GetTrace(TraceId(0)));
        Assert.Null(store.GetTrace(TraceId(1)));
        Assert.Equal(9, store.SpanCount);
    }

    [Fact]
    public void OneTraceLargerThanTheBound_KeepsItsNewestSpans()
    {
        var store = new SpanStore(maxSpans: 5);

        store.Add(Trace(7, spans: 12));

        var trace = store.GetTrace(TraceId(7));
        Assert.NotNull(trace);
        Assert.Equal(5, store.SpanCount);
        Assert.Equal(Enumerable.Range(7, 5).Select(SpanId), trace.Spans.Select(s => s.SpanId));
    }

    [Fact]
    public void ResentSpan_ReplacesTheEarlierCopy()
    {
        var store = new SpanStore();
        store.Add(Trace(1, spans: 2));

        store.Add([Span(1, 1, parent: 0) with { Name = "renamed" }]);

        Assert.Equal(2, store.SpanCount);
        Assert.Equal("renamed", store.GetTrace(TraceId(1))!.Spans[1].Name);
    }

    [Fact]
    public void Summary_RootServicesErrorsAndDuration()
    {
        var store = new SpanStore();
        store.Add(
        [
            Span(0, 2, parent: 0, service: "inventory") with { Status = TraceSpanStatus.Error, End = T0.AddSeconds(9) },
            Span(0, 0, parent: null, service: "api"),
            Span(0, 1, parent: 0, service: "runs"),
        ]);

        var summary = Assert.Single(store.GetRecentTraces());

        Assert.Equal("span-0", summary.RootName);
        Assert.Equal("api", summary.RootService);
        Assert.Equal(["api", "runs", "inventory"], summary.Services);
        Assert.Equal(3, summary.SpanCount);
        Assert.True(summary.HasError);
        Assert.Equal(1, summary.ErrorCount);
        Assert.Equal(T0, summary.Start);
        Assert.Equal(TimeSpan.FromSeconds(9), summary.Duration);
    }

    [Fact]
    public void Summary_WithoutRootYet_UsesEarliestOrphan()
    {
        var store = new SpanStore();
        store.Add([Span(1, 3, parent: 2), Span(1, 2, parent: 1)]); // span 1 (the parent of 2) has not arrived

        Assert.Equal("span-2", Assert.Single(store.GetRecentTraces()).RootName);
    }

    [Fact]
    public void Queries_ByAttributeAndText()
    {
        var store = new SpanStore();
        store.Add(Trace(1, spans: 2, runId: "run-1"));
        store.Add(Trace(2, spans: 2, runId: "run-2"));

        Assert.Equal(TraceId(2), Assert.Single(store.FindTracesByAttribute("tenantatlas.run.id", "run-2")).TraceId);
        Assert.Empty(store.FindTracesByAttribute("tenantatlas.run.id", "run"));
        Assert.Equal(2, store.GetRecentTraces(filter: "RUN-").Count);
        Assert.Equal(TraceId(1), Assert.Single(store.GetRecentTraces(filter: "tenantatlas.run.id=run-1")).TraceId);
        Assert.Equal(TraceId(1), Assert.Single(store.GetRecentTraces(filter: TraceId(1).ToUpperInvariant())).TraceId);
        Assert.Single(store.GetRecentTraces(limit: 1));
        Assert.Empty(store.GetRecentTraces(filter: "nothing-like-this"));
        Assert.Null(store.GetTrace("0123"));
    }

    [Fact]
    public void Concurrent_Adds_StayBounded()
    {
        var store = new SpanStore(maxSpans: 100);

        Parallel.For(0, 200, t => store.Add(Trace(t, spans: 4)));

        Assert.True(store.SpanCount <= 100);
        Assert.Equal(store.SpanCount, store.GetRecentTraces(limit: 1000).Sum(t => t.SpanCount));
        Assert.Equal(800 - store.SpanCount, store.EvictedSpanCount);
    }

    [Fact]
    public void Bound_MustBePositive() => Assert.Throws<ArgumentOutOfRangeException>(() => new SpanStore(0));

    private static string TraceId(int t) => t.ToString("x32", System.Globalization.CultureInfo.InvariantCulture);

    private static string SpanId(int s) => (s + 1).ToString("x16", System.Globalization.CultureInfo.InvariantCulture);

    private static List<SpanRecord> Trace(int t, int spans, string? runId = null) =>
        [.. Enumerable.Range(0, spans).Select(s => Span(t, s, parent: s == 0 ? null : 0, runId: runId))];

    private static SpanRecord Span(int t, int s, int? parent, string service = "svc", string? runId = null) => new()
    {
        TraceId = TraceId(t),
        SpanId = SpanId(s),
        ParentSpanId = parent is { } p ? SpanId(p) : null,
        Name = $"span-{s}",
        ServiceName = service,
        Start = T0.AddMinutes(t).AddMilliseconds(s),
        End = T0.AddMinutes(t).AddMilliseconds(s + 10),
        Attributes = runId is null
            ? new Dictionary<string, string>()
            : new Dictionary<string, string> { ["tenantatlas.run.id"] = runId },
    };
}
