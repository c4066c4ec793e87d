using System.Data.Common;

namespace TenantAtlas.ServiceDefaults;

/// <summary>
/// Exceptions that mean "a backing store is unavailable, retry" rather than a bug: gRPC answers them UNAVAILABLE, and a
/// worker retries the job instead of failing its run. Database failures (<see cref="DbException.IsTransient"/>) and
/// timeouts are known already; the data-store wiring adds what its clients throw (Redis connection failures, a
/// PostgreSQL server shutting down under a pooled connection).
/// </summary>
public sealed class TransientFailureOptions
{
    public List<Func<Exception, bool>> Detectors { get; } = [];

    /// <summary>True when the exception, or one it wraps (EF wraps store failures), is a store being away.</summary>
    public bool IsTransient(Exception exception)
    {
        for (var e = exception; e is not null; e = e.InnerException)
        {
            if (e is DbException { IsTransient: true } or TimeoutException || Detectors.Any(isTransient => isTransient(e)))
            {
                return true;
            }
        }
        return false;
    }
}
