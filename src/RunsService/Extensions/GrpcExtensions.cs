using TenantAtlas.RunsService.Grpc;

namespace TenantAtlas.RunsService.Extensions;

public static class GrpcExtensions
{
    /// <summary>The RunsService and AccessService endpoints (gRPC and their JSON transcoding, set up by ServiceDefaults).</summary>
    public static WebApplication MapRunsGrpc(this WebApplication app)
    {
        app.MapGrpcService<RunsGrpcService>();
        app.MapGrpcService<AccessGrpcService>();
        app.MapGrpcService<DeadLetterGrpcService>();
        return app;
    }
}
