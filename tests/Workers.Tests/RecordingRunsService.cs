using System.Collections.Concurrent;
using Grpc.Core;
using TenantAtlas.Contracts;
using TenantAtlas.Runs.V1;

namespace TenantAtlas.Workers.Tests;

/// <summary>
/// Stands in for RunsService behind <see cref="IRunsClient"/>: keeps runs with RunsService's state rules (a completed run
/// refuses updates with FAILED_PRECONDITION, so does an outcome the counts contradict, by the suite's one outcome rule
/// <see cref="RunOutcomes"/>; an unknown run is NOT_FOUND), records every update, and can be told to be unavailable.
/// The worker's side of the contract is what these tests examine; RunsService.Tests' RecordingRunsServiceContractTests
/// holds this double to the real service's answers.
/// </summary>
public sealed class RecordingRunsService : IRunsClient
{
    private readonly ConcurrentDictionary<string, Run> runs = new();
    private int unavailableStarts;

    public ConcurrentQueue<UpdateRunRequest> Updates { get; } = new();

    private readonly ConcurrentDictionary<string, string> attempts = new();

    /// <summary>The next <paramref name="count"/> attempts to start a run answer UNAVAILABLE.</summary>
    public void FailNextStarts(int count) => Interlocked.Exchange(ref unavailableStarts, count);

    public Run Add(string type, RunStatus status = RunStatus.Queued)
    {
        var run = new Run
        {
            RunId = Guid.NewGuid().ToString(), WorkspaceId = Guid.NewGuid().ToString(), TenantId = Guid.NewGuid().ToString(), Type = type,
            Status = status, Outcome = status == RunStatus.Completed ? RunOutcome.Succeeded : RunOutcome.Pending, Counts = new RunCounts(),
        };
        runs[run.RunId] = run;
        return run;
    }

    public Run this[string runId] => runs[runId];

    /// <summary>The run no longer exists (its job is still in the stream).</summary>
    public void Forget(string runId) => runs.TryRemove(runId, out _);

    public Task<Run> GetAsync(string runId, CancellationToken ct) =>
        Task.FromResult(runs.TryGetValue(runId, out var run) ? run.Clone() : throw NotFound(runId));

    public Task<Run> UpdateAsync(UpdateRunRequest request, CancellationToken ct)
    {
        Updates.Enqueue(request.Clone());
        if (request.Status == RunStatus.Running && Interlocked.Decrement(ref unavailableStarts) >= 0)
        {
            throw new RpcException(new Status(StatusCode.Unavailable, "RunsService is away (test)."));
        }
        if (!runs.TryGetValue(request.RunId, out var run))
        {
            throw NotFound(request.RunId);
        }
        lock (run)
        {
            if (run.Status == RunStatus.Completed)
            {
                throw new RpcException(new Status(StatusCode.FailedPrecondition, $"Run {run.RunId} is completed."));
            }
            // Fencing, as RunsService does it: a start makes its attempt current; other updates of an older attempt are refused.
            if (request.AttemptId.Length > 0)
            {
                if (request.Status == RunStatus.Running)
                {
                    attempts[run.RunId] = request.AttemptId;
                }
                else if (attempts.TryGetValue(run.RunId, out var current) && current != request.AttemptId)
                {
                    throw new RpcException(new Status(StatusCode.Aborted, $"Run {run.RunId} is being worked on by a newer attempt."));
                }
            }
            var counts = run.Counts.Clone();
            if (request.SetCounts is { } set)
            {
                counts = new RunCounts
                {
                    Total = set.HasTotal ? set.Total : counts.Total,
                    Processed = set.HasProcessed ? set.Processed : counts.Processed,
                    Succeeded = set.HasSucceeded ? set.Succeeded : counts.Succeeded,
                    Failed = set.HasFailed ? set.Failed : counts.Failed,
                    Skipped = set.HasSkipped ? set.Skipped : counts.Skipped,
                };
            }
            if (request.IncrementCounts is { } add)
            {
                counts.Total += add.Total;
                counts.Processed += add.Processed;
                counts.Succeeded += add.Succeeded;
                counts.Failed += add.Failed;
                counts.Skipped += add.Skipped;
            }
            if (request.Outcome != RunOutcome.Unspecified && !RunOutcomes.Agrees(request.Outcome, counts.Succeeded, counts.Failed, counts.Skipped))
            {
                throw new RpcException(new Status(StatusCode.FailedPrecondition,
                    $"Run {run.RunId}: outcome {request.Outcome} contradicts the run's counts (test)."));
            }
            run.Counts = counts;
            run.Failures.AddRange(request.Failures);
            if (request.Status != RunStatus.Unspecified)
            {
                run.Status = request.Status;
            }
            if (request.Status == RunStatus.Completed)
            {
                run.Outcome = RunOutcomes.Completion(request.Outcome, counts.Succeeded, counts.Failed, counts.Skipped);
            }
            return Task.FromResult(run.Clone());
        }
    }

    private static RpcException NotFound(string runId) => new(new Status(StatusCode.NotFound, $"Run {runId} was not found."));
}
