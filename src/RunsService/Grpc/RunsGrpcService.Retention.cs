using Grpc.Core;
using TenantAtlas.Runs.V1;

namespace TenantAtlas.RunsService.Grpc;

public sealed partial class RunsGrpcService
{
    public override Task<GetRunRetentionResponse> GetRunRetention(GetRunRetentionRequest request, ServerCallContext context) =>
        throw new RpcException(new Status(StatusCode.Unimplemented, $"GetRunRetention is not built yet ({retention.GetType().Name})."));
}
