namespace TenantAtlas.TenantGraph;

/// <summary>
/// The <c>Graph</c> configuration section. TenantAtlas is one multi-tenant app registration (client id + secret)
/// consented in each customer tenant; a token is requested per tenant from <see cref="AuthorityHost"/>.
/// </summary>
public sealed class GraphOptions
{
    public const string Section = "Graph";

    /// <summary>Graph v1.0 root: https://graph.microsoft.com/v1.0, or the emulator's http://…/v1.0.</summary>
    public string BaseUrl { get; set; } = "https://graph.microsoft.com/v1.0";

    /// <summary>Where tenant tokens come from: https://login.microsoftonline.com, or the emulator's http root.</summary>
    public string AuthorityHost { get; set; } = "https://login.microsoftonline.com";

    /// <summary>The app registration's client id.</summary>
    public string ClientId { get; set; } = string.Empty;

    /// <summary>The app registration's client secret (from a secret store in production).</summary>
    public string ClientSecret { get; set; } = string.Empty;

    /// <summary>
    /// Retries of a throttled (429) or unavailable (503/504) request after its first attempt: at most
    /// <c>1 + MaxRetries</c> attempts. Retry-After is honoured; without it the SDK waits
    /// <see cref="RetryDelaySeconds"/> × 2^(retry − 1) seconds.
    /// </summary>
    public int MaxRetries { get; set; } = 6;

    /// <summary>Back-off base in seconds when Graph sends no Retry-After.</summary>
    public int RetryDelaySeconds { get; set; } = 3;

    /// <summary>
    /// How long one Graph request may take, its retries and their waits included. It must hold every retry's back-off,
    /// or the last retries are cut off by the timeout (issue 12: 6 attempts where 7 were configured, under the
    /// HttpClient's default 100 s).
    /// </summary>
    public TimeSpan RequestTimeout { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>The longest the SDK may wait between attempts of one request when Graph sends no Retry-After.</summary>
    public TimeSpan LongestBackOff => TimeSpan.FromSeconds(RetryDelaySeconds * (Math.Pow(2, MaxRetries) - 1));

    /// <summary>Assignments read at the same time while syncing one tenant.</summary>
    public int MaxParallelReads { get; set; } = 4;

    /// <summary>True when tokens come from a plain-HTTP authority (the local emulator): MSAL only speaks HTTPS.</summary>
    public bool UsesLocalAuthority => AuthorityHost.StartsWith("http://", StringComparison.OrdinalIgnoreCase);
}
