namespace TenantAtlas.AppHost.Resources;

/// <summary>
/// A local redis-server run by DCP as an executable (Aspire's <c>AddRedis</c> needs a container engine).
/// Referenced by services as <c>ConnectionStrings__{name}</c> (<c>host:port</c>).
/// </summary>
public sealed class RedisServerResource(string name, string workingDirectory)
    : ExecutableResource(name, "redis-server", workingDirectory), IResourceWithConnectionString
{
    internal const string EndpointName = "tcp";

    public EndpointReference PrimaryEndpoint => field ??= new(this, EndpointName);

    public ReferenceExpression ConnectionStringExpression => ReferenceExpression.Create(
        $"{PrimaryEndpoint.Property(EndpointProperty.Host)}:{PrimaryEndpoint.Property(EndpointProperty.Port)}");
}

public static class RedisResourceExtensions
{
    /// <summary>Redis with its append-only file in <paramref name="dataDirectory"/> (streams survive a restart), healthy once it answers PING.</summary>
    public static IResourceBuilder<RedisServerResource> AddLocalRedis(this IDistributedApplicationBuilder builder, string name, string dataDirectory)
    {
        Directory.CreateDirectory(dataDirectory);
        var redis = new RedisServerResource(name, dataDirectory);
        return builder.AddResource(redis)
            .WithEndpoint(name: RedisServerResource.EndpointName, scheme: "tcp")
            .WithArgs(context =>
            {
                context.Args.Add("--port");
                context.Args.Add(redis.PrimaryEndpoint.Property(EndpointProperty.TargetPort));
                foreach (var argument in new[] { "--bind", "127.0.0.1", "--dir", dataDirectory, "--appendonly", "yes", "--save", "" })
                {
                    context.Args.Add(argument);
                }
            })
            .WithIconName("Memory")
            .WithProbeHealthCheck(RedisServerResource.EndpointName, ProtocolProbes.RedisAsync);
    }
}
