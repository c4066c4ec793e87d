using Google.Protobuf.WellKnownTypes;
using TenantAtlas.Runs.V1;

namespace TenantAtlas.Workers;

/// <summary>
/// What a handler sees of its run: the run as RunsService holds it, and thread-safe counters and item failures
/// that the worker host sends on (progress every <see cref="RunWorkerOptions.ProgressInterval"/>, failures with
/// the completion, so a crashed attempt leaves no half-reported failures behind).
/// </summary>
public sealed class RunWorkContext
{
    private readonly Lock gate = new();
    private readonly List<RunFailure> failures = [];
    private RunCounts pending = new();
    private readonly RunCounts totals = new();

    private readonly CancellationToken cancel;

    internal RunWorkContext(Run run, long deliveryCount, string attemptId, CancellationToken cancel = default)
    {
        Run = run;
        DeliveryCount = deliveryCount;
        AttemptId = attemptId;
        this.cancel = cancel;
    }

    /// <summary>
    /// True once CancelRun asked the run to stop (the handler's token is cancelled too). Tells a cancel from the other
    /// reasons the token fires (shutdown, maximum duration), e.g. to record the cancel in the service's own records, or
    /// to let an item in progress finish and stop before the next one.
    /// </summary>
    public bool CancelRequested => cancel.IsCancellationRequested;

    /// <summary>This delivery's attempt at the run: every update it sends names it, so RunsService refuses them once another attempt took over.</summary>
    internal string AttemptId { get; }

    /// <summary>The run (ids, type, identity inputs, context) as it was when this attempt started it.</summary>
    public Run Run { get; }

    public Guid RunId => Guid.Parse(Run.RunId);

    public Guid WorkspaceId => Guid.Parse(Run.WorkspaceId);

    /// <summary>The TenantAtlas tenant id; null for workspace-plane runs.</summary>
    public Guid? TenantId => Run.TenantId.Length == 0 ? null : Guid.Parse(Run.TenantId);

    /// <summary>The run's context object (what the start surface stored: selection, related ids...).</summary>
    public Struct Context => Run.Context ?? new Struct();

    /// <summary>1 for the first attempt; more when the job was reclaimed from a consumer that died.</summary>
    public long DeliveryCount { get; }

    /// <summary>An explicit final outcome (FAILED for "could not proceed", CANCELLED); null derives it from the counts.</summary>
    public RunOutcome? FinalOutcome { get; set; }

    /// <summary>Items discovered (adds to total).</summary>
    public void AddTotal(long items) => Add(c => c.Total += items);

    /// <summary>One item done successfully.</summary>
    public void Succeeded(long items = 1) => Add(c => { c.Succeeded += items; c.Processed += items; });

    /// <summary>One item skipped on purpose.</summary>
    public void Skipped(long items = 1) => Add(c => { c.Skipped += items; c.Processed += items; });

    /// <summary>One item failed; the failure entry is stored (sanitized) with the run.</summary>
    public void Failed(string code, string message, string? item)
    {
        lock (gate)
        {
            pending.Failed++;
            pending.Processed++;
            totals.Failed++;
            totals.Processed++;
            failures.Add(new RunFailure { Code = code, Message = message, Item = item ?? string.Empty });
        }
    }

    /// <summary>
    /// Everything this attempt counted. An attempt starts from zero (a redelivered run's counts are reset), so these
    /// are the run's counts: the completion sets them, whatever happened to the progress reports on the way.
    /// </summary>
    internal RunCountsPatch Totals()
    {
        lock (gate)
        {
            return new RunCountsPatch
            {
                Total = totals.Total, Processed = totals.Processed, Succeeded = totals.Succeeded, Failed = totals.Failed, Skipped = totals.Skipped,
            };
        }
    }

    /// <summary>Counts reported since the last call, reset.</summary>
    internal RunCounts TakeCounts()
    {
        lock (gate)
        {
            var taken = pending;
            pending = new RunCounts();
            return taken;
        }
    }

    /// <summary>Item failures reported so far, reset.</summary>
    internal List<RunFailure> TakeFailures()
    {
        lock (gate)
        {
            var taken = failures.ToList();
            failures.Clear();
            return taken;
        }
    }

    private void Add(Action<RunCounts> change)
    {
        lock (gate)
        {
            change(pending);
            change(totals);
        }
    }
}
