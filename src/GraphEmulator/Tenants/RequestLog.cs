using System.Collections.Concurrent;
using System.Globalization;

namespace TenantAtlas.GraphEmulator.Tenants;

/// <summary>
/// The Graph requests a tenant was served: counts by status code (a <c>$batch</c> counts once, and each of its
/// sub-requests as itself), how often each collection was read from its first page (one per full enumeration,
/// however many pages it has), each page request per collection, <c>$batch</c> envelopes and secret reveals
/// (<c>getOmaSettingPlainTextValue</c>), so a test can tell how many times a client really did a piece of work.
/// Thread-safe.
/// </summary>
public sealed class RequestLog
{
    private readonly ConcurrentDictionary<int, int> _byStatus = new();
    private readonly ConcurrentDictionary<string, int> _collectionReads = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<(string Collection, int Page), int> _pageReads = new();
    private int _batches;
    private int _batchSubRequests;
    private int _plainTextSecretReads;

    /// <summary>The write requests, see <see cref="WriteLog"/>.</summary>
    public WriteLog Writes { get; } = new();

    public void Record(int statusCode) => _byStatus.AddOrUpdate(statusCode, 1, (_, count) => count + 1);

    /// <summary>A served first page of a collection, named by its last path segment (e.g. <c>deviceConfigurations</c>).</summary>
    public void RecordCollectionRead(string collection) => _collectionReads.AddOrUpdate(collection, 1, (_, count) => count + 1);

    /// <summary>A request for one page (1-based) of a collection that reached it, whatever it answered.</summary>
    public void RecordPageRead(string collection, int page) =>
        _pageReads.AddOrUpdate((collection, page), 1, (_, count) => count + 1);

    public void RecordBatch() => Interlocked.Increment(ref _batches);

    /// <summary>A sub-request served inside a <c>$batch</c> (also counted by its status, as Intune's budget counts it).</summary>
    public void RecordBatchSubRequest() => Interlocked.Increment(ref _batchSubRequests);

    public void RecordPlainTextSecretRead() => Interlocked.Increment(ref _plainTextSecretReads);

    public void Reset()
    {
        _byStatus.Clear();
        _collectionReads.Clear();
        _pageReads.Clear();
        Interlocked.Exchange(ref _batches, 0);
        Interlocked.Exchange(ref _batchSubRequests, 0);
        Interlocked.Exchange(ref _plainTextSecretReads, 0);
        Writes.Reset();
    }

    public RequestCounts Snapshot()
    {
        var byStatus = new SortedDictionary<string, int>(StringComparer.Ordinal);
        foreach (var (status, count) in _byStatus)
            byStatus[status.ToString(CultureInfo.InvariantCulture)] = count;

        var pageReads = new SortedDictionary<string, IReadOnlyDictionary<string, int>>(StringComparer.Ordinal);
        foreach (var group in _pageReads.GroupBy(p => p.Key.Collection, StringComparer.Ordinal))
        {
            pageReads[group.Key] = new SortedDictionary<string, int>(
                group.ToDictionary(p => p.Key.Page.ToString(CultureInfo.InvariantCulture), p => p.Value),
                Comparer<string>.Create((a, b) => int.Parse(a, CultureInfo.InvariantCulture).CompareTo(int.Parse(b, CultureInfo.InvariantCulture))));
        }

        var writes = Writes.Requests();
        var stored = writes.Where(w => w.Stored).ToList();
        return new RequestCounts(
            byStatus.Values.Sum(), byStatus, new SortedDictionary<string, int>(_collectionReads, StringComparer.Ordinal),
            pageReads, Volatile.Read(ref _batches), Volatile.Read(ref _plainTextSecretReads))
        {
            BatchSubRequests = Volatile.Read(ref _batchSubRequests),
            Writes = stored.Count,
            WritesByCollection = new SortedDictionary<string, IReadOnlyDictionary<string, int>>(
                stored.GroupBy(w => w.Collection, StringComparer.Ordinal).ToDictionary(
                    g => g.Key,
                    g => (IReadOnlyDictionary<string, int>)new SortedDictionary<string, int>(
                        g.GroupBy(w => w.Method, StringComparer.Ordinal).ToDictionary(m => m.Key, m => m.Count()), StringComparer.Ordinal),
                    StringComparer.Ordinal),
                StringComparer.Ordinal),
            WritesByPolicyId = new SortedDictionary<string, int>(
                stored.Where(w => w.PolicyId is not null).GroupBy(w => w.PolicyId!, StringComparer.OrdinalIgnoreCase)
                    .ToDictionary(g => g.Key, g => g.Count(), StringComparer.OrdinalIgnoreCase),
                StringComparer.OrdinalIgnoreCase),
            WriteRequests = writes,
        };
    }
}

/// <summary>
/// The body of <c>GET /emulator/tenants/{tenantId}/requests</c>, e.g.
/// <c>{"total":12,"byStatus":{"200":9,"429":3},"collectionReads":{"deviceConfigurations":1,"assignments":8},
/// "pageReads":{"deviceConfigurations":{"1":1,"2":2}},"batches":0,"plainTextSecretReads":0}</c>.
/// </summary>
public sealed record RequestCounts(
    int Total,
    IReadOnlyDictionary<string, int> ByStatus,
    IReadOnlyDictionary<string, int> CollectionReads,
    IReadOnlyDictionary<string, IReadOnlyDictionary<string, int>> PageReads,
    int Batches,
    int PlainTextSecretReads)
{
    /// <summary>Sub-requests served inside <c>$batch</c> requests: <c>Total - BatchSubRequests</c> is the HTTP requests.</summary>
    public int BatchSubRequests { get; init; }

    /// <summary>Writes stored (refused ones excluded; dropped responses included): 0 proves nothing was written.</summary>
    public int Writes { get; init; }

    /// <summary>Stored writes by collection, then method, e.g. <c>{"deviceConfigurations":{"PATCH":2,"POST":3}}</c>.</summary>
    public IReadOnlyDictionary<string, IReadOnlyDictionary<string, int>> WritesByCollection { get; init; } =
        new Dictionary<string, IReadOnlyDictionary<string, int>>();

    /// <summary>Stored writes per policy id (creates under the new id).</summary>
    public IReadOnlyDictionary<string, int> WritesByPolicyId { get; init; } = new Dictionary<string, int>();

    /// <summary>Every write request in arrival order, refused ones included, with its request ids.</summary>
    public IReadOnlyList<WriteRecord> WriteRequests { get; init; } = [];

    public int Count(int statusCode) =>
        ByStatus.GetValueOrDefault(statusCode.ToString(CultureInfo.InvariantCulture));

    /// <summary>How often page <paramref name="page"/> (1-based) of the collection was requested.</summary>
    public int PageReadCount(string collection, int page) =>
        PageReads.TryGetValue(collection, out var pages) ? pages.GetValueOrDefault(page.ToString(CultureInfo.InvariantCulture)) : 0;
}
