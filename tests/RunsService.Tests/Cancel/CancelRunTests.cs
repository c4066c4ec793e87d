using System.Threading.Channels;
using Grpc.Core;
using StackExchange.Redis;
using TenantAtlas.Access.V1;
using Role = TenantAtlas.Access.V1.Role;
using TenantAtlas.Contracts;
using TenantAtlas.Runs.V1;
using static TenantAtlas.RunsService.Tests.RunsServiceFixture;

namespace TenantAtlas.RunsService.Tests.Cancel;

/// <summary>CancelRun: queued runs end at once, running runs are asked to stop, completed runs refuse, and who may ask.</summary>
public sealed class CancelRunTests(RunsServiceFixture service) : IClassFixture<RunsServiceFixture>
{
    private const string Owner = "cancel-owner";
    private readonly TenantAtlas.Runs.V1.RunsService.RunsServiceClient worker = service.Runs(ServiceToken());

    private async Task<(string WorkspaceId, string TenantId, Run Run)> NewRunAsync(string initiator = Owner)
    {
        var (workspaceId, tenantId) = await service.CreateWorkspaceWithTenantAsync(Owner);
        if (initiator != Owner)
        {
            await service.SetMemberAsync(Owner, workspaceId, initiator, Role.Operator);
        }
        var run = (await service.Runs(UserToken(initiator)).EnsureRunAsync(InventorySync(workspaceId, tenantId))).Run;
        return (workspaceId, tenantId, run);
    }

    private Task<CancelRunResponse> CancelAsync(string token, string runId) =>
        service.Runs(token).CancelRunAsync(new CancelRunRequest { RunId = runId }).ResponseAsync;

    [Fact]
    public async Task QueuedRun_IsCompletedCancelledAtOnce_ItsJobDropped_AndTheInitiatorNotified()
    {
        var (_, _, run) = await NewRunAsync();

        var response = await CancelAsync(UserToken(Owner), run.RunId);

        Assert.True(response.Requested);
        Assert.Equal((RunStatus.Completed, RunOutcome.Cancelled, StatusBucket.Cancelled), (response.Run.Status, response.Run.Outcome, response.Run.StatusBucket));
        Assert.True(response.Run.CancelRequested);
        Assert.Equal(Owner, response.Run.CancelRequestedBy.Subject);
        Assert.NotNull(response.Run.CompletedAt);
        Assert.Null(response.Run.StartedAt);
        Assert.Equal(0, await service.CountAsync("SELECT count(*) FROM runs.run_dispatch_outbox WHERE run_id = @id", ("id", Guid.Parse(run.RunId))));
        Assert.Equal(1, await service.CountAsync(
            "SELECT count(*) FROM runs.run_notifications WHERE run_id = @id AND kind = 'run_completed' AND outcome = 'cancelled'", ("id", Guid.Parse(run.RunId))));
        // Its job, if it reaches a worker, is dropped: starting a completed run is refused.
        await RpcAssert.FailsWith(StatusCode.FailedPrecondition, () => worker.UpdateRunAsync(new UpdateRunRequest
        {
            RunId = run.RunId, Status = RunStatus.Running, AttemptId = Guid.NewGuid().ToString(),
        }).ResponseAsync);
    }

    [Fact]
    public async Task RunningRun_GetsCancelRequested_ItsWorkersAreSignalled_AndTheWorkerCompletesItCancelled()
    {
        var (_, _, run) = await NewRunAsync();
        var attempt = Guid.NewGuid().ToString();
        await worker.UpdateRunAsync(new UpdateRunRequest { RunId = run.RunId, Status = RunStatus.Running, AttemptId = attempt });
        await using var redis = await ConnectionMultiplexer.ConnectAsync(service.Redis.ConnectionString);
        var signals = Channel.CreateUnbounded<string>();
        await redis.GetSubscriber().SubscribeAsync(RedisChannel.Literal(RunJobs.CancelChannelOf(RunJobs.StreamOf("inventory"))),
            (_, message) => signals.Writer.TryWrite(message.ToString()));

        var response = await CancelAsync(UserToken(Owner), run.RunId);

        Assert.True(response.Requested);
        Assert.Equal(RunStatus.Running, response.Run.Status);
        Assert.True(response.Run.CancelRequested);
        Assert.NotNull(response.Run.CancelRequestedAt);
        using var wait = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        Assert.Equal(run.RunId, await signals.Reader.ReadAsync(wait.Token));
        // What the worker host does when its handler stopped: completes it cancelled with the counts so far.
        var completed = (await worker.UpdateRunAsync(new UpdateRunRequest
        {
            RunId = run.RunId, Status = RunStatus.Completed, Outcome = RunOutcome.Cancelled, AttemptId = attempt,
            SetCounts = new RunCountsPatch { Total = 10, Processed = 4, Succeeded = 4 },
        })).Run;
        Assert.Equal((RunOutcome.Cancelled, 4L), (completed.Outcome, completed.Counts.Succeeded));
        Assert.True(completed.CancelRequested);
    }

    [Fact]
    public async Task CancelTwice_IsIdempotent_AnsweringTheRunAsItIs()
    {
        var (_, _, queued) = await NewRunAsync();
        var (_, _, running) = await NewRunAsync();
        await worker.UpdateRunAsync(new UpdateRunRequest { RunId = running.RunId, Status = RunStatus.Running });
        var firstQueued = await CancelAsync(UserToken(Owner), queued.RunId);
        var firstRunning = await CancelAsync(UserToken(Owner), running.RunId);

        var againQueued = await CancelAsync(UserToken(Owner), queued.RunId);
        var againRunning = await CancelAsync(ServiceToken(), running.RunId);

        Assert.False(againQueued.Requested);
        Assert.False(againRunning.Requested);
        Assert.Equal(firstQueued.Run.CompletedAt, againQueued.Run.CompletedAt);
        Assert.Equal(firstRunning.Run.CancelRequestedAt, againRunning.Run.CancelRequestedAt);
        Assert.Equal(Owner, againRunning.Run.CancelRequestedBy.Subject); // the first request is the one kept
    }

    [Theory]
    [InlineData(RunOutcome.Succeeded)]
    [InlineData(RunOutcome.Failed)]
    public async Task CompletedRun_IsFailedPrecondition_NamingItsOutcome_AndUnchanged(RunOutcome outcome)
    {
        var (_, _, run) = await NewRunAsync();
        await worker.UpdateRunAsync(new UpdateRunRequest { RunId = run.RunId, Status = RunStatus.Completed, Outcome = outcome });

        var e = await RpcAssert.FailsWith(StatusCode.FailedPrecondition, () => CancelAsync(UserToken(Owner), run.RunId));

        Assert.Contains("completed", e.Status.Detail, StringComparison.Ordinal);
        Assert.Contains(outcome == RunOutcome.Succeeded ? "succeeded" : "failed", e.Status.Detail, StringComparison.Ordinal);
        var stored = (await worker.GetRunAsync(new GetRunRequest { RunId = run.RunId })).Run;
        Assert.False(stored.CancelRequested);
        Assert.Equal(outcome, stored.Outcome);
    }

    [Theory]
    [InlineData("")]
    [InlineData("not-a-uuid")]
    public async Task BadRunId_IsInvalidArgument(string runId)
    {
        var e = await RpcAssert.FailsWith(StatusCode.InvalidArgument, () => CancelAsync(UserToken(Owner), runId));
        Assert.Contains("run_id", e.Status.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task UnknownRun_IsNotFound() =>
        await RpcAssert.FailsWith(StatusCode.NotFound, () => CancelAsync(UserToken(Owner), Guid.NewGuid().ToString()));

    /// <summary>
    /// Who may cancel: whoever may view the run (GetRun's rule). The initiator may; so may another member whose role grants
    /// the type's capability (a colleague stopping a mistaken run); a member without it is PERMISSION_DENIED; an outsider,
    /// or a member not entitled to the run's tenant, NOT_FOUND, exactly as GetRun answers them.
    /// </summary>
    [Theory]
    [InlineData("initiator", null)]
    [InlineData("colleague-operator", null)]
    [InlineData("colleague-manager", null)]
    [InlineData("colleague-owner", null)]
    [InlineData("reader", StatusCode.PermissionDenied)]
    [InlineData("operator-of-another-tenant", StatusCode.NotFound)]
    [InlineData("outsider", StatusCode.NotFound)]
    [InlineData("service", null)]
    public async Task WhoMayCancel_IsWhoMayView(string who, StatusCode? refused)
    {
        var (workspaceId, _, run) = await NewRunAsync(initiator: "cancel-initiator");
        var otherTenant = await service.RegisterTenantAsync(Owner, workspaceId, "Fabrikam");
        await service.SetMemberAsync(Owner, workspaceId, "colleague-operator", Role.Operator);
        await service.SetMemberAsync(Owner, workspaceId, "colleague-manager", Role.Manager);
        await service.SetMemberAsync(Owner, workspaceId, "reader", Role.Readonly);
        await service.SetMemberAsync(Owner, workspaceId, "operator-of-another-tenant", Role.Operator, otherTenant);
        var token = who switch
        {
            "initiator" => UserToken("cancel-initiator"),
            "colleague-owner" => UserToken(Owner),
            "service" => ServiceToken("svc:restore"),
            _ => UserToken(who),
        };
        var viewRefusal = await Refusal(() => service.Runs(token).GetRunAsync(new GetRunRequest { RunId = run.RunId }).ResponseAsync);

        var cancelRefusal = await Refusal(() => CancelAsync(token, run.RunId));

        Assert.Equal(refused, cancelRefusal);
        Assert.Equal(viewRefusal, cancelRefusal);
        var stored = (await worker.GetRunAsync(new GetRunRequest { RunId = run.RunId })).Run;
        Assert.Equal(refused is null ? RunOutcome.Cancelled : RunOutcome.Pending, stored.Outcome);
    }

    private static async Task<StatusCode?> Refusal(Func<Task> call)
    {
        try
        {
            await call();
            return null;
        }
        catch (RpcException e)
        {
            return e.StatusCode;
        }
    }

    [Fact]
    public async Task OverHttp_PostCancel_AnswersTheCancelledRun()
    {
        var (_, _, run) = await NewRunAsync();
        using var http = service.Http(UserToken(Owner));

        using var response = await http.PostAsync($"/v1/runs/{run.RunId}:cancel", new StringContent("{}", System.Text.Encoding.UTF8, "application/json"));

        Assert.Equal(System.Net.HttpStatusCode.OK, response.StatusCode);
        var body = await response.Content.ReadAsStringAsync();
        Assert.Contains("\"requested\":true", body.Replace(" ", "", StringComparison.Ordinal), StringComparison.Ordinal);
        Assert.Contains("RUN_OUTCOME_CANCELLED", body, StringComparison.Ordinal);
    }
}
