using Microsoft.Extensions.Options;
using Npgsql;
using StackExchange.Redis;
using TenantAtlas.Contracts;

namespace TenantAtlas.RunsService.Dispatch;

/// <summary>
/// Puts back the jobs Redis lost. The relay deletes a run's outbox row once its job is in the stream; if Redis then
/// restarts without its data (no persistence, a failover to a replica that lagged, a flush), the entry is gone and
/// nothing would ever move the run: it would say "queued" (or "running", if its worker died too) for good.
/// Every <see cref="DispatchOptions.LostJobCheckInterval"/> this looks at unfinished runs that have no outbox row
/// (their job was published, and the relay set the run's published marker in the same script as the XADD). A run whose
/// published marker and lease are both missing from Redis, on two looks at least
/// <see cref="DispatchOptions.RepublishAfter"/> apart (longer than a worker's heartbeat, which takes a lost lease
/// back), has lost its job: it gets a new outbox row with a fresh
/// deadline, and the relay publishes it again (or, if Redis stays away, fails it <c>queue.dispatch_failed</c>).
/// While Redis keeps its data this never fires: the marker outlives the dispatch of any job by far.
/// </summary>
public sealed partial class LostJobSweep(
    NpgsqlDataSource dataSource,
    IConnectionMultiplexer redis,
    DispatchSignal signal,
    TimeProvider time,
    IOptions<DispatchOptions> options,
    ILogger<LostJobSweep> logger) : BackgroundService
{
    private const int PageSize = 500;

    /// <summary>Runs seen without marker and lease, with when that was first seen.</summary>
    private readonly Dictionary<Guid, DateTimeOffset> suspects = [];

    /// <summary>Where the next page starts: the sweep walks all unfinished runs a page per check.</summary>
    private (DateTime CreatedAt, Guid Id) cursor = (DateTime.MinValue, Guid.Empty);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.LostJobCheckInterval, time);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try
            {
                await SweepOnceAsync(stoppingToken);
            }
            catch (Exception e) when (!stoppingToken.IsCancellationRequested)
            {
                // PostgreSQL or Redis away: the next check tries again; what was suspected stays suspected.
                LogSweepFailed(logger, e);
            }
        }
    }

    /// <summary>One look at a page of unfinished runs; returns how many jobs it put back.</summary>
    public async Task<int> SweepOnceAsync(CancellationToken ct)
    {
        var candidates = await UnfinishedRunsWithoutOutboxRowAsync(ct);
        cursor = candidates.Count < PageSize ? (DateTime.MinValue, Guid.Empty) : (candidates[^1].CreatedAt, candidates[^1].Id);
        if (candidates.Count == 0)
        {
            return 0;
        }

        var database = redis.GetDatabase();
        var held = await Task.WhenAll(candidates.Select(async run =>
        {
            var stream = RunTypes.Find(run.Type)!.Stream;
            var id = run.Id.ToString();
            // Pipelined: both EXISTS of every run go out together.
            var marker = database.KeyExistsAsync(RunJobs.PublishedMarkerOf(stream, id));
            var lease = database.KeyExistsAsync(RunJobs.LeaseOf(stream, id));
            return await marker || await lease;
        }));

        var now = time.GetUtcNow();
        var lost = new List<(Guid Id, string Stream)>();
        for (var i = 0; i < candidates.Count; i++)
        {
            var run = candidates[i];
            if (held[i])
            {
                suspects.Remove(run.Id);
            }
            else if (!suspects.TryGetValue(run.Id, out var since))
            {
                suspects[run.Id] = now;
            }
            else if (now - since >= options.Value.RepublishAfter)
            {
                suspects.Remove(run.Id);
                lost.Add((run.Id, RunTypes.Find(run.Type)!.Stream));
            }
        }
        // Suspects that finished or were put back by another replica meanwhile are not seen again: forget them.
        foreach (var stale in suspects.Where(s => now - s.Value > 10 * options.Value.RepublishAfter).Select(s => s.Key).ToList())
        {
            suspects.Remove(stale);
        }
        if (lost.Count == 0)
        {
            return 0;
        }

        var putBack = await PutBackAsync(lost, ct);
        if (putBack > 0)
        {
            Runs.RunTelemetry.JobsRepublished.Add(putBack);
            LogRepublished(logger, putBack, string.Join(", ", lost.Select(l => l.Id)));
            signal.RequestClaim();
        }
        return putBack;
    }

    private async Task<List<(Guid Id, string Type, DateTime CreatedAt)>> UnfinishedRunsWithoutOutboxRowAsync(CancellationToken ct)
    {
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        // Served by the partial index of active runs (status IN ('queued', 'running')).
        await using var command = new NpgsqlCommand("""
            SELECT r.id, r.type, r.created_at FROM runs.operation_runs r
            WHERE r.status IN ('queued', 'running') AND NOT r.dispatch_held
              AND (r.created_at, r.id) > (@after_created, @after_id)
              AND NOT EXISTS (SELECT 1 FROM runs.run_dispatch_outbox o WHERE o.run_id = r.id)
            ORDER BY r.created_at, r.id
            LIMIT @limit
            """, connection);
        command.Parameters.AddWithValue("after_created", DateTime.SpecifyKind(cursor.CreatedAt, DateTimeKind.Utc));
        command.Parameters.AddWithValue("after_id", cursor.Id);
        command.Parameters.AddWithValue("limit", PageSize);
        var runs = new List<(Guid, string, DateTime)>();
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            var type = reader.GetString(1);
            // A type out of the catalogue has no stream to go to, and an unavailable type's stream has no reader: putting
            // their jobs back would only grow a stream nobody reads.
            if (RunTypes.Find(type) is { Available: true })
            {
                runs.Add((reader.GetGuid(0), type, reader.GetDateTime(2)));
            }
        }
        return runs;
    }

    /// <summary>New outbox rows for runs still unfinished; a row another replica just added stays the only one.</summary>
    private async Task<int> PutBackAsync(List<(Guid Id, string Stream)> lost, CancellationToken ct)
    {
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        await using var command = new NpgsqlCommand("""
            INSERT INTO runs.run_dispatch_outbox (run_id, stream, trace_parent, created_at, deadline_at, next_attempt_at)
            SELECT r.id, l.stream, NULL, now(), now() + @deadline, now()
            FROM unnest(@ids, @streams) AS l(id, stream) JOIN runs.operation_runs r ON r.id = l.id
            WHERE r.status IN ('queued', 'running') AND NOT r.dispatch_held
            ON CONFLICT (run_id) DO NOTHING
            """, connection);
        command.Parameters.AddWithValue("ids", lost.Select(l => l.Id).ToArray());
        command.Parameters.AddWithValue("streams", lost.Select(l => l.Stream).ToArray());
        command.Parameters.AddWithValue("deadline", options.Value.Deadline);
        return await command.ExecuteNonQueryAsync(ct);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Redis no longer held the jobs of {Count} unfinished runs; they are published again: {RunIds}")]
    private static partial void LogRepublished(ILogger logger, int count, string runIds);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Looking for jobs Redis lost failed; trying again at the next check")]
    private static partial void LogSweepFailed(ILogger logger, Exception exception);
}
