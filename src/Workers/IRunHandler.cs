namespace TenantAtlas.Workers;

/// <summary>
/// Does the work of one run type. Delivery is at-least-once: a handler may run again for the same run after a
/// crash, so it must be idempotent (write with upserts keyed by the run, not blind inserts). Registered for its run
/// type with <see cref="RunWorkerBuilder.AddHandler{THandler}"/> and created in each job's own DI scope.
/// </summary>
public interface IRunHandler
{
    /// <summary>
    /// Does the work, reporting counts and item failures on <paramref name="run"/>. Returning completes the run
    /// with the outcome the counts imply (or <see cref="RunWorkContext.FinalOutcome"/>); throwing completes it as
    /// failed — with the code of a <see cref="RunFailureException"/>, or <c>worker.handler_failed</c>.
    /// The token is cancelled when the process shuts down (the run is then released, not failed), at the run type's
    /// maximum duration (failed <c>worker.timeout</c>), and when CancelRun asks the run to stop
    /// (<see cref="RunWorkContext.CancelRequested"/>): stop between items; the run completes cancelled with the counts
    /// so far, unless the handler set <see cref="RunWorkContext.FinalOutcome"/> (it had finished).
    /// </summary>
    Task HandleAsync(RunWorkContext run, CancellationToken cancellationToken);
}

/// <summary>The run cannot proceed, for a reason with a stable code (e.g. <c>graph.unauthorized</c>).</summary>
public sealed class RunFailureException(string code, string message, Exception? inner = null) : Exception(message, inner)
{
    public string Code { get; } = code;
}
