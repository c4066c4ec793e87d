using System.Collections.Concurrent;
using Grpc.Core;
using TenantAtlas.ServiceDefaults;

namespace TenantAtlas.Bench.Measurement;

/// <summary>
/// Collects the server's own time of gRPC calls (the <c>server-timing</c> trailer every service sends), to split
/// a round trip into time in the handler and time in transport, authentication and serialization.
/// </summary>
public sealed class ServerTimes
{
    private ConcurrentQueue<double> samples = new();

    public async Task<TResponse> CallAsync<TResponse>(AsyncUnaryCall<TResponse> call)
    {
        using (call)
        {
            var response = await call.ResponseAsync;
            if (ServerTimingInterceptor.Parse(call.GetTrailers()) is { } ms)
            {
                samples.Enqueue(ms);
            }
            return response;
        }
    }

    /// <summary>Forgets what was collected so far (the warm-up).</summary>
    public void Clear() => samples = new ConcurrentQueue<double>();

    public LatencyStats Stats => LatencyStats.From([.. samples]);
}
