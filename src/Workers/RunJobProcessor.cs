using System.Diagnostics;
using Grpc.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using StackExchange.Redis;
using TenantAtlas.Contracts;
using TenantAtlas.Runs.V1;
using TenantAtlas.ServiceDefaults;

namespace TenantAtlas.Workers;

/// <summary>
/// Takes one stream entry through its run: start it (running), let the handler work while progress and
/// heartbeats flow, complete it with the honest outcome, and only then acknowledge the entry. Anything that
/// cannot be finished (shutdown, RunsService unreachable) is left pending for another consumer to reclaim.
/// Each job gets a DI scope of its own, so handlers are scoped and may use a DbContext.
/// </summary>
public sealed partial class RunJobProcessor(
    IConnectionMultiplexer redis,
    IRunsClient runs,
    IServiceScopeFactory scopes,
    RunCancellations cancellations,
    IOptions<RunWorkerOptions> options,
    IOptions<TransientFailureOptions> transient,
    TimeProvider time,
    ILogger<RunJobProcessor> logger)
{
    public const string WorkerLostCode = "worker.lost";
    public const string HandlerFailedCode = "worker.handler_failed";
    public const string NoHandlerCode = "worker.no_handler";
    public const string TimeoutCode = "worker.timeout";
    public const string CancelIgnoredCode = "worker.cancel_ignored";
    public const string CompletionRefusedCode = "worker.completion_refused";
    private const int FailuresPerUpdate = 100;

    // KEYS: the lease. ARGV: the consumer (and the lifetime in ms). Only the holder renews or releases it; a holder
    // whose lease Redis lost (restarted without its data) takes it again, so RunsService's lost-job sweep, which puts
    // back jobs of runs nobody holds, leaves its run alone.
    private const string RenewLeaseScript = """
        local holder = redis.call('GET', KEYS[1])
        if holder == ARGV[1] or holder == false then return redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2]) and 1 or 0 end
        return 0
        """;
    // KEYS: the stream, the lease. ARGV: the group, the entry id, the consumer. Acknowledges the entry and releases the lease
    // (only if this consumer holds it, as ReleaseLeaseScript does).
    private const string AcknowledgeAndReleaseScript = """
        redis.call('XACK', KEYS[1], ARGV[1], ARGV[2])
        if redis.call('GET', KEYS[2]) == ARGV[3] then redis.call('DEL', KEYS[2]) end
        return 1
        """;
    private const string ReleaseLeaseScript = "if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0";

    private string Stream => RunJobs.StreamOf(options.Value.Service);

    /// <summary>Who works on the run now, e.g. <c>ops:inventory:lease:{run_id}</c>; it lapses with the claim it shadows.</summary>
    private string LeaseKey(string runId) => RunJobs.LeaseOf(Stream, runId);

    private string Group => options.Value.Service;

    public async Task ProcessAsync(StreamEntry entry, long deliveryCount, string consumer, CancellationToken stopping)
    {
        var job = RunJob.From(entry);
        if (job is null)
        {
            await DeadLetterAsync(entry, deliveryCount, "unreadable entry: no run_id");
            return;
        }

        ActivityContext.TryParse(job.TraceParent, null, out var parent);
        using var activity = WorkerTelemetry.Source.StartActivity($"{Stream} process", ActivityKind.Consumer, parent);
        activity?.SetTag("messaging.system", "redis");
        activity?.SetTag("messaging.operation.type", "process");
        activity?.SetTag("messaging.destination.name", Stream);
        activity?.SetTag("messaging.consumer.group.name", Group);
        activity?.SetTag("messaging.message.id", entry.Id.ToString());
        activity?.SetTag("messaging.message.delivery_count", deliveryCount);
        activity?.SetTag("tenantatlas.run.id", job.RunId);
        activity?.SetTag("tenantatlas.run.type", job.Type);
        activity?.SetTag("tenantatlas.tenant.id", job.TenantId);

        // One consumer works on a run at a time, whatever the stream holds: a second entry for the run, or the run's
        // entry reclaimed from a consumer that is alive but was cut off from Redis for a while. Such an entry stays
        // pending (and is not given up either): once the owner completes the run, its next delivery is dropped.
        var lease = LeaseKey(job.RunId);
        if (!await redis.GetDatabase().StringSetAsync(lease, consumer, options.Value.ClaimIdleTimeout, When.NotExists))
        {
            LogLeasedElsewhere(logger, job.RunId, entry.Id.ToString());
            return;
        }
        var released = false;
        try
        {
            if (deliveryCount > options.Value.MaxDeliveries)
            {
                await GiveUpAsync(entry, job, deliveryCount, stopping);
                return;
            }
            await using var scope = scopes.CreateAsyncScope();
            if (scope.ServiceProvider.GetKeyedService<IRunHandler>(job.Type) is not { } handler)
            {
                await CompleteFailedAsync(job, NoHandlerCode, $"This worker has no handler for {job.Type}.", stopping);
                await DeadLetterAsync(entry, deliveryCount, $"no handler for {job.Type}");
                return;
            }
            released = await RunAsync(entry, job, handler, deliveryCount, consumer, stopping);
        }
        catch (RpcException e) when (e.StatusCode is StatusCode.Unavailable or StatusCode.DeadlineExceeded or StatusCode.Cancelled or StatusCode.Internal)
        {
            // RunsService could not take the report: leave the entry pending; it is reclaimed and retried.
            LogReleased(logger, job.RunId, e.Status.Detail);
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
            LogReleased(logger, job.RunId, "shutting down");
        }
        catch (RpcException e) when (e.StatusCode == StatusCode.Aborted)
        {
            // Fenced off by RunsService (another attempt started the run): nothing to release or acknowledge.
            LogLeaseLost(logger, job.RunId);
        }
        catch (LeaseLostException)
        {
            // Nothing to release or acknowledge: the entry and the run belong to the consumer holding the lease.
        }
        catch (TransientJobFailureException e)
        {
            var reason = $"{e.InnerException!.GetType().Name} after {options.Value.TransientRetries} tries: {e.InnerException.Message}";
            LogReleased(logger, job.RunId, reason);
        }
        finally
        {
            if (!released)
            {
                await ReleaseLeaseAsync(lease, consumer);
            }
        }
    }

    /// <returns>True when the run was completed and its entry acknowledged together with the lease's release.</returns>
    private async Task<bool> RunAsync(StreamEntry entry, RunJob job, IRunHandler handler, long deliveryCount, string consumer, CancellationToken stopping)
    {
        // The fencing token of this delivery: starting the run makes it current; once another delivery starts the run,
        // RunsService refuses this one's updates (ABORTED) and it stops.
        var attemptId = Guid.NewGuid().ToString();
        // Tracked before the run is started, so a cancel that comes while it starts is not missed.
        using var cancel = cancellations.Track(job.RunId);
        var start = new UpdateRunRequest { RunId = job.RunId, Status = RunStatus.Running, AttemptId = attemptId };
        if (deliveryCount > 1)
        {
            // A previous attempt died mid-run: its progress counts are void, this attempt counts again from zero.
            start.SetCounts = ZeroCounts();
        }
        Run run;
        try
        {
            run = await runs.UpdateAsync(start, stopping);
        }
        catch (RpcException e) when (e.StatusCode == StatusCode.FailedPrecondition)
        {
            LogAlreadyTerminal(logger, job.RunId);
            await AcknowledgeAsync(entry);
            return false;
        }
        catch (RpcException e) when (e.StatusCode == StatusCode.NotFound)
        {
            await DeadLetterAsync(entry, deliveryCount, "run not found");
            return false;
        }
        if (job.CreatedAt is { } created && deliveryCount == 1)
        {
            WorkerTelemetry.DispatchLatency.Record((time.GetUtcNow().UtcDateTime - created).TotalMilliseconds, new KeyValuePair<string, object?>("run.type", job.Type));
        }

        // The handler gets its run type's maximum duration, over all its tries; a handler that ignores the
        // cancellation is not waited for (a heartbeat would otherwise renew a hung handler's claim forever).
        var maxDuration = options.Value.MaxRunDurationOf(job.Type);
        using var deadline = new CancellationTokenSource(maxDuration, time);
        RunWorkContext context;
        UpdateRunRequest? completion;
        for (var attempt = 1; ; attempt++)
        {
            context = new RunWorkContext(run, deliveryCount, attemptId, cancel.Token);
            Exception? transientFailure;
            if (run.CancelRequested)
            {
                // Asked to stop before this delivery began (e.g. its previous worker died after the request): the handler
                // is still called, with its token cancelled, so a service can record the cancel in its own records.
                cancellations.Cancel(job.RunId);
            }
            (completion, transientFailure) = await AttemptAsync(entry, job, handler, context, consumer, maxDuration, cancel, deadline.Token, stopping);
            if (completion is not null)
            {
                break;
            }
            if (attempt >= options.Value.TransientRetries)
            {
                // Still away: leave the entry pending. Another delivery tries later; too many end the run worker.lost.
                throw new TransientJobFailureException(transientFailure!);
            }
            LogTransientRetry(logger, transientFailure!, job.RunId, attempt);
            await Task.Delay(options.Value.TransientRetryDelay * Math.Pow(2, attempt - 1), time, stopping);
            // The failed try's counts are void: the next one counts from zero, as a redelivery does.
            run = await runs.UpdateAsync(new UpdateRunRequest { RunId = job.RunId, SetCounts = ZeroCounts(), AttemptId = attemptId }, stopping);
        }

        var done = await CompleteAsync(context, completion, stopping);
        WorkerTelemetry.RunsCompleted.Add(1, new KeyValuePair<string, object?>("run.type", job.Type), new KeyValuePair<string, object?>("run.outcome", done.Outcome.ToString()));
        // One round trip for the last two steps of every run (issue 16).
        await redis.GetDatabase().ScriptEvaluateAsync(AcknowledgeAndReleaseScript,
            [(RedisKey)Stream, (RedisKey)LeaseKey(job.RunId)], [Group, entry.Id, consumer]);
        return true;
    }

    /// <summary>
    /// One try of the handler, with its heartbeat: the completion to send, or (null and) the transient failure that
    /// makes the job worth trying again (a store that was away: PostgreSQL restarting, Redis reconnecting).
    /// </summary>
    private async Task<(UpdateRunRequest? Completion, Exception? TransientFailure)> AttemptAsync(StreamEntry entry, RunJob job,
        IRunHandler handler, RunWorkContext context, string consumer, TimeSpan maxDuration,
        RunCancellations.Registration cancel, CancellationToken deadline, CancellationToken stopping)
    {
        using var attempt = CancellationTokenSource.CreateLinkedTokenSource(stopping);
        using var leaseLost = new CancellationTokenSource();
        var heartbeat = HeartbeatAsync(entry.Id, consumer, context, leaseLost, attempt.Token);
        using var overtime = CancellationTokenSource.CreateLinkedTokenSource(stopping, deadline, leaseLost.Token, cancel.Token);
        UpdateRunRequest? completion = null;
        Exception? transientFailure = null;
        var work = Task.Run(() => handler.HandleAsync(context, overtime.Token), CancellationToken.None);
        try
        {
            await work.WaitAsync(overtime.Token);
            // A handler may also stop quietly (return) once it sees the cancel: the run still ends cancelled, unless the
            // handler said how it ended (it finished its work just as the cancel came).
            completion = cancel.IsCancellationRequested && context.FinalOutcome is null
                ? Cancelled(job)
                : new UpdateRunRequest { RunId = job.RunId, Status = RunStatus.Completed, Outcome = context.FinalOutcome ?? RunOutcome.Unspecified };
        }
        catch (Exception) when (stopping.IsCancellationRequested)
        {
            // Shutting down mid-run: release the entry (no completion, no ack) for another consumer.
            await attempt.CancelAsync();
            await heartbeat;
            throw new OperationCanceledException(stopping);
        }
        catch (Exception) when (leaseLost.IsCancellationRequested)
        {
            // Another consumer holds the run now (this one was cut off from Redis longer than the claim idle time):
            // stop at once and report nothing; the run is that consumer's.
            await attempt.CancelAsync();
            await heartbeat;
            throw new LeaseLostException(job.RunId);
        }
        catch (Exception) when (cancel.IsCancellationRequested && !deadline.IsCancellationRequested)
        {
            // CancelRun: the handler stops between items. It gets the grace period to do so; one that does not is hung,
            // abandoned like a handler past its maximum duration. Either way the run ends cancelled with the counts so far.
            completion = Cancelled(job);
            if (!await StopsWithinAsync(work, options.Value.CancelGrace))
            {
                LogCancelIgnored(logger, job.RunId, options.Value.CancelGrace);
                completion.Failures.Add(new RunFailure
                {
                    Code = CancelIgnoredCode,
                    Message = $"The run's handler did not stop within {options.Value.CancelGrace} of the cancel; it was abandoned. Check the workers' logs.",
                });
            }
            else
            {
                LogCancelled(logger, job.RunId);
            }
        }
        catch (OperationCanceledException) when (overtime.IsCancellationRequested)
        {
            LogTimedOut(logger, job.RunId, maxDuration);
            completion = Failed(job, TimeoutCode,
                $"The run exceeded the maximum duration of a {job.Type} run ({maxDuration}); its handler was cancelled. Start it again, and check the workers' logs.");
        }
        catch (Exception e) when (transient.Value.IsTransient(e) && e is not RunFailureException)
        {
            transientFailure = e;
        }
        catch (Exception e)
        {
            var (code, message) = e is RunFailureException failure ? (failure.Code, failure.Message) : (HandlerFailedCode, $"{e.GetType().Name}: {e.Message}");
            LogHandlerFailed(logger, e, job.RunId, code);
            completion = Failed(job, code, message);
        }
        await attempt.CancelAsync();
        await heartbeat;
        return (completion, transientFailure);
    }

    /// <summary>Whether <paramref name="work"/> ends within <paramref name="grace"/>; its own failure, if any, is observed here.</summary>
    private async Task<bool> StopsWithinAsync(Task work, TimeSpan grace)
    {
        _ = work.ContinueWith(t => t.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted, TaskScheduler.Default);
        return await Task.WhenAny(work, Task.Delay(grace, time)) == work;
    }

    private static UpdateRunRequest Cancelled(RunJob job) =>
        new() { RunId = job.RunId, Status = RunStatus.Completed, Outcome = RunOutcome.Cancelled };

    private static UpdateRunRequest Failed(RunJob job, string code, string message)
    {
        var completion = new UpdateRunRequest { RunId = job.RunId, Status = RunStatus.Completed, Outcome = RunOutcome.Failed };
        completion.Failures.Add(new RunFailure { Code = code, Message = message });
        return completion;
    }

    private static RunCountsPatch ZeroCounts() => new() { Total = 0, Processed = 0, Succeeded = 0, Failed = 0, Skipped = 0 };

    /// <summary>Sends remaining failures (in chunks) and counts, then completes. The last call is the completion.</summary>
    private async Task<Run> CompleteAsync(RunWorkContext context, UpdateRunRequest completion, CancellationToken ct)
    {
        var failures = context.TakeFailures();
        failures.AddRange(completion.Failures);
        completion.Failures.Clear();
        for (var i = 0; i + FailuresPerUpdate < failures.Count; i += FailuresPerUpdate)
        {
            var chunk = new UpdateRunRequest { RunId = completion.RunId, AttemptId = context.AttemptId };
            chunk.Failures.AddRange(failures.Skip(i).Take(FailuresPerUpdate));
            await runs.UpdateAsync(chunk, ct);
        }
        completion.Failures.AddRange(failures.Skip(Math.Max(0, (failures.Count - 1) / FailuresPerUpdate * FailuresPerUpdate)));
        // Absolute counts: late or lost progress reports (of this or a dead earlier attempt) cannot skew the result.
        context.TakeCounts();
        completion.SetCounts = context.Totals();
        completion.AttemptId = context.AttemptId;
        try
        {
            return await runs.UpdateAsync(completion, ct);
        }
        catch (RpcException e) when (e.StatusCode == StatusCode.FailedPrecondition)
        {
            var current = await runs.GetAsync(completion.RunId, ct);
            if (current.Status == RunStatus.Completed)
            {
                // Completed meanwhile by someone else (cancelled, or a reclaiming consumer): nothing more to say.
                return current;
            }
            // Refused while the run is still active (an outcome its counts contradict): never taken for done, or the run
            // would stay active for ever. It ends failed, with its counts, naming the refusal.
            LogCompletionRefused(logger, completion.RunId, completion.Outcome.ToString(), e.Status.Detail);
            return await CompleteRefusedAsync(completion, e.Status.Detail, context.AttemptId, ct);
        }
    }

    private async Task<Run> CompleteRefusedAsync(UpdateRunRequest refused, string refusal, string attemptId, CancellationToken ct)
    {
        var failed = new UpdateRunRequest
        {
            RunId = refused.RunId, Status = RunStatus.Completed, Outcome = RunOutcome.Failed, SetCounts = refused.SetCounts, AttemptId = attemptId,
        };
        failed.Failures.Add(new RunFailure
        {
            Code = CompletionRefusedCode,
            Message = $"RunsService refused the run's completion (outcome {refused.Outcome}): {refusal} The run was completed failed instead; " +
                "its counts are the handler's. Report this to the service's owners.",
        });
        try
        {
            if (refused.Failures.Count > 0)
            {
                // The refused completion carried the last item failures (up to a call's limit); none of it was written.
                var last = new UpdateRunRequest { RunId = refused.RunId, AttemptId = attemptId };
                last.Failures.AddRange(refused.Failures);
                await runs.UpdateAsync(last, ct);
            }
            return await runs.UpdateAsync(failed, ct);
        }
        catch (RpcException e) when (e.StatusCode == StatusCode.FailedPrecondition)
        {
            // Completed meanwhile (cancelled): that outcome stands.
            return await runs.GetAsync(refused.RunId, ct);
        }
    }

    /// <summary>While the handler works: renew the claim (XCLAIM JUSTID does not count as a delivery) and send progress.</summary>
    private async Task HeartbeatAsync(RedisValue entryId, string consumer, RunWorkContext context, CancellationTokenSource leaseLost, CancellationToken ct)
    {
        var interval = TimeSpan.FromTicks(Math.Min(options.Value.HeartbeatInterval.Ticks, options.Value.ProgressInterval.Ticks));
        var lastClaim = time.GetUtcNow();
        var lastRead = time.GetUtcNow();
        using var timer = new PeriodicTimer(interval, time);
        try
        {
            while (await timer.WaitForNextTickAsync(ct))
            {
                try
                {
                    if (time.GetUtcNow() - lastClaim >= options.Value.HeartbeatInterval)
                    {
                        // Issued together: pipelined on one connection, one round trip for both.
                        var database = redis.GetDatabase();
                        var claim = database.StreamClaimIdsOnlyAsync(Stream, Group, consumer, 0, [entryId]);
                        var renewed = database.ScriptEvaluateAsync(RenewLeaseScript, [(RedisKey)LeaseKey(context.Run.RunId)],
                            [consumer, (long)options.Value.ClaimIdleTimeout.TotalMilliseconds]);
                        await Task.WhenAll(claim, renewed);
                        if ((long)await renewed == 0)
                        {
                            LogLeaseLost(logger, context.Run.RunId);
                            await leaseLost.CancelAsync();
                            return;
                        }
                        lastClaim = time.GetUtcNow();
                    }
                    Run? current = null;
                    if (context.TakeCounts().CalculateSize() > 0)
                    {
                        // Absolute counts: RunsService may commit a progress report without waiting for its disk flush,
                        // because the next report restores whatever a database crash lost (an increment would be lost).
                        current = await runs.UpdateAsync(new UpdateRunRequest { RunId = context.Run.RunId, SetCounts = context.Totals(), AttemptId = context.AttemptId }, ct);
                    }
                    else if (time.GetUtcNow() - lastRead >= options.Value.HeartbeatInterval)
                    {
                        // No progress to report: read the run, so a cancel whose message was lost is seen within a heartbeat.
                        current = await runs.GetAsync(context.Run.RunId, ct);
                    }
                    if (current is not null)
                    {
                        lastRead = time.GetUtcNow();
                        if (current.CancelRequested)
                        {
                            cancellations.Cancel(context.Run.RunId);
                        }
                    }
                }
                catch (RpcException e) when (e.StatusCode == StatusCode.Aborted)
                {
                    // RunsService says another attempt started the run: this one is fenced off.
                    LogLeaseLost(logger, context.Run.RunId);
                    await leaseLost.CancelAsync();
                    return;
                }
                catch (Exception e) when (!ct.IsCancellationRequested)
                {
                    // A missed heartbeat or progress report is not fatal: the next tick tries again, and the
                    // completion sets the run's counts absolutely.
                    LogHeartbeatFailed(logger, e, context.Run.RunId);
                }
            }
        }
        catch (Exception) when (ct.IsCancellationRequested)
        {
            // The attempt ended (a report in flight is cancelled with it).
        }
    }

    private async Task GiveUpAsync(StreamEntry entry, RunJob job, long deliveryCount, CancellationToken ct)
    {
        var failed = await CompleteFailedAsync(job, WorkerLostCode,
            $"The run's worker stopped {deliveryCount - 1} times without finishing it; it was given up. Start it again, and check the workers' logs.", ct);
        if (!failed)
        {
            // Completed meanwhile (by the consumer that held it while this copy waited): a copy, not a lost run.
            LogAlreadyTerminal(logger, job.RunId);
            await AcknowledgeAsync(entry);
            return;
        }
        await DeadLetterAsync(entry, deliveryCount, $"{deliveryCount - 1} deliveries without completion");
    }

    /// <summary>Completes the run failed with one failure; false when it was already completed (or is gone).</summary>
    private async Task<bool> CompleteFailedAsync(RunJob job, string code, string message, CancellationToken ct)
    {
        var request = new UpdateRunRequest { RunId = job.RunId, Status = RunStatus.Completed, Outcome = RunOutcome.Failed };
        request.Failures.Add(new RunFailure { Code = code, Message = message });
        try
        {
            await runs.UpdateAsync(request, ct);
            return true;
        }
        catch (RpcException e) when (e.StatusCode is StatusCode.FailedPrecondition or StatusCode.NotFound)
        {
            return false;
        }
    }

    private async Task DeadLetterAsync(StreamEntry entry, long deliveryCount, string reason)
    {
        var database = redis.GetDatabase();
        await database.StreamAddAsync(RunJobs.DeadLetterStreamOf(options.Value.Service),
        [
            .. entry.Values.Where(v => !RunJobs.DeadLetterFields.Contains(v.Name.ToString())),
            new NameValueEntry(RunJobs.ReasonField, reason),
            new NameValueEntry(RunJobs.OriginalIdField, entry.Id),
            new NameValueEntry(RunJobs.DeliveryCountField, deliveryCount),
            new NameValueEntry(RunJobs.DeadLetteredAtField, time.GetUtcNow().UtcDateTime.ToString("O", System.Globalization.CultureInfo.InvariantCulture)),
        ]);
        await database.StreamAcknowledgeAsync(Stream, Group, entry.Id);
        WorkerTelemetry.DeadLettered.Add(1);
        LogDeadLettered(logger, entry.Id.ToString(), reason);
    }

    private async Task ReleaseLeaseAsync(string lease, string consumer)
    {
        try
        {
            await redis.GetDatabase().ScriptEvaluateAsync(ReleaseLeaseScript, [(RedisKey)lease], [consumer]);
        }
        catch (Exception e) when (e is RedisException or TimeoutException)
        {
            // It lapses by itself within ClaimIdleTimeout.
        }
    }

    private async Task AcknowledgeAsync(StreamEntry entry) => await redis.GetDatabase().StreamAcknowledgeAsync(Stream, Group, entry.Id);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Run {RunId}: another consumer holds its lease (this one was cut off from Redis past the claim idle time); its handler is stopped and nothing is reported")]
    private static partial void LogLeaseLost(ILogger logger, string runId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Run {RunId} released for another consumer: {Reason}")]
    private static partial void LogReleased(ILogger logger, string runId, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Run {RunId} is being worked on by another consumer; entry {EntryId} stays pending")]
    private static partial void LogLeasedElsewhere(ILogger logger, string runId, string entryId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Run {RunId} is already completed; redelivered entry dropped")]
    private static partial void LogAlreadyTerminal(ILogger logger, string runId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Run {RunId} failed in its handler ({Code})")]
    private static partial void LogHandlerFailed(ILogger logger, Exception exception, string runId, string code);

    [LoggerMessage(Level = LogLevel.Information, Message = "Run {RunId} was cancelled; its handler stopped")]
    private static partial void LogCancelled(ILogger logger, string runId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Run {RunId} was cancelled, but its handler did not stop within {Grace}; it was abandoned")]
    private static partial void LogCancelIgnored(ILogger logger, string runId, TimeSpan grace);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Run {RunId} exceeded its maximum duration {MaxDuration}; its handler was cancelled")]
    private static partial void LogTimedOut(ILogger logger, string runId, TimeSpan maxDuration);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Run {RunId}: try {Attempt} hit a store that is away; trying again")]
    private static partial void LogTransientRetry(ILogger logger, Exception exception, string runId, int attempt);

    [LoggerMessage(Level = LogLevel.Error, Message = "Run {RunId}: RunsService refused its completion (outcome {Outcome}): {Refusal}; completing it failed")]
    private static partial void LogCompletionRefused(ILogger logger, string runId, string outcome, string refusal);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Heartbeat or progress report for run {RunId} failed")]
    private static partial void LogHeartbeatFailed(ILogger logger, Exception exception, string runId);

    [LoggerMessage(Level = LogLevel.Error, Message = "Stream entry {EntryId} dead-lettered: {Reason}")]
    private static partial void LogDeadLettered(ILogger logger, string entryId, string reason);
}

/// <summary>This consumer lost the run's lease to another one while its handler ran; the attempt was stopped.</summary>
internal sealed class LeaseLostException(string runId) : Exception($"Run {runId} is held by another consumer.");

/// <summary>A job that kept meeting a store that is away: released for a later delivery, not failed.</summary>
internal sealed class TransientJobFailureException(Exception inner) : Exception("A backing store stayed unavailable.", inner);
