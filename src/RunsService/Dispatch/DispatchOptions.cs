namespace TenantAtlas.RunsService.Dispatch;

/// <summary>The <c>Dispatch</c> configuration section: how hard the relay tries to hand a job to Redis.</summary>
public sealed class DispatchOptions
{
    public const string Section = "Dispatch";

    /// <summary>
    /// How long a new run may wait for its job to reach its stream. Past it, the run completes as failed with
    /// <c>queue.dispatch_failed</c> and its initiator is notified: never a run left queued with nothing behind it.
    /// </summary>
    public TimeSpan Deadline { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Jobs published per batch (one database transaction, pipelined XADDs).</summary>
    public int BatchSize { get; set; } = 200;

    /// <summary>Longest wait between retries of a job Redis refused.</summary>
    public TimeSpan MaxRetryDelay { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>
    /// How often the relay looks for jobs nobody woke it for: jobs another replica wrote and could not relay
    /// (it crashed), retries and deadlines coming due. This replica's new jobs do not wait for it.
    /// </summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromMilliseconds(500);

    /// <summary>How often RunsService looks for unfinished runs whose job Redis no longer holds (<see cref="LostJobSweep"/>).</summary>
    public TimeSpan LostJobCheckInterval { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// How long a run's job must have been missing from Redis (no published marker, no worker's lease) before it is
    /// published again. Three of the workers' heartbeat intervals (5 s): a live worker takes back a lease Redis lost first.
    /// </summary>
    public TimeSpan RepublishAfter { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>
    /// How long the relay leaves a new run's outbox row to <see cref="ImmediateDispatch"/> of the replica that wrote it,
    /// which publishes the job right after the commit. Past it the relay publishes the job itself: the publish failed, or
    /// that replica stopped before it. Far below <see cref="Deadline"/>.
    /// </summary>
    public TimeSpan ImmediateGrace { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>Longest a single Redis publish may take before it counts as failed.</summary>
    public TimeSpan PublishTimeout { get; set; } = TimeSpan.FromSeconds(2);
}
