using Grpc.AspNetCore.Server;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace TenantAtlas.ServiceDefaults;

/// <summary>
/// The one place where message size limits are set (<see cref="RequestLimitsOptions"/>): gRPC's receive and send
/// limits and Kestrel's request body limit, which bounds the JSON of transcoded routes and of the gateway. grpc-dotnet
/// lifts Kestrel's body limit on gRPC calls and applies its own message limit instead, so each surface has one.
/// </summary>
public static class RequestLimitsExtensions
{
    public static TBuilder AddRequestLimits<TBuilder>(this TBuilder builder) where TBuilder : IHostApplicationBuilder
    {
        builder.Services.AddOptions<RequestLimitsOptions>()
            .Bind(builder.Configuration.GetSection(RequestLimitsOptions.Section))
            .Validate(o => o.IsValid, $"Limits:MaxRequestBytes and Limits:MaxResponseBytes must be at least {RequestLimitsOptions.Smallest} bytes.")
            .ValidateOnStart();
        builder.Services.AddOptions<GrpcServiceOptions>().Configure<IOptions<RequestLimitsOptions>>((grpc, limits) =>
        {
            grpc.MaxReceiveMessageSize = limits.Value.MaxRequestBytes;
            grpc.MaxSendMessageSize = limits.Value.MaxResponseBytes;
        });
        builder.Services.AddOptions<KestrelServerOptions>().Configure<IOptions<RequestLimitsOptions>>((kestrel, limits) =>
            kestrel.Limits.MaxRequestBodySize = limits.Value.MaxRequestBytes);
        return builder;
    }
}
