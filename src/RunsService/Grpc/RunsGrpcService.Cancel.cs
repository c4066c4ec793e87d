using Grpc.Core;
using TenantAtlas.Runs.V1;

namespace TenantAtlas.RunsService.Grpc;

public sealed partial class RunsGrpcService
{
    public override async Task<CancelRunResponse> CancelRun(CancelRunRequest request, ServerCallContext context)
    {
        var (run, requested) = await runs.CancelAsync(context.Caller(), RunRequests.ToRunId(request.RunId), context.CancellationToken);
        return new CancelRunResponse { Run = run.ToProto(), Requested = requested };
    }
}
