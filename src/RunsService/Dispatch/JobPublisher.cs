using System.Diagnostics;
using Microsoft.Extensions.Options;
using StackExchange.Redis;
using TenantAtlas.Contracts;

namespace TenantAtlas.RunsService.Dispatch;

/// <summary>
/// Adds jobs to their Redis streams. Each publish is a producer span whose parent is the request that created the
/// run, and the entry carries that span's traceparent, so start, relay and worker form one trace.
/// </summary>
public sealed class JobPublisher(IConnectionMultiplexer redis, IOptions<DispatchOptions> options)
{
    public static readonly ActivitySource Source = new("TenantAtlas.Runs.Dispatch");

    public sealed record Result(OutboxJob Job, string? Error);

    /// <summary>
    /// How long a run's "published" marker lives: far past the dispatch deadline, after which nobody publishes the job
    /// again (the run has failed <c>queue.dispatch_failed</c>, or its outbox row is gone).
    /// </summary>
    public static readonly TimeSpan PublishedMarkerLifetime = TimeSpan.FromMinutes(15);

    // KEYS: stream, marker. ARGV: marker lifetime (s), then the entry's field/value pairs. Returns the entry id, or nil
    // when the marker says the run's job is already in the stream.
    // StackExchange.Redis sends it by its SHA once Redis knows it (EVALSHA), so the text crosses the wire once.
    private const string PublishOnceScript = """
        if redis.call('SET', KEYS[2], '1', 'NX', 'EX', ARGV[1]) then
          return redis.call('XADD', KEYS[1], '*', unpack(ARGV, 2))
        end
        return false
        """;

    /// <summary>The marker of a run's published job, e.g. <c>ops:inventory:published:{run_id}</c>.</summary>
    public static string PublishedKey(OutboxJob job) => RunJobs.PublishedMarkerOf(job.Stream, job.RunId.ToString());

    /// <summary>Publishes the batch pipelined; each job succeeds or fails on its own.</summary>
    public async Task<IReadOnlyList<Result>> PublishAsync(IReadOnlyList<OutboxJob> jobs, CancellationToken ct)
    {
        var database = redis.GetDatabase();
        // Issued together, StackExchange.Redis pipelines them on one connection; each call has its own timeout.
        var errors = await Task.WhenAll(jobs.Select(job => PublishOneAsync(database, job))).WaitAsync(ct);
        return [.. jobs.Select((job, i) => new Result(job, errors[i]))];
    }

    /// <summary>Idle workers wait on this channel instead of polling; a lost message only costs their poll interval.</summary>
    public async Task WakeWorkersAsync(IEnumerable<string> streams)
    {
        foreach (var stream in streams.Distinct())
        {
            try
            {
                await redis.GetSubscriber().PublishAsync(RedisChannel.Literal(RunJobs.WakeChannelOf(stream)), "1", CommandFlags.FireAndForget);
            }
            catch (RedisException)
            {
                // The entry is in the stream; workers find it on their next poll.
            }
        }
    }

    private async Task<string?> PublishOneAsync(IDatabase database, OutboxJob job)
    {
        ActivityContext.TryParse(job.TraceParent, null, out var parent);
        using var activity = Source.StartActivity($"{job.Stream} publish", ActivityKind.Producer, parent);
        activity?.SetTag("messaging.system", "redis");
        activity?.SetTag("messaging.operation.type", "send");
        activity?.SetTag("messaging.destination.name", job.Stream);
        activity?.SetTag("tenantatlas.run.id", job.RunId.ToString());
        activity?.SetTag("tenantatlas.run.type", job.Type);
        try
        {
            var traceParent = activity?.Id ?? job.TraceParent ?? string.Empty;
            // Through a script that adds the entry only once per run: a publish that timed out here may still be
            // queued on the connection (a stalled Redis runs every queued retry when it resumes), so each retry must
            // be a no-op once one of them got through.
            var result = await database.ScriptEvaluateAsync(PublishOnceScript,
                [(RedisKey)job.Stream, (RedisKey)PublishedKey(job)],
                [
                    (long)PublishedMarkerLifetime.TotalSeconds,
                    RunJobs.RunIdField, job.RunId.ToString(),
                    RunJobs.TypeField, job.Type,
                    RunJobs.WorkspaceIdField, job.WorkspaceId.ToString(),
                    RunJobs.TenantIdField, job.TenantId?.ToString() ?? string.Empty,
                    RunJobs.TraceParentField, traceParent,
                    RunJobs.CreatedAtField, job.CreatedAt.ToString("O", System.Globalization.CultureInfo.InvariantCulture),
                ]).WaitAsync(options.Value.PublishTimeout);
            var id = result.IsNull ? "(already published)" : result.ToString();
            activity?.SetTag("messaging.message.id", id.ToString());
            Runs.RunTelemetry.PublishLatency.Record((DateTime.UtcNow - job.CreatedAt).TotalMilliseconds,
                new KeyValuePair<string, object?>("messaging.destination.name", job.Stream));
            return null;
        }
        catch (Exception e) when (e is RedisException or TimeoutException)
        {
            activity?.SetStatus(ActivityStatusCode.Error, e.GetType().Name);
            return $"{e.GetType().Name}: {e.Message}";
        }
    }
}
