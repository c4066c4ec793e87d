using TenantAtlas.GraphEmulator.Tenants;

namespace TenantAtlas.GraphEmulator.Graph;

/// <summary>
/// Lists a write request in the tenant's write log, once: normally after it was answered
/// (<see cref="GraphRequestMiddleware"/>), but a write whose response is dropped is listed before the connection is
/// aborted, since the client (and the test reading the log) learns of the abort at once.
/// </summary>
internal static class WriteRecording
{
    private static readonly object RecordedKey = new();

    public static void RecordOnce(HttpContext context, EmulatedTenant tenant, int status)
    {
        if (context.Items.ContainsKey(RecordedKey) || GraphWriteRequest.From(context.Request) is not { } write)
            return;
        context.Items[RecordedKey] = true;
        var (requestId, clientRequestId) = context.GraphRequestIds();
        var stored = context.GetStoredWrite();
        tenant.Requests.Writes.Record(new WriteRecord(
            write.Method, write.Collection, stored?.PolicyId ?? write.PolicyId, write.Operation, status,
            Stored: stored is not null, ResponseDropped: stored?.ResponseDropped == true, requestId, clientRequestId, tenant.UtcNow));
    }
}
