using Grpc.Core;
using TenantAtlas.Runs.V1;
using TenantAtlas.RunsService.Runs;
using static TenantAtlas.RunsService.Tests.RunsServiceFixture;

namespace TenantAtlas.RunsService.Tests.Runs;

/// <summary>
/// The guarded UPDATE in SQL and <see cref="RunStateMachine"/> in C# give the same answer for every current status ×
/// target × outcome × counts (skipped included): the same acceptance, the same resulting status and outcome, and a
/// refusal that is FAILED_PRECONDITION (INVALID_ARGUMENT for a malformed request). The worker host's test double
/// (<see cref="Workers.Tests.RecordingRunsService"/>) is held to the same answers, so the worker tests examine the
/// worker against RunsService as it is.
/// </summary>
public sealed class RunStateMachineParityTests(RunsServiceFixture service) : IClassFixture<RunsServiceFixture>
{
    private const string Owner = "parity-owner";

    private static readonly (RunStatus Proto, RunStatusName? Name)[] Targets =
        [(RunStatus.Unspecified, null), (RunStatus.Running, RunStatusName.Running), (RunStatus.Completed, RunStatusName.Completed)];

    private static readonly (RunOutcome Proto, RunOutcomeName? Name)[] Outcomes =
    [
        (RunOutcome.Unspecified, null), (RunOutcome.Succeeded, RunOutcomeName.Succeeded),
        (RunOutcome.PartiallySucceeded, RunOutcomeName.PartiallySucceeded), (RunOutcome.Failed, RunOutcomeName.Failed),
        (RunOutcome.Cancelled, RunOutcomeName.Cancelled),
    ];

    private static readonly (long Succeeded, long Failed, long Skipped)[] Counts = [(0, 0, 0), (3, 0, 0), (0, 2, 0), (3, 2, 0), (0, 0, 4), (0, 2, 4), (3, 2, 4)];

    [Fact]
    public async Task SqlGuard_StateMachine_AndTheWorkersTestDouble_AgreeOnEveryStatusTargetOutcomeAndCounts()
    {
        var (workspaceId, tenantId) = await service.CreateWorkspaceWithTenantAsync(Owner);
        var user = service.Runs(UserToken(Owner));
        var worker = service.Runs(ServiceToken());
        var cases = 0;
        foreach (var from in RunStatusName.All)
        {
            foreach (var (targetProto, target) in Targets)
            {
                foreach (var (outcomeProto, outcome) in Outcomes)
                {
                    foreach (var (succeeded, failed, skipped) in Counts)
                    {
                        var what = $"{from} → {target?.Value ?? "(progress)"}, outcome {outcome?.Value ?? "(none)"}, succeeded {succeeded}, failed {failed}, skipped {skipped}";
                        var run = (await user.EnsureRunAsync(InventorySync(workspaceId, tenantId, $"parity-{cases++}"))).Run;
                        if (from != RunStatusName.Queued)
                        {
                            run = (await worker.UpdateRunAsync(new UpdateRunRequest { RunId = run.RunId, Status = Proto(from) })).Run;
                        }
                        var request = new UpdateRunRequest
                        {
                            RunId = run.RunId, Status = targetProto, Outcome = outcomeProto,
                            SetCounts = new TenantAtlas.Runs.V1.RunCountsPatch { Succeeded = succeeded, Failed = failed, Skipped = skipped },
                        };

                        var expectedRefusal = !RunStateMachine.OutcomeAllowedWith(target) && outcome is not null
                            ? StatusCode.InvalidArgument
                            : RunStateMachine.Refusal(from, RunOutcomeName.Succeeded, target, outcome, succeeded, failed, skipped) is null
                                ? StatusCode.OK
                                : StatusCode.FailedPrecondition;
                        Run? updated = null;
                        var code = StatusCode.OK;
                        try
                        {
                            updated = (await worker.UpdateRunAsync(request)).Run;
                        }
                        catch (RpcException e)
                        {
                            code = e.StatusCode;
                        }

                        Assert.True(expectedRefusal == code, $"{what}: the state machine says {expectedRefusal}, the service answered {code}");
                        if (code != StatusCode.InvalidArgument)
                        {
                            await AssertTheDoubleAnswersAlikeAsync(what, from, request, code, updated);
                        }
                        if (updated is not null)
                        {
                            var status = target ?? from;
                            Assert.True(Proto(status) == updated.Status, $"{what}: status {updated.Status}");
                            var expectedOutcome = status == RunStatusName.Completed
                                ? RunStateMachine.CompletionOutcome(outcome, succeeded, failed, skipped)
                                : RunOutcomeName.Pending;
                            Assert.True(Proto(expectedOutcome) == updated.Outcome, $"{what}: outcome {updated.Outcome}, the state machine says {expectedOutcome}");
                        }
                    }
                }
            }
        }
        Assert.Equal(RunStatusName.All.Count * Targets.Length * Outcomes.Length * Counts.Length, cases);
    }

    private static async Task AssertTheDoubleAnswersAlikeAsync(string what, RunStatusName from, UpdateRunRequest request, StatusCode code, Run? updated)
    {
        var recording = new Workers.Tests.RecordingRunsService();
        var run = recording.Add("inventory.sync", Proto(from));
        var sent = request.Clone();
        sent.RunId = run.RunId;
        var doubleCode = StatusCode.OK;
        Run? answered = null;
        try
        {
            answered = await recording.UpdateAsync(sent, CancellationToken.None);
        }
        catch (RpcException e)
        {
            doubleCode = e.StatusCode;
        }
        Assert.True(code == doubleCode, $"{what}: RunsService answered {code}, the workers' test double {doubleCode}");
        if (updated is not null && answered is not null)
        {
            Assert.True(updated.Status == answered.Status && updated.Outcome == answered.Outcome,
                $"{what}: RunsService says {updated.Status}/{updated.Outcome}, the workers' test double {answered.Status}/{answered.Outcome}");
        }
    }

    private static RunStatus Proto(RunStatusName status) =>
        status == RunStatusName.Queued ? RunStatus.Queued : status == RunStatusName.Running ? RunStatus.Running : RunStatus.Completed;

    private static RunOutcome Proto(RunOutcomeName outcome) => outcome.Proto;
}
