using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace TenantAtlas.RunsService.Runs;

/// <summary>RunsService's own metrics, and the run attributes put on the request span (no secrets, ids only).</summary>
public static class RunTelemetry
{
    public const string Name = "TenantAtlas.Runs";
    private static readonly Meter Meter = new(Name);

    private static readonly Counter<long> Started = Meter.CreateCounter<long>("tenantatlas.runs.started", description: "Runs created by EnsureRun.");
    private static readonly Counter<long> Reused = Meter.CreateCounter<long>("tenantatlas.runs.reused", description: "EnsureRun calls answered with an existing run.");
    private static readonly Counter<long> Completed = Meter.CreateCounter<long>("tenantatlas.runs.completed", description: "Runs completed, by outcome.");

    public static readonly Counter<long> JobsRepublished = Meter.CreateCounter<long>(
        "tenantatlas.runs.dispatch.jobs_republished", description: "Jobs put back in the outbox because Redis no longer held them.");

    public static readonly Histogram<double> PublishLatency = Meter.CreateHistogram<double>(
        "tenantatlas.runs.dispatch.publish_latency", "ms", "From a run's creation to its job being in its stream.");

    private static readonly Counter<long> CancelsRequested = Meter.CreateCounter<long>(
        "tenantatlas.runs.cancel.requested", description: "CancelRun calls that asked an active run to stop, by the status it had.");

    private static readonly Histogram<double> CancelLatency = Meter.CreateHistogram<double>(
        "tenantatlas.runs.cancel.latency", "ms", "From a cancel request to the run's completion (0 for a queued run).");

    private static long watchers;

    private static readonly Counter<long> WatchPublishFailures = Meter.CreateCounter<long>(
        "tenantatlas.runs.watch.publish_failures", description: "Run changes that could not be announced to watchers (Redis away).");

    public static readonly Counter<long> WatchMessages = Meter.CreateCounter<long>(
        "tenantatlas.runs.watch.messages", description: "Runs sent on WatchRun / WatchRuns streams.");

    public static readonly Counter<long> WatchersCutOff = Meter.CreateCounter<long>(
        "tenantatlas.runs.watch.cut_off", description: "Watch streams ended by the service, by reason (too_slow, access).");

    static RunTelemetry()
    {
        Meter.CreateObservableGauge("tenantatlas.runs.watchers", () => Interlocked.Read(ref watchers),
            description: "Open WatchRun / WatchRuns streams on this replica.");
    }

    public static void WatchersChanged(int delta) => Interlocked.Add(ref watchers, delta);

    public static void WatchPublishFailed() => WatchPublishFailures.Add(1);

    public static void CancelRequested(RunRecord run)
    {
        CancelsRequested.Add(1, new KeyValuePair<string, object?>("run.type", run.Type),
            new KeyValuePair<string, object?>("run.status", run.Status.IsTerminal ? "queued" : run.Status.Value));
        Completion(run);
        Tag(run);
    }

    /// <summary>A completed run that was asked to stop: how long stopping took.</summary>
    private static void Completion(RunRecord run)
    {
        if (run is { CompletedAt: { } completed, CancelRequest: { } cancel })
        {
            CancelLatency.Record(Math.Max(0, (completed - cancel.At).TotalMilliseconds),
                new KeyValuePair<string, object?>("run.type", run.Type), new KeyValuePair<string, object?>("run.outcome", run.Outcome.Value));
        }
    }

    public static void Ensured(RunRecord run, bool created)
    {
        (created ? Started : Reused).Add(1, new KeyValuePair<string, object?>("run.type", run.Type));
        Tag(run);
        Activity.Current?.SetTag("tenantatlas.run.created", created);
    }

    public static void Updated(RunRecord run)
    {
        if (run.Status.IsTerminal)
        {
            Completed.Add(1, new KeyValuePair<string, object?>("run.type", run.Type), new KeyValuePair<string, object?>("run.outcome", run.Outcome.Value));
            Completion(run);
        }
        Tag(run);
        Activity.Current?.SetTag("tenantatlas.run.status", run.Status.Value);
    }

    private static void Tag(RunRecord run)
    {
        if (Activity.Current is not { } activity)
        {
            return;
        }
        activity.SetTag("tenantatlas.run.id", run.Id.ToString());
        activity.SetTag("tenantatlas.run.type", run.Type);
        activity.SetTag("tenantatlas.workspace.id", run.WorkspaceId.ToString());
        activity.SetTag("tenantatlas.tenant.id", run.TenantId?.ToString());
    }
}
