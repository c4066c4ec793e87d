using Microsoft.Extensions.Options;
using Npgsql;

namespace TenantAtlas.RunsService.Dispatch;

/// <summary>
/// Hands runs' jobs from the outbox to their Redis streams when <see cref="ImmediateDispatch"/> did not: jobs whose
/// immediate publish failed or whose replica stopped before it (due after <see cref="DispatchOptions.ImmediateGrace"/>),
/// released held runs and jobs the lost-job sweep put back (<see cref="DispatchSignal.RequestClaim"/>), retries. It
/// publishes each batch inside a transaction that holds the rows with FOR UPDATE SKIP LOCKED, so any number of
/// RunsService replicas relay together without publishing an entry twice; it polls for due rows every
/// <see cref="DispatchOptions.PollInterval"/>. A job Redis refuses is retried with backoff until its deadline; then
/// <see cref="DispatchExpiry"/> fails its run visibly. It also deletes the outbox rows of jobs ImmediateDispatch published,
/// many in one statement.
/// </summary>
public sealed partial class OutboxRelay(
    NpgsqlDataSource dataSource,
    JobPublisher publisher,
    ImmediateDispatch immediate,
    DispatchExpiry expiry,
    DispatchSignal signal,
    TimeProvider time,
    IOptions<DispatchOptions> options,
    ILogger<OutboxRelay> logger) : BackgroundService
{
    private long lastExpiryCheck;
    private long lastClaim;

    // Rows deleted per statement for published jobs: one statement for a burst of runs, bounded in size.
    private const int DeletesPerStatement = 1000;

    private const string ClaimSql = """
        SELECT o.id, o.run_id, o.stream, o.trace_parent, o.attempts, r.type, r.workspace_id, r.tenant_id, r.created_at
        FROM runs.run_dispatch_outbox o JOIN runs.operation_runs r ON r.id = o.run_id
        WHERE o.next_attempt_at <= now() AND o.deadline_at > now()
        ORDER BY o.id
        LIMIT @limit
        FOR UPDATE OF o SKIP LOCKED
        """;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await DeletePublishedAsync(stoppingToken);
                var moreWaiting = false;
                if (signal.TakeClaimRequest() || time.GetElapsedTime(lastClaim) >= options.Value.PollInterval)
                {
                    lastClaim = time.GetTimestamp();
                    moreWaiting = await RelayOnceAsync(stoppingToken);
                }
                if (!moreWaiting && !immediate.HasPublished)
                {
                    // Returns when this replica published a job or has due rows, or after the poll interval for other
                    // replicas' jobs, retries and deadlines.
                    await signal.WaitAsync(options.Value.PollInterval, stoppingToken);
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                // The relay must outlive any single failure: log, back off, reconnect, go on.
                LogRelayFailed(logger, e);
                await Task.Delay(options.Value.PollInterval, stoppingToken);
            }
        }
    }

    /// <summary>
    /// Deletes the outbox rows of jobs <see cref="ImmediateDispatch"/> published, in one statement that does not wait for
    /// its WAL flush: if a crash loses it, the rows come due after the grace and the relay's publish of them is a no-op.
    /// </summary>
    public async Task DeletePublishedAsync(CancellationToken ct)
    {
        var runs = immediate.TakePublished(DeletesPerStatement);
        if (runs.Count == 0)
        {
            return;
        }
        var delete = new NpgsqlBatchCommand("DELETE FROM runs.run_dispatch_outbox WHERE run_id = ANY(@runs)");
        delete.Parameters.AddWithValue("runs", runs.ToArray());
        await using var batch = Persistence.RelaxedCommit.Batch(dataSource, delete);
        await batch.ExecuteNonQueryAsync(ct);
    }

    /// <summary>
    /// One pass: fail overdue jobs (at most once per poll interval: deadlines are seconds away, and a query per
    /// job would double the relay's cost), publish a batch. True when a full batch suggests more is waiting.
    /// </summary>
    public async Task<bool> RelayOnceAsync(CancellationToken ct)
    {
        if (time.GetElapsedTime(lastExpiryCheck) >= options.Value.PollInterval)
        {
            lastExpiryCheck = time.GetTimestamp();
            await expiry.ExpireOverdueAsync(ct);
        }
        return await PublishBatchAsync(ct) >= options.Value.BatchSize;
    }

    private async Task<int> PublishBatchAsync(CancellationToken ct)
    {
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        await using var transaction = await connection.BeginTransactionAsync(ct);
        // This transaction only deletes published rows. If a crash loses its commit, the rows are published again,
        // which at-least-once delivery already allows (see the XADD/COMMIT window below), so it need not wait for
        // its WAL flush — and EnsureRun/UpdateRun commits do not queue behind it.
        await using (var relaxed = new NpgsqlCommand("SET LOCAL synchronous_commit = off", connection, transaction))
        {
            await relaxed.ExecuteNonQueryAsync(ct);
        }
        var jobs = new List<OutboxJob>();
        await using (var claim = new NpgsqlCommand(ClaimSql, connection, transaction))
        {
            claim.Parameters.AddWithValue("limit", options.Value.BatchSize);
            await using var reader = await claim.ExecuteReaderAsync(ct);
            while (await reader.ReadAsync(ct))
            {
                jobs.Add(new OutboxJob(reader.GetInt64(0), reader.GetGuid(1), reader.GetString(2),
                    reader.IsDBNull(3) ? null : reader.GetString(3), reader.GetInt32(4), reader.GetString(5),
                    reader.GetGuid(6), reader.IsDBNull(7) ? null : reader.GetGuid(7), reader.GetDateTime(8)));
            }
        }
        if (jobs.Count == 0)
        {
            return 0;
        }

        var results = await publisher.PublishAsync(jobs, ct);
        var sent = results.Where(r => r.Error is null).Select(r => r.Job.Id).ToArray();
        var failed = results.Where(r => r.Error is not null).ToList();
        // The entries are in their streams now: wake the workers before our commit, not after its disk flush.
        await publisher.WakeWorkersAsync(results.Where(r => r.Error is null).Select(r => r.Job.Stream));

        await using (var delete = new NpgsqlCommand("DELETE FROM runs.run_dispatch_outbox WHERE id = ANY(@ids)", connection, transaction))
        {
            delete.Parameters.AddWithValue("ids", sent);
            await delete.ExecuteNonQueryAsync(ct);
        }
        foreach (var (job, error) in failed)
        {
            await using var retry = new NpgsqlCommand("""
                UPDATE runs.run_dispatch_outbox
                SET attempts = attempts + 1, last_error = @error, next_attempt_at = now() + @delay
                WHERE id = @id
                """, connection, transaction);
            retry.Parameters.AddWithValue("id", job.Id);
            retry.Parameters.AddWithValue("error", error!.Length > 1000 ? error[..1000] : error);
            retry.Parameters.AddWithValue("delay", RetryDelay(job.Attempts));
            await retry.ExecuteNonQueryAsync(ct);
        }
        await transaction.CommitAsync(ct);

        if (failed.Count > 0)
        {
            LogPublishFailed(logger, failed.Count, jobs.Count, failed[0].Error!);
        }
        return jobs.Count;
    }

    private TimeSpan RetryDelay(int attempts) =>
        TimeSpan.FromMilliseconds(Math.Min(options.Value.MaxRetryDelay.TotalMilliseconds, 50 * Math.Pow(2, Math.Min(attempts, 16))));

    [LoggerMessage(Level = LogLevel.Warning, Message = "Dispatch relay failed; retrying")]
    private static partial void LogRelayFailed(ILogger logger, Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Failed} of {Total} jobs could not be published and will be retried: {Error}")]
    private static partial void LogPublishFailed(ILogger logger, int failed, int total, string error);
}

/// <summary>An outbox row joined with what the stream entry needs of its run.</summary>
public sealed record OutboxJob(long Id, Guid RunId, string Stream, string? TraceParent, int Attempts, string Type,
    Guid WorkspaceId, Guid? TenantId, DateTime CreatedAt);
