using System.Collections.Concurrent;
using System.Globalization;

namespace TenantAtlas.GraphEmulator.Tenants;

/// <summary>
/// The Graph requests a tenant was served: counts by status code, and how often each collection was read from its
/// first page (one per full enumeration, however many pages it has), so a test can tell how many times a client
/// really did a piece of work. Thread-safe.
/// </summary>
public sealed class RequestLog
{
    private readonly ConcurrentDictionary<int, int> _byStatus = new();
    private readonly ConcurrentDictionary<string, int> _collectionReads = new(StringComparer.Ordinal);

    public void Record(int statusCode) => _byStatus.AddOrUpdate(statusCode, 1, (_, count) => count + 1);

    /// <summary>A served first page of a collection, named by its last path segment (e.g. <c>deviceConfigurations</c>).</summary>
    public void RecordCollectionRead(string collection) => _collectionReads.AddOrUpdate(collection, 1, (_, count) => count + 1);

    private int _plainTextSecretReads;
    private int _batchSubRequests;

    /// <summary>A sub-request served inside a <c>$batch</c> (also counted by its status: Intune's budget counts it).</summary>
    public void RecordBatchSubRequest() => Interlocked.Increment(ref _batchSubRequests);

    /// <summary>A call of <c>getOmaSettingPlainTextValue</c>: a backup must never make one.</summary>
    public void RecordPlainTextSecretRead() => Interlocked.Increment(ref _plainTextSecretReads);

    public void Reset()
    {
        _byStatus.Clear();
        _collectionReads.Clear();
        Interlocked.Exchange(ref _plainTextSecretReads, 0);
        Interlocked.Exchange(ref _batchSubRequests, 0);
    }

    public RequestCounts Snapshot()
    {
        var byStatus = new SortedDictionary<string, int>(StringComparer.Ordinal);
        foreach (var (status, count) in _byStatus)
            byStatus[status.ToString(CultureInfo.InvariantCulture)] = count;
        return new RequestCounts(byStatus.Values.Sum(), byStatus, new SortedDictionary<string, int>(_collectionReads, StringComparer.Ordinal))
        {
            PlainTextSecretReads = Volatile.Read(ref _plainTextSecretReads),
            BatchSubRequests = Volatile.Read(ref _batchSubRequests),
        };
    }
}

/// <summary>
/// The body of <c>GET /emulator/tenants/{tenantId}/requests</c>, e.g.
/// <c>{"total":12,"byStatus":{"200":9,"429":3},"collectionReads":{"deviceConfigurations":1,"assignments":8}}</c>.
/// </summary>
public sealed record RequestCounts(int Total, IReadOnlyDictionary<string, int> ByStatus, IReadOnlyDictionary<string, int> CollectionReads)
{
    /// <summary>Calls of <c>getOmaSettingPlainTextValue</c>.</summary>
    public int PlainTextSecretReads { get; init; }

    /// <summary>Sub-requests served inside <c>$batch</c> requests; <c>Total - BatchSubRequests</c> is the HTTP requests.</summary>
    public int BatchSubRequests { get; init; }

    public int Count(int statusCode) =>
        ByStatus.GetValueOrDefault(statusCode.ToString(CultureInfo.InvariantCulture));
}
