namespace TenantAtlas.ServiceDefaults;

/// <summary>
/// Exceptions that mean "a backing store is unavailable, retry" (UNAVAILABLE) rather than a bug (INTERNAL).
/// Database failures (<see cref="System.Data.Common.DbException.IsTransient"/>) and timeouts are known already; the
/// data-store wiring adds what its clients throw (e.g. Redis connection failures).
/// </summary>
public sealed class TransientFailureOptions
{
    public List<Func<Exception, bool>> Detectors { get; } = [];
}
