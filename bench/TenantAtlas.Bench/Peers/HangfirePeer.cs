using System.Collections.Concurrent;
using System.Diagnostics;
using Hangfire;
using Hangfire.Logging;
using Hangfire.PostgreSql;
using Hangfire.PostgreSql.Factories;
using Hangfire.Storage;
using TenantAtlas.Bench.Measurement;

namespace TenantAtlas.Bench.Peers;

/// <summary>
/// The peer system: what a .NET team would otherwise use to dispatch runs, Hangfire on PostgreSQL (Hangfire's own
/// schema in the given database). Each measurement builds its own storage, server and client — nothing goes through
/// Hangfire's static <c>GlobalConfiguration</c>/<c>JobStorage.Current</c> — so measurements can run one after another.
/// </summary>
public static class HangfirePeer
{
    // Paced measurement: how many enqueues may be in flight at once before a job starts late.
    private const int EnqueueThreads = 16;
    // Not just a handful: the per-job paths through Hangfire, Dapper and Npgsql should be past tier-0 JIT.
    private const int WarmupJobs = 200;
    // Hangfire's succeeded count is a COUNT(*) over hangfire.job (10+ ms once the table is big), so it is polled only
    // after every job has run by the in-process count: polling it all along would load the database being measured.
    private static readonly TimeSpan SucceededPollInterval = TimeSpan.FromMilliseconds(10);

    /// <summary>
    /// Enqueues <paramref name="count"/> fire-and-forget jobs at <paramref name="ratePerSecond"/> (open loop: job i is
    /// due at start + i/rate however long earlier enqueues took) into a server of <paramref name="workerCount"/>
    /// workers; a job's latency runs from just before <c>Enqueue</c> to the first line of the job method.
    /// </summary>
    public static async Task<LatencyStats> MeasureDispatchLatencyAsync(string connectionString, int workerCount, int ratePerSecond,
        int count, CancellationToken ct)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(ratePerSecond);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(count);
        await using var peer = await Peer.StartAsync(connectionString, workerCount, ct);
        using var sink = JobSink.Open(count);
        var start = Stopwatch.GetTimestamp();
        var ticksPerJob = (double)Stopwatch.Frequency / ratePerSecond;
        await EnqueueAndWaitAsync(sink, EnqueueThreads, i =>
        {
            var wait = Stopwatch.GetElapsedTime(Stopwatch.GetTimestamp(), start + (long)(i * ticksPerJob));
            if (wait > TimeSpan.Zero)
            {
                Thread.Sleep(wait);
            }
            var sent = Stopwatch.GetTimestamp();
            peer.Client.Enqueue(peer.Queue, () => HangfirePeerJobs.Started(sink.Id, sent));
        }, TimeSpan.FromSeconds(60 + count / (double)ratePerSecond), ct);
        return LatencyStats.From(sink.Latencies);
    }

    /// <summary>
    /// Jobs/s through Hangfire with a no-op job: <paramref name="enqueuers"/> loops enqueue <paramref name="count"/> jobs
    /// as fast as they can while the server (<paramref name="workerCount"/> workers) processes them; the result is
    /// count / time from the first enqueue until Hangfire reports all of them Succeeded.
    /// </summary>
    public static async Task<double> MeasureThroughputAsync(string connectionString, int workerCount, int enqueuers, int count,
        CancellationToken ct)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(enqueuers);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(count);
        await using var peer = await Peer.StartAsync(connectionString, workerCount, ct);
        using var sink = JobSink.Open(count);
        var before = peer.Monitoring.SucceededListCount();
        var start = Stopwatch.GetTimestamp();
        // At least 50 jobs/s, or the setup is broken rather than slow.
        await EnqueueAndWaitAsync(sink, enqueuers, _ => peer.Client.Enqueue(peer.Queue, () => HangfirePeerJobs.Noop(sink.Id)),
            TimeSpan.FromSeconds(30 + count / 50.0), ct);
        await peer.WaitSucceededAsync(before + count, ct);
        return count / Stopwatch.GetElapsedTime(start).TotalSeconds;
    }

    // Calls enqueue(i) for every job of the sink from dedicated threads, then waits until every job ran. Not the thread
    // pool: Enqueue is synchronous, and pool threads blocked in it starve the socket completions Npgsql's synchronous
    // reads wait for (we saw enqueues stall for the whole 30 s command timeout). An enqueue failure surfaces at once
    // rather than as a timeout; on any way out the loops stop.
    private static async Task EnqueueAndWaitAsync(JobSink sink, int threads, Action<int> enqueue, TimeSpan timeout, CancellationToken ct)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(threads);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var next = -1;
        var enqueues = Task.WhenAll(Enumerable.Range(0, threads).Select(_ => Task.Factory.StartNew(() =>
        {
            int i;
            while ((i = Interlocked.Increment(ref next)) < sink.Expected && !stop.IsCancellationRequested)
            {
                enqueue(i);
            }
        }, stop.Token, TaskCreationOptions.LongRunning, TaskScheduler.Default)));
        try
        {
            var expired = Task.Delay(timeout, stop.Token);
            if (await Task.WhenAny(sink.AllRan, enqueues, expired) == enqueues)
            {
                await enqueues; // rethrows an enqueue failure
                await Task.WhenAny(sink.AllRan, expired);
            }
            ct.ThrowIfCancellationRequested();
            if (!sink.AllRan.IsCompleted)
            {
                throw new TimeoutException($"Hangfire ran only {sink.Executions} of {sink.Expected} jobs within {timeout.TotalSeconds:0} s.");
            }
        }
        finally
        {
            await stop.CancelAsync();
        }
    }

    /// <summary>A storage, a started server, a client and a queue of their own; warmed up before being handed out.</summary>
    private sealed class Peer(PostgreSqlStorage storage, BackgroundJobServer server, string queue) : IAsyncDisposable
    {
        /// <summary>
        /// The measurement's own queue: its server never picks up jobs an earlier measurement (or a crashed run) left
        /// behind, so Hangfire's succeeded count grows by this measurement's jobs only.
        /// </summary>
        public string Queue { get; } = queue;

        public BackgroundJobClient Client { get; } = new(storage);

        public IMonitoringApi Monitoring { get; } = storage.GetMonitoringApi();

        public static async Task<Peer> StartAsync(string connectionString, int workerCount, CancellationToken ct)
        {
            // Hangfire logs through LibLog and is silent when no logging library it knows is loaded; say so explicitly
            // (keeping errors visible) instead of depending on what happens to be loaded.
            LogProvider.SetCurrentLogProvider(ErrorsOnlyLog.Instance);
            var options = new PostgreSqlStorageOptions
            {
                // Schema "hangfire", created on first use.
                PrepareSchemaIfNecessary = true,
                // Client and server share this process, and Hangfire.PostgreSql then wakes an idle worker in-process
                // when an enqueue commits: that is the fast path here. LISTEN/NOTIFY (long polling, for enqueuers in
                // other processes) measured worse on top of it — every NOTIFY wakes every worker and each fetch opens
                // a LISTEN connection — and once left a worker hung in its fetch, so it stays off.
                EnableLongPolling = false,
                // The fallback when a wake-up is missed (a burst coalesces into one signal). The 15 s default would be
                // unfair; 50 ms is the lowest value Hangfire.PostgreSql accepts without AllowUnsafeValues.
                QueuePollInterval = TimeSpan.FromMilliseconds(50),
                // InvisibilityTimeout (30 min), DistributedLockTimeout (10 min), native transactions and
                // TransactionScope enlistment stay at their defaults: they matter for crashed workers and lock
                // contention, neither of which a no-op job has.
            };
            var storage = new PostgreSqlStorage(new NpgsqlConnectionFactory(connectionString, options), options);
            var queue = $"bench-{Guid.NewGuid():N}";
            var server = new BackgroundJobServer(new BackgroundJobServerOptions
            {
                ServerName = $"tenantatlas-{queue}",
                WorkerCount = workerCount,
                Queues = [queue],
                // SchedulePollingInterval (delayed jobs) and ServerCheckInterval/HeartbeatInterval (housekeeping) are
                // not on the fire-and-forget path; their defaults keep the background load a production server has.
            }, storage);
            var peer = new Peer(storage, server, queue);
            try
            {
                // Schema, connection pool, JIT and workers; Succeeded too, so the jobs are in the count measured from.
                using var sink = JobSink.Open(WarmupJobs);
                var before = peer.Monitoring.SucceededListCount();
                await EnqueueAndWaitAsync(sink, 4, _ => peer.Client.Enqueue(queue, () => HangfirePeerJobs.Noop(sink.Id)),
                    TimeSpan.FromSeconds(60), ct);
                await peer.WaitSucceededAsync(before + WarmupJobs, ct);
                return peer;
            }
            catch
            {
                await peer.DisposeAsync();
                throw;
            }
        }

        /// <summary>Polls Hangfire's count of jobs in state Succeeded until it reaches <paramref name="target"/>.</summary>
        public async Task WaitSucceededAsync(long target, CancellationToken ct)
        {
            var deadline = Stopwatch.GetTimestamp() + Stopwatch.Frequency * 30;
            long succeeded;
            while ((succeeded = Monitoring.SucceededListCount()) < target)
            {
                if (Stopwatch.GetTimestamp() > deadline)
                {
                    throw new TimeoutException($"Every job ran, but 30 s later Hangfire counts {target - succeeded} fewer Succeeded jobs than expected (were expired jobs deleted meanwhile?).");
                }
                await Task.Delay(SucceededPollInterval, ct);
            }
            if (succeeded > target)
            {
                throw new InvalidOperationException($"Hangfire counts {succeeded - target} more Succeeded jobs than this measurement ran: another Hangfire server uses the database.");
            }
        }

        public async ValueTask DisposeAsync()
        {
            server.SendStop();
            await server.WaitForShutdownAsync(CancellationToken.None);
            server.Dispose();
        }
    }

    /// <summary>Errors go to standard error; everything else is dropped.</summary>
    private sealed class ErrorsOnlyLog : ILogProvider, ILog
    {
        public static readonly ErrorsOnlyLog Instance = new();

        public ILog GetLogger(string name) => this;

        public bool Log(LogLevel logLevel, Func<string>? messageFunc, Exception? exception = null)
        {
            if (logLevel >= LogLevel.Error && messageFunc is not null)
            {
                Console.Error.WriteLine($"Hangfire {logLevel}: {messageFunc()}{(exception is null ? string.Empty : Environment.NewLine + exception)}");
            }
            return logLevel >= LogLevel.Error;
        }
    }
}

/// <summary>One measurement's view of its jobs: when each started (latency) and how many ran.</summary>
internal sealed class JobSink(int expected) : IDisposable
{
    private static readonly ConcurrentDictionary<Guid, JobSink> OpenSinks = new();
    private readonly ConcurrentQueue<double> latencies = new();
    private readonly TaskCompletionSource allRan = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int executions;

    public Guid Id { get; } = Guid.NewGuid();

    public int Expected { get; } = expected;

    public Task AllRan => allRan.Task;

    public int Executions => Volatile.Read(ref executions);

    public IReadOnlyCollection<double> Latencies => latencies;

    public static JobSink Open(int expected)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(expected);
        var sink = new JobSink(expected);
        OpenSinks[sink.Id] = sink;
        return sink;
    }

    /// <summary>Jobs of a closed measurement may still run; they are not recorded.</summary>
    public void Dispose() => OpenSinks.TryRemove(Id, out _);

    public static void Record(Guid id, double? latencyMilliseconds)
    {
        if (OpenSinks.TryGetValue(id, out var sink))
        {
            if (latencyMilliseconds is { } latency)
            {
                sink.latencies.Enqueue(latency);
            }
            if (Interlocked.Increment(ref sink.executions) == sink.Expected)
            {
                sink.allRan.TrySetResult();
            }
        }
    }
}

/// <summary>The job methods Hangfire invokes (it requires public methods; static ones need no job activator).</summary>
internal static class HangfirePeerJobs
{
    public static void Started(Guid measurement, long enqueuedAt)
    {
        var now = Stopwatch.GetTimestamp();
        JobSink.Record(measurement, Stopwatch.GetElapsedTime(enqueuedAt, now).TotalMilliseconds);
    }

    public static void Noop(Guid measurement) => JobSink.Record(measurement, null);
}
