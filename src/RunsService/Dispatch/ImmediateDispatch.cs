using System.Collections.Concurrent;

namespace TenantAtlas.RunsService.Dispatch;

/// <summary>
/// Publishes a new run's job the moment its EnsureRun has committed, from the replica that wrote it, instead of waiting
/// for the relay to claim the outbox row: a run reaches its worker one database round trip and one wake-up sooner, and
/// the relay's claim query and transaction per batch are gone from the common path (issue 16's profile: they were a
/// fifth of PostgreSQL's work per run). The outbox row is still written by the same statement as the run and stays the
/// durable promise: it is only due for the relay <see cref="DispatchOptions.ImmediateGrace"/> after the run was created,
/// so if this publish fails (Redis away) or the replica dies before it, the relay publishes the job as before, under the
/// same deadline. Published jobs' rows are deleted by the relay in batches (one statement for many runs); a row whose
/// delete is lost is claimed after the grace, its publish is a no-op (the run's published marker), and it is deleted then.
/// </summary>
public sealed partial class ImmediateDispatch(JobPublisher publisher, DispatchSignal signal, ILogger<ImmediateDispatch> logger)
{
    private readonly ConcurrentQueue<Guid> published = new();

    /// <summary>Whether published runs' outbox rows are waiting to be deleted.</summary>
    public bool HasPublished => !published.IsEmpty;

    /// <summary>Starts publishing <paramref name="job"/> (its run has committed) and returns at once; never throws.</summary>
    public void Publish(OutboxJob job) => _ = PublishAsync(job);

    /// <summary>Up to <paramref name="max"/> runs whose jobs are in their streams, for the relay to delete their outbox rows.</summary>
    public List<Guid> TakePublished(int max)
    {
        var runs = new List<Guid>(Math.Min(max, published.Count));
        while (runs.Count < max && published.TryDequeue(out var runId))
        {
            runs.Add(runId);
        }
        return runs;
    }

    private async Task PublishAsync(OutboxJob job)
    {
        try
        {
            var result = (await publisher.PublishAsync([job], CancellationToken.None))[0];
            if (result.Error is not null)
            {
                // The outbox row is due for the relay after the grace: it retries, under the run's dispatch deadline.
                LogLeftToRelay(logger, job.RunId, result.Error);
                return;
            }
            published.Enqueue(job.RunId);
            await publisher.WakeWorkersAsync([job.Stream]);
            signal.Wake();
        }
        catch (Exception e)
        {
            LogLeftToRelay(logger, job.RunId, e.Message);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "The job of run {RunId} could not be published at once ({Error}); the relay publishes it")]
    private static partial void LogLeftToRelay(ILogger logger, Guid runId, string error);
}
