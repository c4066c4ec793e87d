using Grpc.Core;
using TenantAtlas.Runs.V1;
using static TenantAtlas.RunsService.Tests.RunsServiceFixture;

namespace TenantAtlas.RunsService.Tests.Runs;

public sealed class UpdateRunTests(RunsServiceFixture service) : IClassFixture<RunsServiceFixture>
{
    private const string Owner = "update-owner";
    private readonly TenantAtlas.Runs.V1.RunsService.RunsServiceClient worker = service.Runs(ServiceToken());

    private async Task<Run> NewRunAsync()
    {
        var (workspaceId, tenantId) = await service.CreateWorkspaceWithTenantAsync(Owner);
        return (await service.Runs(UserToken(Owner)).EnsureRunAsync(InventorySync(workspaceId, tenantId))).Run;
    }

    private Task<UpdateRunResponse> MoveAsync(Run run, RunStatus status, RunOutcome outcome = RunOutcome.Unspecified) =>
        worker.UpdateRunAsync(new UpdateRunRequest { RunId = run.RunId, Status = status, Outcome = outcome }).ResponseAsync;

    [Fact]
    public async Task UpdateRun_QueuedToRunningToCompleted_SetsTimestamps()
    {
        var run = await NewRunAsync();

        var running = (await MoveAsync(run, RunStatus.Running)).Run;
        var completed = (await MoveAsync(run, RunStatus.Completed)).Run;

        Assert.Equal(RunStatus.Running, running.Status);
        Assert.NotNull(running.StartedAt);
        Assert.Null(running.CompletedAt);
        Assert.Equal(RunStatus.Completed, completed.Status);
        Assert.Equal(RunOutcome.Succeeded, completed.Outcome);
        Assert.Equal(running.StartedAt, completed.StartedAt);
        Assert.NotNull(completed.CompletedAt);
        Assert.True(completed.CompletedAt.ToDateTime() >= completed.StartedAt.ToDateTime());
    }

    [Fact]
    public async Task UpdateRun_QueuedToCompleted_IsLegal_WithoutStartedAt()
    {
        var run = await NewRunAsync();

        var completed = (await MoveAsync(run, RunStatus.Completed, RunOutcome.Cancelled)).Run;

        Assert.Equal(RunOutcome.Cancelled, completed.Outcome);
        Assert.Equal(StatusBucket.Cancelled, completed.StatusBucket);
        Assert.Null(completed.StartedAt);
    }

    [Fact]
    public async Task UpdateRun_RunningAgain_IsIdempotent_AndKeepsStartedAt()
    {
        var run = await NewRunAsync();
        var first = (await MoveAsync(run, RunStatus.Running)).Run;

        var again = (await MoveAsync(run, RunStatus.Running)).Run;

        Assert.Equal(RunStatus.Running, again.Status);
        Assert.Equal(first.StartedAt, again.StartedAt);
    }

    [Theory]
    [InlineData(RunStatus.Running)]
    [InlineData(RunStatus.Completed)]
    [InlineData(RunStatus.Unspecified)]
    public async Task UpdateRun_OnCompletedRun_FailsWithFailedPrecondition_NamingCurrentStatus(RunStatus target)
    {
        var run = await NewRunAsync();
        await MoveAsync(run, RunStatus.Completed, RunOutcome.Failed);

        var e = await FailsWith(StatusCode.FailedPrecondition, () => worker.UpdateRunAsync(new UpdateRunRequest
        {
            RunId = run.RunId, Status = target, IncrementCounts = new RunCounts { Processed = 1 },
        }).ResponseAsync);

        Assert.Contains("completed", e.Status.Detail, StringComparison.Ordinal);
        var stored = (await worker.GetRunAsync(new GetRunRequest { RunId = run.RunId })).Run;
        Assert.Equal(RunOutcome.Failed, stored.Outcome);
        Assert.Equal(0, stored.Counts.Processed);
    }

    [Fact]
    public async Task UpdateRun_ToQueued_IsInvalidArgument()
    {
        var run = await NewRunAsync();

        await FailsWith(StatusCode.InvalidArgument, () => MoveAsync(run, RunStatus.Queued));
    }

    [Fact]
    public async Task UpdateRun_OutcomeWithoutCompleting_IsInvalidArgument()
    {
        var run = await NewRunAsync();

        await FailsWith(StatusCode.InvalidArgument, () => MoveAsync(run, RunStatus.Running, RunOutcome.Succeeded));
        await FailsWith(StatusCode.InvalidArgument, () => MoveAsync(run, RunStatus.Completed, RunOutcome.Pending));
    }

    [Theory]
    [InlineData(10, 0, RunOutcome.Succeeded, StatusBucket.Succeeded)]
    [InlineData(0, 0, RunOutcome.Succeeded, StatusBucket.Succeeded)]
    [InlineData(8, 2, RunOutcome.PartiallySucceeded, StatusBucket.PartiallySucceeded)]
    [InlineData(0, 3, RunOutcome.Failed, StatusBucket.Failed)]
    public async Task UpdateRun_DerivesOutcomeFromCounts(long succeeded, long failed, RunOutcome outcome, StatusBucket bucket)
    {
        var run = await NewRunAsync();
        await MoveAsync(run, RunStatus.Running);

        var completed = (await worker.UpdateRunAsync(new UpdateRunRequest
        {
            RunId = run.RunId,
            Status = RunStatus.Completed,
            IncrementCounts = new RunCounts { Succeeded = succeeded, Failed = failed, Processed = succeeded + failed },
        })).Run;

        Assert.Equal(outcome, completed.Outcome);
        Assert.Equal(bucket, completed.StatusBucket);
    }

    [Theory]
    [InlineData(RunOutcome.Succeeded, 5, 1)]
    [InlineData(RunOutcome.PartiallySucceeded, 5, 0)]
    [InlineData(RunOutcome.PartiallySucceeded, 0, 5)]
    public async Task UpdateRun_ExplicitOutcomeContradictingCounts_IsFailedPrecondition(RunOutcome outcome, long succeeded, long failed)
    {
        var run = await NewRunAsync();

        await FailsWith(StatusCode.FailedPrecondition, () => worker.UpdateRunAsync(new UpdateRunRequest
        {
            RunId = run.RunId,
            Status = RunStatus.Completed,
            Outcome = outcome,
            SetCounts = new RunCountsPatch { Succeeded = succeeded, Failed = failed },
        }).ResponseAsync);

        var stored = (await worker.GetRunAsync(new GetRunRequest { RunId = run.RunId })).Run;
        Assert.Equal(RunStatus.Queued, stored.Status);
        Assert.Equal(0, stored.Counts.Succeeded);
    }

    [Fact]
    public async Task UpdateRun_ExplicitFailed_WithSuccesses_MeansCouldNotProceed()
    {
        var run = await NewRunAsync();

        var completed = (await worker.UpdateRunAsync(new UpdateRunRequest
        {
            RunId = run.RunId, Status = RunStatus.Completed, Outcome = RunOutcome.Failed,
            SetCounts = new RunCountsPatch { Succeeded = 3 },
            Failures = { new RunFailure { Code = "graph.permission_denied", Message = "The app lost DeviceManagementConfiguration.Read.All." } },
        })).Run;

        Assert.Equal(RunOutcome.Failed, completed.Outcome);
    }

    [Fact]
    public async Task UpdateRun_ConcurrentIncrements_AreAllCounted()
    {
        var run = await NewRunAsync();
        await worker.UpdateRunAsync(new UpdateRunRequest { RunId = run.RunId, Status = RunStatus.Running, SetCounts = new RunCountsPatch { Total = 500 } });

        await Task.WhenAll(Enumerable.Range(0, 20).Select(async w =>
        {
            for (var i = 0; i < 25; i++)
            {
                await worker.UpdateRunAsync(new UpdateRunRequest
                {
                    RunId = run.RunId,
                    IncrementCounts = new RunCounts { Processed = 1, Succeeded = i % 5 == 0 ? 0 : 1, Failed = i % 5 == 0 ? 1 : 0 },
                });
            }
        }));

        var counts = (await worker.GetRunAsync(new GetRunRequest { RunId = run.RunId })).Run.Counts;
        Assert.Equal(500, counts.Total);
        Assert.Equal(500, counts.Processed);
        Assert.Equal(400, counts.Succeeded);
        Assert.Equal(100, counts.Failed);
    }

    [Fact]
    public async Task UpdateRun_SetThenIncrement_InOneCall()
    {
        var run = await NewRunAsync();

        var updated = (await worker.UpdateRunAsync(new UpdateRunRequest
        {
            RunId = run.RunId, SetCounts = new RunCountsPatch { Total = 10, Skipped = 2 }, IncrementCounts = new RunCounts { Total = 5, Skipped = 1 },
        })).Run;

        Assert.Equal(15, updated.Counts.Total);
        Assert.Equal(3, updated.Counts.Skipped);
    }

    [Fact]
    public async Task UpdateRun_AppendsSanitizedFailures_InOrder_AndCapsStoredFailures()
    {
        var run = await NewRunAsync();
        await worker.UpdateRunAsync(new UpdateRunRequest
        {
            RunId = run.RunId,
            Failures =
            {
                new RunFailure { Code = "graph.item_unreadable", Message = "GET failed with Authorization: Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl", Item = "policy-1" },
                new RunFailure { Code = "graph.throttled", Message = "429 Too Many Requests" },
            },
        });
        for (var batch = 0; batch < 10; batch++)
        {
            var request = new UpdateRunRequest { RunId = run.RunId };
            request.Failures.AddRange(Enumerable.Range(0, 100).Select(i => new RunFailure { Code = "graph.item_unreadable", Message = "503", Item = $"item-{batch}-{i}" }));
            await worker.UpdateRunAsync(request);
        }

        var stored = (await worker.GetRunAsync(new GetRunRequest { RunId = run.RunId })).Run;
        Assert.Equal(1000, stored.Failures.Count);
        Assert.Equal(2, stored.FailuresDropped);
        Assert.Equal("policy-1", stored.Failures[0].Item);
        Assert.DoesNotContain("eyJ", stored.Failures[0].Message, StringComparison.Ordinal);
        Assert.Equal("graph.throttled", stored.Failures[1].Code);
        Assert.Equal(string.Empty, stored.Failures[1].Item);
    }

    [Fact]
    public async Task UpdateRun_UnknownRun_IsNotFound()
    {
        await FailsWith(StatusCode.NotFound, () => worker.UpdateRunAsync(new UpdateRunRequest
        {
            RunId = Guid.NewGuid().ToString(), Status = RunStatus.Running,
        }).ResponseAsync);
    }

    [Fact]
    public async Task UpdateRun_FromAnAttemptAnotherAttemptTookOver_IsAborted_AndChangesNothing_TheNewAttemptCompletes()
    {
        var run = await NewRunAsync();
        var (first, second) = (Guid.NewGuid().ToString(), Guid.NewGuid().ToString());
        UpdateRunRequest Update(string attempt, RunStatus status = RunStatus.Unspecified) =>
            new() { RunId = run.RunId, Status = status, AttemptId = attempt, IncrementCounts = new RunCounts { Total = 1, Succeeded = 1 } };

        await worker.UpdateRunAsync(Update(first, RunStatus.Running));
        await worker.UpdateRunAsync(Update(first));
        // The run's entry was reclaimed by another consumer, which starts it: its attempt is current from now on.
        await worker.UpdateRunAsync(new UpdateRunRequest { RunId = run.RunId, Status = RunStatus.Running, AttemptId = second });
        var progress = await FailsWith(StatusCode.Aborted, () => worker.UpdateRunAsync(Update(first)).ResponseAsync);
        await FailsWith(StatusCode.Aborted, () => worker.UpdateRunAsync(Update(first, RunStatus.Completed)).ResponseAsync);
        var unchanged = (await worker.GetRunAsync(new GetRunRequest { RunId = run.RunId })).Run;
        var completed = (await worker.UpdateRunAsync(Update(second, RunStatus.Completed))).Run;
        var unfenced = await FailsWith(StatusCode.FailedPrecondition, () => worker.UpdateRunAsync(Update(first)).ResponseAsync);
        await FailsWith(StatusCode.InvalidArgument, () => worker.UpdateRunAsync(Update("not-a-uuid")).ResponseAsync);

        Assert.Contains(second, progress.Status.Detail, StringComparison.Ordinal);
        Assert.Equal((RunStatus.Running, 2L), (unchanged.Status, unchanged.Counts.Total));
        Assert.Equal((RunStatus.Completed, RunOutcome.Succeeded, 3L), (completed.Status, completed.Outcome, completed.Counts.Total));
        // Once the run is completed, a late update of any attempt is the usual FAILED_PRECONDITION.
        Assert.Contains("completed", unfenced.Status.Detail, StringComparison.Ordinal);
    }
}
