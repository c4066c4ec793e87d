using System.Threading.RateLimiting;

namespace TenantAtlas.Gateway.Extensions;

public static class RateLimitExtensions
{
    /// <summary>
    /// A fixed window per user (<c>sub</c>), or per client address before sign-in. Rejections are 429 with the
    /// suite's JSON error body (RESOURCE_EXHAUSTED) and a Retry-After.
    /// </summary>
    public static IHostApplicationBuilder AddPerUserRateLimits(this IHostApplicationBuilder builder)
    {
        var perMinute = builder.Configuration.GetValue("Gateway:RequestsPerUserPerMinute", 600);
        builder.Services.AddRateLimiter(options =>
        {
            options.GlobalLimiter = PartitionedRateLimiter.Create<HttpContext, string>(context =>
                RateLimitPartition.GetFixedWindowLimiter(
                    Caller.From(context.User)?.Subject ?? $"ip:{context.Connection.RemoteIpAddress}",
                    _ => new FixedWindowRateLimiterOptions { PermitLimit = perMinute, Window = TimeSpan.FromMinutes(1), QueueLimit = 0 }));
            options.OnRejected = async (rejected, ct) =>
            {
                if (rejected.Lease.TryGetMetadata(MetadataName.RetryAfter, out var retryAfter))
                {
                    rejected.HttpContext.Response.Headers.RetryAfter = ((int)Math.Ceiling(retryAfter.TotalSeconds)).ToString(System.Globalization.CultureInfo.InvariantCulture);
                }
                await JsonErrorExtensions.WriteAsync(rejected.HttpContext, StatusCodes.Status429TooManyRequests,
                    $"More than {perMinute} requests a minute; slow down and retry after the Retry-After delay.", ct);
            };
        });
        return builder;
    }
}
