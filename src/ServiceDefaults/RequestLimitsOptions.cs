namespace TenantAtlas.ServiceDefaults;

/// <summary>
/// The <c>Limits</c> configuration section: how large a message the suite accepts and sends. Set explicitly, so a
/// framework upgrade that changes a default cannot silently widen or narrow what callers may send.
/// </summary>
public sealed class RequestLimitsOptions
{
    public const string Section = "Limits";

    /// <summary>
    /// The largest request: a gRPC message (<c>MaxReceiveMessageSize</c>, over it RESOURCE_EXHAUSTED) and an HTTP
    /// request body (Kestrel's <c>MaxRequestBodySize</c>, over it 413). 4 MiB: the largest legitimate request, an
    /// UpdateRun with 100 failures of 4,000 characters each, is at most ~1.3 MB even in 3-byte UTF-8; everything
    /// else is kilobytes. It leaves room for growth while keeping a hostile body from tying up memory.
    /// </summary>
    public int MaxRequestBytes { get; set; } = 4 * 1024 * 1024;

    /// <summary>
    /// The largest gRPC response (<c>MaxSendMessageSize</c>, over it the caller gets RESOURCE_EXHAUSTED). 32 MiB: a
    /// run with 1,000 stored failures of 1,000 characters is ~3 MB, and only a ListRuns page of many such runs comes
    /// near it; that caller asks for a smaller page_size. Without a limit one response could be any size.
    /// </summary>
    public int MaxResponseBytes { get; set; } = 32 * 1024 * 1024;

    /// <summary>Below this either limit would refuse legitimate calls (64 KiB).</summary>
    public const int Smallest = 64 * 1024;

    public bool IsValid => MaxRequestBytes >= Smallest && MaxResponseBytes >= Smallest;
}
