using System.Text.Json.Nodes;
using Microsoft.Graph;
using Microsoft.Kiota.Abstractions;
using TenantAtlas.TenantGraph;

namespace TenantAtlas.RestoreService.Execution;

/// <summary>
/// Every write a restore sends to a target tenant: paced under Intune's write budget (<see cref="WritePacer"/>), 429s waited
/// out (Retry-After, else a short pause) and sent again — a throttled write did not land — and, for a create, without the
/// SDK's own retry (a retried POST is the duplicate every other tool makes, INTUNE.md §0.8).
/// </summary>
public sealed partial class PacedGraphWriter(WritePacer pacer, TimeProvider time, ILogger<PacedGraphWriter> logger)
{
    /// <summary>Throttled answers a write honours before it fails.</summary>
    private const int MaxThrottledAttempts = 8;

    private static readonly TimeSpan DefaultThrottleWait = TimeSpan.FromSeconds(2);

    public async Task<GraphWriteResult> WriteAsync(string entraTenantId, GraphServiceClient client, Method method, string path, JsonNode body, bool retry,
        CancellationToken ct)
    {
        for (var attempt = 1; ; attempt++)
        {
            await pacer.WaitAsync(entraTenantId, ct);
            try
            {
                return await GraphJson.WriteAsync(client, method, GraphJson.Url(client, path), body, retry, ct);
            }
            catch (Exception e) when (GraphFailures.Of(e) is { ResponseStatusCode: 429 } throttled && attempt < MaxThrottledAttempts)
            {
                var wait = GraphJson.RetryAfterOf(throttled) ?? DefaultThrottleWait;
                RestoreTelemetry.Throttled.Add(1);
                LogThrottled(logger, path, wait.TotalSeconds);
                await Task.Delay(wait, time, ct);
            }
        }
    }

    /// <summary>A create that may have landed: a 5xx or 408 answer, a lost connection, or a client-side timeout.</summary>
    public static bool IsUncertain(Exception e, CancellationToken ct) => !ct.IsCancellationRequested && (GraphFailures.Of(e) is { } api
        ? api.ResponseStatusCode is >= 500 or 408
        : e is HttpRequestException or IOException or TaskCanceledException || e.InnerException is HttpRequestException or IOException);

    public static string UncertainDetail(Exception e) => GraphFailures.Of(e) is { } api
        ? $"Graph answered {api.ResponseStatusCode}; the create may have landed"
        : $"no answer ({e.GetType().Name}); the create may have landed";

    [LoggerMessage(Level = LogLevel.Information, Message = "Write {Path} throttled; waiting {Seconds} s as Graph asked")]
    private static partial void LogThrottled(ILogger logger, string path, double seconds);
}
