using Grpc.Net.Client.Configuration;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using TenantAtlas.DataStores;
using TenantAtlas.ServiceDefaults;
using AccessServiceClient = TenantAtlas.Access.V1.AccessService.AccessServiceClient;
using RunsServiceClient = TenantAtlas.Runs.V1.RunsService.RunsServiceClient;

namespace TenantAtlas.Workers;

public static class WorkerExtensions
{
    /// <summary>Aspire resource name of Redis (<c>ConnectionStrings__redis</c>).</summary>
    public const string RedisConnectionName = "redis";

    /// <summary>Service-discovery address of RunsService's gRPC endpoint (<c>services__runs__grpc__0</c>).</summary>
    public const string RunsServiceAddress = "http://_grpc.runs";

    /// <summary>
    /// The worker host for <paramref name="service"/>: consumer group <c>{service}</c> on stream <c>ops:{service}</c>,
    /// settings from the <c>Worker</c> section (validated at start). Add handlers with <see cref="RunWorkerBuilder.AddHandler{THandler}"/>.
    /// </summary>
    public static RunWorkerBuilder AddRunWorker(this IHostApplicationBuilder builder, string service)
    {
        builder.Services.AddOptions<RunWorkerOptions>()
            .Bind(builder.Configuration.GetSection(RunWorkerOptions.Section))
            .PostConfigure(o => o.Service = service)
            .ValidateOnStart();
        builder.Services.AddSingleton<IValidateOptions<RunWorkerOptions>, RunWorkerOptionsValidator>();
        builder.AddRedis(RedisConnectionName);
        builder.AddRunsClient();
        var handlers = new RunHandlerTypes();
        builder.Services.AddSingleton(handlers);
        builder.Services.AddSingleton<RunCancellations>();
        builder.Services.AddSingleton<RunJobProcessor>();
        builder.Services.AddHostedService<RunWorker>();
        return new RunWorkerBuilder(builder, service, handlers);
    }

    /// <summary>
    /// The RunsService gRPC clients (RunsService and AccessService, both served by it), found by service discovery.
    /// UNAVAILABLE is retried by the gRPC retry policy; the HTTP resilience handler (meant for HTTP APIs) is removed.
    /// </summary>
    public static IHostApplicationBuilder AddRunsClient(this IHostApplicationBuilder builder)
    {
        builder.Services.AddSuiteGrpcClient<RunsServiceClient>(RunsServiceAddress);
        builder.Services.AddSuiteGrpcClient<AccessServiceClient>(RunsServiceAddress);
        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services.AddSingleton<ServiceToken>();
        builder.Services.AddSingleton<RunsClient>();
        builder.Services.AddSingleton<IRunsClient>(sp => sp.GetRequiredService<RunsClient>());
        return builder;
    }

    /// <summary>
    /// A gRPC client of a service of the suite at its service-discovery <paramref name="address"/> (e.g. <c>http://_grpc.backup</c>):
    /// UNAVAILABLE is retried by the gRPC retry policy; the HTTP resilience handler (meant for HTTP APIs) is removed.
    /// </summary>
    public static IHttpClientBuilder AddSuiteGrpcClient<TClient>(this IServiceCollection services, string address) where TClient : class
    {
#pragma warning disable EXTEXP0001 // Experimental, but the supported way to take the HTTP pipeline's retries/timeouts off a gRPC client.
        return services.AddGrpcClient<TClient>(o => o.Address = new Uri(address))
            .ConfigureChannel(channel => channel.ServiceConfig = RetryUnavailable)
            .RemoveAllResilienceHandlers();
#pragma warning restore EXTEXP0001
    }

    private static readonly ServiceConfig RetryUnavailable = new()
    {
        MethodConfigs =
        {
            new MethodConfig
            {
                Names = { MethodName.Default },
                RetryPolicy = new RetryPolicy
                {
                    MaxAttempts = 4,
                    InitialBackoff = TimeSpan.FromMilliseconds(200),
                    MaxBackoff = TimeSpan.FromSeconds(2),
                    BackoffMultiplier = 2,
                    RetryableStatusCodes = { Grpc.Core.StatusCode.Unavailable },
                },
            },
        },
    };
}
