using System.Collections.Concurrent;
using System.Diagnostics;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Grpc.Net.Client;
using TenantAtlas.Runs.V1;
using RunsClient = TenantAtlas.Runs.V1.RunsService.RunsServiceClient;

namespace TenantAtlas.AppHost.Tests.Faults;

/// <summary>
/// A stream of EnsureRun calls, each with an identity of its own, from several callers at once, the way a frontend
/// or a domain service calls: a call answered UNAVAILABLE is retried with the same identity until it is answered.
/// Records every answer's status, each identity's acknowledged run, and when calls succeeded. Each caller has a
/// channel (a connection) of its own, so the callers spread over the replicas behind DCP's proxy, which balances
/// connections, not calls.
/// </summary>
public sealed class EnsureRunLoad(Func<GrpcChannel> connect, string workspaceId, string tenantId, Struct context, string label)
{
    private readonly ConcurrentDictionary<StatusCode, int> answers = new();
    private readonly ConcurrentDictionary<string, string> acknowledged = new();
    private readonly ConcurrentBag<TimeSpan> successes = new();
    private readonly ConcurrentBag<string> unanswered = new();
    private readonly ConcurrentBag<TimeSpan> retries = new();
    private readonly Stopwatch clock = Stopwatch.StartNew();
    private int next;

    /// <summary>The identity label the load's runs carry (<c>identity_inputs->>'fault'</c> starts with it).</summary>
    public string Label => label;

    /// <summary>How many times each status was answered, over all tries (OK included).</summary>
    public IReadOnlyDictionary<StatusCode, int> Answers => answers;

    /// <summary>Identity → the run EnsureRun acknowledged for it.</summary>
    public IReadOnlyDictionary<string, string> Acknowledged => acknowledged;

    /// <summary>Identities never answered OK within the retry budget.</summary>
    public IReadOnlyCollection<string> Unanswered => unanswered;

    /// <summary>
    /// Answers other than OK and UNAVAILABLE (and the caller's own DEADLINE_EXCEEDED): a caller's retry policy cannot act
    /// on them, and a server must not give them for its own outage.
    /// </summary>
    public int Unexpected => answers.Where(a => a.Key is not StatusCode.OK and not StatusCode.Unavailable and not StatusCode.DeadlineExceeded).Sum(a => a.Value);

    /// <summary>The longest a call took from its first failed try to its success: what an outage cost one caller.</summary>
    public TimeSpan LongestRetry => retries.IsEmpty ? TimeSpan.Zero : retries.Max();

    /// <summary>The answers as text, e.g. <c>OK 812, Unavailable 31</c>.</summary>
    public string AnswerSummary => string.Join(", ", answers.OrderBy(a => a.Key).Select(a => $"{a.Key} {a.Value}"));

    /// <summary>Elapsed time on this load's clock.</summary>
    public TimeSpan Now => clock.Elapsed;

    /// <summary>The first success that came after <paramref name="since"/>.</summary>
    public TimeSpan? FirstSuccessAfter(TimeSpan since) => successes.Where(s => s > since).Order().Cast<TimeSpan?>().FirstOrDefault();

    /// <summary>Runs <paramref name="callers"/> loops until <paramref name="stop"/> is cancelled.</summary>
    public Task RunAsync(int callers, CancellationToken stop) =>
        Task.WhenAll(Enumerable.Range(0, callers).Select(_ => Task.Run(() => CallerAsync(stop))));

    private async Task CallerAsync(CancellationToken stop)
    {
        using var channel = connect();
        var runs = new RunsClient(channel);
        while (!stop.IsCancellationRequested)
        {
            var identity = $"{label}-{Interlocked.Increment(ref next)}";
            var request = new EnsureRunRequest
            {
                WorkspaceId = workspaceId, TenantId = tenantId, Type = Contracts.RunTypes.InventorySync, Context = context,
                IdentityInputs = { ["families"] = "all", ["fault"] = identity },
            };
            var retryUntil = clock.Elapsed + TimeSpan.FromSeconds(90);
            TimeSpan? firstFailure = null;
            while (true)
            {
                try
                {
                    var answer = await runs.EnsureRunAsync(request, deadline: DateTime.UtcNow.AddSeconds(15), cancellationToken: CancellationToken.None);
                    answers.AddOrUpdate(StatusCode.OK, 1, (_, n) => n + 1);
                    acknowledged[identity] = answer.Run.RunId;
                    successes.Add(clock.Elapsed);
                    if (firstFailure is { } failedAt)
                    {
                        retries.Add(clock.Elapsed - failedAt);
                    }
                    break;
                }
                catch (RpcException e)
                {
                    answers.AddOrUpdate(e.StatusCode, 1, (_, n) => n + 1);
                    firstFailure ??= clock.Elapsed;
                    if (e.StatusCode is not StatusCode.Unavailable and not StatusCode.DeadlineExceeded || clock.Elapsed > retryUntil)
                    {
                        unanswered.Add(identity);
                        break;
                    }
                    await Task.Delay(100, CancellationToken.None);
                }
            }
            await Task.Delay(20, CancellationToken.None);
        }
    }
}
