using System.Collections.Concurrent;

namespace TenantAtlas.GraphEmulator.Tenants;

/// <summary>
/// The Graph writes a tenant received, for tests that must prove what a client changed (or that it changed
/// nothing): every write request in arrival order with its outcome and request ids, and counts of the writes that
/// were stored, by collection and method and by policy id. A refused write (400, 404, 429...) is listed but not
/// counted; a write whose response the emulator dropped after storing it is counted. Thread-safe.
/// </summary>
public sealed class WriteLog
{
    private readonly ConcurrentQueue<WriteRecord> _requests = new();

    public void Record(WriteRecord write) => _requests.Enqueue(write);

    public void Reset() => _requests.Clear();

    public IReadOnlyList<WriteRecord> Requests() => [.. _requests];
}

/// <summary>One write request as the emulator handled it.</summary>
/// <param name="Collection">e.g. <c>deviceConfigurations</c>.</param>
/// <param name="PolicyId">The policy written (a create's new id once stored); null when none was found or made.</param>
/// <param name="Operation"><c>create</c>, <c>update</c>, <c>delete</c>, <c>assign</c>, <c>scheduleActionsForRules</c>...</param>
/// <param name="Status">The status answered, or for a dropped response the status the write would have answered.</param>
/// <param name="Stored">Whether the change was stored.</param>
/// <param name="ResponseDropped">Whether the emulator aborted the connection instead of answering (a fault).</param>
/// <param name="RequestId">The <c>request-id</c> response header.</param>
/// <param name="ClientRequestId">The <c>client-request-id</c> response header (the client's, or the request id).</param>
public sealed record WriteRecord(
    string Method,
    string Collection,
    string? PolicyId,
    string Operation,
    int Status,
    bool Stored,
    bool ResponseDropped,
    string RequestId,
    string ClientRequestId,
    DateTime Date);
