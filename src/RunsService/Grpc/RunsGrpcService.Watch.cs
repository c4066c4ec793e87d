using Grpc.Core;
using TenantAtlas.Runs.V1;

namespace TenantAtlas.RunsService.Grpc;

public sealed partial class RunsGrpcService
{
    public override Task WatchRun(WatchRunRequest request, IServerStreamWriter<WatchRunResponse> responseStream, ServerCallContext context) =>
        throw new RpcException(new Status(StatusCode.Unimplemented, $"WatchRun is not built yet ({watches.GetType().Name})."));
}
