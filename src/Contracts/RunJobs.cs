namespace TenantAtlas.Contracts;

/// <summary>
/// The job contract between RunsService's dispatch relay and the services' workers: one Redis stream per
/// owning service, one entry per new run, carrying just enough to find the run and continue its trace.
/// Workers get everything else (context, identity inputs) from UpdateRun's answer when they start the run.
/// </summary>
public static class RunJobs
{
    /// <summary>The stream a service's workers read, e.g. <c>ops:inventory</c>; its consumer group is the service name.</summary>
    public static string StreamOf(string service) => $"ops:{service}";

    /// <summary>Where entries go after too many deliveries, e.g. <c>ops:inventory:dead</c>.</summary>
    public static string DeadLetterStreamOf(string service) => $"ops:{service}:dead";

    /// <summary>
    /// The marker the relay sets when it adds a run's job to <paramref name="stream"/>, e.g.
    /// <c>ops:inventory:published:{run_id}</c>: the job is added at most once while it lives.
    /// </summary>
    public static string PublishedMarkerOf(string stream, string runId) => $"{stream}:published:{runId}";

    /// <summary>Who works on the run now, e.g. <c>ops:inventory:lease:{run_id}</c> (value: the consumer's name).</summary>
    public static string LeaseOf(string stream, string runId) => $"{stream}:lease:{runId}";

    /// <summary>Pub/sub channel the relay publishes to after adding entries to a stream, so idle workers wake at once.</summary>
    public static string WakeChannelOf(string stream) => $"{stream}:wake";

    /// <summary>
    /// Pub/sub channel RunsService publishes a run id to when CancelRun asks a running run to stop, e.g.
    /// <c>ops:inventory:cancel</c>; the worker holding the run cancels its handler. A lost message costs one heartbeat
    /// interval: heartbeats read the run's cancel_requested too.
    /// </summary>
    public static string CancelChannelOf(string stream) => $"{stream}:cancel";

    /// <summary>Entry field: the run id (UUID).</summary>
    public const string RunIdField = "run_id";

    /// <summary>Entry field: the run type, e.g. <c>inventory.sync</c>.</summary>
    public const string TypeField = "type";

    /// <summary>Entry field: the workspace id.</summary>
    public const string WorkspaceIdField = "workspace_id";

    /// <summary>Entry field: the tenant id, empty for workspace-plane runs.</summary>
    public const string TenantIdField = "tenant_id";

    /// <summary>Entry field: W3C traceparent of the relay's publish span, so the worker joins the run's trace.</summary>
    public const string TraceParentField = "traceparent";

    /// <summary>Entry field: when the run was created (ISO 8601), for dispatch-latency metrics.</summary>
    public const string CreatedAtField = "created_at";

    /// <summary>Dead-letter entry field: why the entry was dead-lettered.</summary>
    public const string ReasonField = "reason";

    /// <summary>Dead-letter entry field: the delivery that gave up.</summary>
    public const string DeliveryCountField = "delivery_count";

    /// <summary>Dead-letter entry field: when it was dead-lettered (ISO 8601, UTC).</summary>
    public const string DeadLetteredAtField = "dead_lettered_at";

    /// <summary>Dead-letter entry field: the entry's id in the service's stream.</summary>
    public const string OriginalIdField = "original_id";

    /// <summary>Fields a dead-letter entry adds to the job's own; a requeue leaves them out.</summary>
    public static readonly IReadOnlySet<string> DeadLetterFields = new HashSet<string>(StringComparer.Ordinal)
    {
        ReasonField, DeliveryCountField, DeadLetteredAtField, OriginalIdField,
    };
}
