using Google.Protobuf.Reflection;
using Google.Rpc;
using TenantAtlas.RunsService.Grpc;

namespace TenantAtlas.RunsService.Extensions;

public static class GrpcExtensions
{
    /// <summary>gRPC with the error-mapping interceptor, plus JSON transcoding of the google.api.http routes.</summary>
    public static IHostApplicationBuilder AddRunsGrpc(this IHostApplicationBuilder builder)
    {
        builder.Services.AddGrpc(options => options.Interceptors.Add<ErrorMappingInterceptor>())
            // Error details (google.rpc.BadRequest) travel as Any; JSON needs their descriptors to render them.
            .AddJsonTranscoding(options => options.TypeRegistry = TypeRegistry.FromMessages(BadRequest.Descriptor));
        return builder;
    }

    public static WebApplication MapRunsGrpc(this WebApplication app)
    {
        app.MapGrpcService<RunsGrpcService>();
        app.MapGrpcService<AccessGrpcService>();
        return app;
    }
}
