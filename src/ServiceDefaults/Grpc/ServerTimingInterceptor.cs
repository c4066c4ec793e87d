using System.Diagnostics;
using System.Globalization;
using Grpc.Core;
using Grpc.Core.Interceptors;

namespace TenantAtlas.ServiceDefaults;

/// <summary>
/// Tells the caller how long the server spent in the call: a <c>server-timing: app;dur=1.234</c> response trailer
/// (milliseconds, W3C Server-Timing syntax), measured around the handler (after authentication and message
/// parsing). Lets a client or a benchmark split a slow call into server time and transport time.
/// </summary>
public sealed class ServerTimingInterceptor : Interceptor
{
    public const string TrailerName = "server-timing";

    public override async Task<TResponse> UnaryServerHandler<TRequest, TResponse>(TRequest request, ServerCallContext context,
        UnaryServerMethod<TRequest, TResponse> continuation)
    {
        var started = Stopwatch.GetTimestamp();
        try
        {
            return await continuation(request, context);
        }
        finally
        {
            context.ResponseTrailers.Add(TrailerName, Format(Stopwatch.GetElapsedTime(started)));
        }
    }

    public static string Format(TimeSpan elapsed) =>
        string.Create(CultureInfo.InvariantCulture, $"app;dur={elapsed.TotalMilliseconds:0.###}");

    /// <summary>The server time in a <see cref="TrailerName"/> value, or null when there is none.</summary>
    public static double? Parse(Metadata trailers)
    {
        var value = trailers.GetValue(TrailerName);
        var at = value?.IndexOf("dur=", StringComparison.Ordinal) ?? -1;
        return at >= 0 && double.TryParse(value![(at + 4)..].Split(';', ',')[0], NumberStyles.Float, CultureInfo.InvariantCulture, out var ms)
            ? ms
            : null;
    }
}
