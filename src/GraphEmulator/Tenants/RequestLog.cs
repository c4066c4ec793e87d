using System.Collections.Concurrent;
using System.Globalization;

namespace TenantAtlas.GraphEmulator.Tenants;

/// <summary>Counts of the Graph requests a tenant was served, by status code; thread-safe.</summary>
public sealed class RequestLog
{
    private readonly ConcurrentDictionary<int, int> _byStatus = new();

    public void Record(int statusCode) => _byStatus.AddOrUpdate(statusCode, 1, (_, count) => count + 1);

    public void Reset() => _byStatus.Clear();

    public RequestCounts Snapshot()
    {
        var byStatus = new SortedDictionary<string, int>(StringComparer.Ordinal);
        foreach (var (status, count) in _byStatus)
            byStatus[status.ToString(CultureInfo.InvariantCulture)] = count;
        return new RequestCounts(byStatus.Values.Sum(), byStatus);
    }
}

/// <summary>The body of <c>GET /emulator/tenants/{tenantId}/requests</c>, e.g. <c>{"total":12,"byStatus":{"200":9,"429":3}}</c>.</summary>
public sealed record RequestCounts(int Total, IReadOnlyDictionary<string, int> ByStatus)
{
    public int Count(int statusCode) =>
        ByStatus.GetValueOrDefault(statusCode.ToString(CultureInfo.InvariantCulture));
}
