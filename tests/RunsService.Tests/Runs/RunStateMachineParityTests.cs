using Grpc.Core;
using TenantAtlas.Runs.V1;
using TenantAtlas.RunsService.Runs;
using static TenantAtlas.RunsService.Tests.RunsServiceFixture;

namespace TenantAtlas.RunsService.Tests.Runs;

/// <summary>
/// The guarded UPDATE in SQL and <see cref="RunStateMachine"/> in C# give the same answer for every current status ×
/// target × outcome × counts: the same acceptance, the same resulting status and outcome, and a refusal that is
/// FAILED_PRECONDITION (INVALID_ARGUMENT for a malformed request).
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

    private static readonly (long Succeeded, long Failed)[] Counts = [(0, 0), (3, 0), (0, 2), (3, 2)];

    [Fact]
    public async Task SqlGuard_AndStateMachine_AgreeOnEveryStatusTargetOutcomeAndCounts()
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
                    foreach (var (succeeded, failed) in Counts)
                    {
                        var what = $"{from} → {target?.Value ?? "(progress)"}, outcome {outcome?.Value ?? "(none)"}, succeeded {succeeded}, failed {failed}";
                        var run = (await user.EnsureRunAsync(InventorySync(workspaceId, tenantId, $"parity-{cases++}"))).Run;
                        if (from != RunStatusName.Queued)
                        {
                            run = (await worker.UpdateRunAsync(new UpdateRunRequest { RunId = run.RunId, Status = Proto(from) })).Run;
                        }
                        var request = new UpdateRunRequest
                        {
                            RunId = run.RunId, Status = targetProto, Outcome = outcomeProto,
                            SetCounts = new TenantAtlas.Runs.V1.RunCountsPatch { Succeeded = succeeded, Failed = failed },
                        };

                        var expectedRefusal = !RunStateMachine.OutcomeAllowedWith(target) && outcome is not null
                            ? StatusCode.InvalidArgument
                            : RunStateMachine.Refusal(from, RunOutcomeName.Succeeded, target, outcome, succeeded, failed) is null
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
                        if (updated is not null)
                        {
                            var status = target ?? from;
                            Assert.True(Proto(status) == updated.Status, $"{what}: status {updated.Status}");
                            var expectedOutcome = status == RunStatusName.Completed
                                ? RunStateMachine.CompletionOutcome(outcome, succeeded, failed)
                                : RunOutcomeName.Pending;
                            Assert.True(Proto(expectedOutcome) == updated.Outcome, $"{what}: outcome {updated.Outcome}, the state machine says {expectedOutcome}");
                        }
                    }
                }
            }
        }
        Assert.Equal(RunStatusName.All.Count * Targets.Length * Outcomes.Length * Counts.Length, cases);
    }

    private static RunStatus Proto(RunStatusName status) =>
        status == RunStatusName.Queued ? RunStatus.Queued : status == RunStatusName.Running ? RunStatus.Running : RunStatus.Completed;

    private static RunOutcome Proto(RunOutcomeName outcome) => outcome.Value switch
    {
        "pending" => RunOutcome.Pending,
        "succeeded" => RunOutcome.Succeeded,
        "partially_succeeded" => RunOutcome.PartiallySucceeded,
        "failed" => RunOutcome.Failed,
        _ => RunOutcome.Cancelled,
    };
}
