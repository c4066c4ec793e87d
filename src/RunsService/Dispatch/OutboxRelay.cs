using Microsoft.Extensions.Options;
using Npgsql;

namespace TenantAtlas.RunsService.Dispatch;

/// <summary>
/// Hands new runs' jobs from the outbox to their Redis streams. Woken by the outbox trigger's NOTIFY (no slow
/// poll), it publishes each batch inside a transaction that holds the rows with FOR UPDATE SKIP LOCKED, so any
/// number of RunsService replicas relay together without publishing an entry twice. A job Redis refuses is
/// retried with backoff until its deadline; then <see cref="DispatchExpiry"/> fails its run visibly.
/// </summary>
public sealed partial class OutboxRelay(
    NpgsqlDataSource dataSource,
    JobPublisher publisher,
    DispatchExpiry expiry,
    IOptions<DispatchOptions> options,
    ILogger<OutboxRelay> logger) : BackgroundService
{
    public const string Channel = "run_dispatch";

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
                await using var listener = await dataSource.OpenConnectionAsync(stoppingToken);
                await using (var listen = new NpgsqlCommand($"LISTEN {Channel}", listener))
                {
                    await listen.ExecuteNonQueryAsync(stoppingToken);
                }
                while (!stoppingToken.IsCancellationRequested)
                {
                    var moreWaiting = await RelayOnceAsync(stoppingToken);
                    if (!moreWaiting)
                    {
                        // Returns at the next NOTIFY, or after the poll interval for retries and deadlines.
                        await listener.WaitAsync(options.Value.PollInterval, stoppingToken);
                    }
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

    /// <summary>One pass: fail overdue jobs, publish a batch. True when a full batch suggests more is waiting.</summary>
    public async Task<bool> RelayOnceAsync(CancellationToken ct)
    {
        await expiry.ExpireOverdueAsync(ct);
        return await PublishBatchAsync(ct) >= options.Value.BatchSize;
    }

    private async Task<int> PublishBatchAsync(CancellationToken ct)
    {
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        await using var transaction = await connection.BeginTransactionAsync(ct);
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
        await publisher.WakeWorkersAsync(jobs.Where(j => sent.Contains(j.Id)).Select(j => j.Stream));
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
