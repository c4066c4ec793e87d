using Google.Protobuf.Reflection;
using Google.Rpc;
using Grpc.AspNetCore.Server.Model;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace TenantAtlas.ServiceDefaults;

/// <summary>
/// gRPC for every service: the server-timing trailer and the error-mapping interceptor, JSON transcoding of the google.api.http routes (with
/// error details renderable as JSON), the gRPC health service backed by the health checks, server reflection, and page tokens.
/// </summary>
public static class GrpcDefaultsExtensions
{
    public static TBuilder AddGrpcDefaults<TBuilder>(this TBuilder builder) where TBuilder : IHostApplicationBuilder
    {
        // Registration order is nesting order: timing wraps error mapping, so failed calls are timed too.
        builder.Services.AddGrpc(options =>
            {
                options.Interceptors.Add<ServerTimingInterceptor>();
                options.Interceptors.Add<ErrorMappingInterceptor>();
            })
            .AddJsonTranscoding(options => options.TypeRegistry = TypeRegistry.FromMessages(BadRequest.Descriptor));
        builder.Services.AddGrpcHealthChecks();
        builder.Services.AddGrpcReflection();
        builder.Services.AddSingleton<PageTokens>();
        builder.Services.UseRequestParsingBinder();
        return builder;
    }

    /// <summary>
    /// grpc-dotnet's own method binder replaced by <see cref="RequestParsingMethodProvider{TService}"/> (unparsable
    /// requests answer INVALID_ARGUMENT, not UNKNOWN). Idempotent; call it again after anything that may call
    /// <c>AddGrpc()</c> once more, which would bring the original back and bind every method twice.
    /// </summary>
    public static IServiceCollection UseRequestParsingBinder(this IServiceCollection services)
    {
        foreach (var original in services.Where(d => d.ServiceType == typeof(IServiceMethodProvider<>)
                     && d.ImplementationType?.Name.StartsWith("BinderServiceMethodProvider", StringComparison.Ordinal) == true).ToList())
        {
            services.Remove(original);
        }
        if (!services.Any(d => d.ImplementationType == typeof(RequestParsingMethodProvider<>)))
        {
            services.AddSingleton(typeof(IServiceMethodProvider<>), typeof(RequestParsingMethodProvider<>));
        }
        return services;
    }

    public static WebApplication MapGrpcDefaults(this WebApplication app)
    {
        app.MapGrpcHealthChecksService().AllowAnonymous();
        app.MapGrpcReflectionService().AllowAnonymous();
        return app;
    }
}
