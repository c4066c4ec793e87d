using System.Net.Sockets;
using System.Text;

namespace TenantAtlas.AppHost.Resources;

/// <summary>
/// Health checks that speak the server's protocol through its endpoint: DCP's proxy port accepts TCP even while the
/// process behind it is dead, so "connects" would not mean "answers".
/// </summary>
public static class ProtocolProbes
{
    private static readonly TimeSpan ProbeTimeout = TimeSpan.FromSeconds(2);

    /// <summary>PostgreSQL's SSLRequest: a live server answers 'N' or 'S'.</summary>
    public static async Task<bool> PostgresAsync(NetworkStream stream, CancellationToken ct)
    {
        await stream.WriteAsync(new byte[] { 0, 0, 0, 8, 0x04, 0xd2, 0x16, 0x2f }, ct);
        var answer = new byte[1];
        return await stream.ReadAsync(answer, ct) == 1 && answer[0] is (byte)'N' or (byte)'S';
    }

    /// <summary>Redis PING: a live server answers +PONG.</summary>
    public static async Task<bool> RedisAsync(NetworkStream stream, CancellationToken ct)
    {
        await stream.WriteAsync("PING\r\n"u8.ToArray(), ct);
        var answer = new byte[7];
        var read = await stream.ReadAsync(answer, ct);
        return Encoding.ASCII.GetString(answer, 0, read).StartsWith("+PONG", StringComparison.Ordinal);
    }

    /// <summary>A health check (so <c>WaitFor</c> means "answers") that runs <paramref name="probe"/> against the endpoint.</summary>
    public static IResourceBuilder<T> WithProbeHealthCheck<T>(this IResourceBuilder<T> builder, string endpointName,
        Func<NetworkStream, CancellationToken, Task<bool>> probe) where T : IResourceWithEndpoints
    {
        var key = $"{builder.Resource.Name}_answers";
        var endpoint = builder.Resource.GetEndpoint(endpointName);
        builder.ApplicationBuilder.Services.AddHealthChecks().AddAsyncCheck(key, async ct =>
        {
            if (!endpoint.IsAllocated)
            {
                return HealthCheckResult.Unhealthy("no port allocated yet");
            }
            try
            {
                using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
                timeout.CancelAfter(ProbeTimeout);
                using var client = new TcpClient();
                await client.ConnectAsync(endpoint.Host, endpoint.Port, timeout.Token);
                return await probe(client.GetStream(), timeout.Token)
                    ? HealthCheckResult.Healthy()
                    : HealthCheckResult.Unhealthy("unexpected answer");
            }
            catch (Exception e) when (e is SocketException or IOException or OperationCanceledException)
            {
                return HealthCheckResult.Unhealthy(e.Message);
            }
        });
        return builder.WithHealthCheck(key);
    }
}
