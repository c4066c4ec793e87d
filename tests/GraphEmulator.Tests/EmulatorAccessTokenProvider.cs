using System.Net;
using System.Text.Json;
using Microsoft.Kiota.Abstractions.Authentication;

namespace TenantAtlas.GraphEmulator.Tests;

/// <summary>
/// A Kiota <see cref="IAccessTokenProvider"/> for the client-credentials grant against an Entra-shaped token
/// endpoint (<c>POST {authority}/{tenantId}/oauth2/v2.0/token</c>), such as the Graph emulator's. Use it through
/// <see cref="BaseBearerTokenAuthenticationProvider"/>. The token is cached until <see cref="RefreshMargin"/>
/// before it expires; concurrent callers share one token request. A refused request throws
/// <see cref="TokenRequestException"/> carrying the OAuth error.
/// </summary>
public sealed class EmulatorAccessTokenProvider : IAccessTokenProvider, IDisposable
{
    /// <summary>The scope Graph's client-credentials tokens are requested for.</summary>
    public const string GraphScope = "https://graph.microsoft.com/.default";

    /// <summary>How long before expiry a cached token is replaced.</summary>
    public static readonly TimeSpan RefreshMargin = TimeSpan.FromMinutes(5);

    private readonly HttpClient _httpClient;
    private readonly Uri _tokenEndpoint;
    private readonly string _clientId;
    private readonly string _clientSecret;
    private readonly string _scope;
    private readonly TimeProvider _time;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private CachedToken? _cached;
    private int _tokensRequested;

    /// <param name="httpClient">Client the token request is sent with (not disposed by the provider).</param>
    /// <param name="tokenEndpoint">Absolute token endpoint, see <see cref="TokenEndpointFor"/>.</param>
    public EmulatorAccessTokenProvider(
        HttpClient httpClient, Uri tokenEndpoint, string clientId, string clientSecret, string scope = GraphScope,
        TimeProvider? timeProvider = null)
    {
        _httpClient = httpClient;
        _tokenEndpoint = tokenEndpoint;
        _clientId = clientId;
        _clientSecret = clientSecret;
        _scope = scope;
        _time = timeProvider ?? TimeProvider.System;
    }

    /// <summary>Hosts a token may be sent to; empty means any host.</summary>
    public AllowedHostsValidator AllowedHostsValidator { get; } = new();

    /// <summary>How many token requests were sent (successful or not).</summary>
    public int TokensRequested => Volatile.Read(ref _tokensRequested);

    /// <summary>The v2.0 token endpoint of <paramref name="tenantId"/> under <paramref name="authorityHost"/>.</summary>
    public static Uri TokenEndpointFor(Uri authorityHost, string tenantId) =>
        new(authorityHost, $"{Uri.EscapeDataString(tenantId)}/oauth2/v2.0/token");

    public async Task<string> GetAuthorizationTokenAsync(
        Uri uri, Dictionary<string, object>? additionalAuthenticationContext = null,
        CancellationToken cancellationToken = default)
    {
        if (!AllowedHostsValidator.IsUrlHostValid(uri))
            return string.Empty;
        if (FreshToken() is { } token)
            return token;

        await _gate.WaitAsync(cancellationToken);
        try
        {
            if (FreshToken() is { } raced)
                return raced;
            _cached = await RequestTokenAsync(cancellationToken);
            return _cached.AccessToken;
        }
        finally
        {
            _gate.Release();
        }
    }

    public void Dispose() => _gate.Dispose();

    private string? FreshToken() =>
        _cached is { } cached && _time.GetUtcNow() < cached.RefreshAt ? cached.AccessToken : null;

    private async Task<CachedToken> RequestTokenAsync(CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _tokensRequested);
        using var form = new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["grant_type"] = "client_credentials",
            ["client_id"] = _clientId,
            ["client_secret"] = _clientSecret,
            ["scope"] = _scope,
        });
        var requestedAt = _time.GetUtcNow();
        using var response = await _httpClient.PostAsync(_tokenEndpoint, form, cancellationToken);
        var body = await response.Content.ReadAsStringAsync(cancellationToken);

        using var json = TryParse(body);
        if (!response.IsSuccessStatusCode)
        {
            throw new TokenRequestException(
                response.StatusCode, json.StringProperty("error"), json.StringProperty("error_description") ?? body);
        }

        var accessToken = json.StringProperty("access_token")
            ?? throw new TokenRequestException(response.StatusCode, "invalid_response", "The token response has no access_token.");
        var lifetime = TimeSpan.FromSeconds(json.Int32Property("expires_in") ?? 0);
        // Refresh RefreshMargin early, or half-way through a lifetime shorter than twice the margin.
        var margin = lifetime > 2 * RefreshMargin ? RefreshMargin : lifetime / 2;
        return new CachedToken(accessToken, requestedAt + lifetime - margin);
    }

    private static JsonDocument? TryParse(string body)
    {
        try
        {
            return JsonDocument.Parse(body);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private sealed record CachedToken(string AccessToken, DateTimeOffset RefreshAt);
}

/// <summary>The token endpoint refused to issue a token, e.g. 401 <c>invalid_client</c> (AADSTS7000215).</summary>
public sealed class TokenRequestException : Exception
{
    public TokenRequestException()
    {
    }

    public TokenRequestException(string message)
        : base(message)
    {
    }

    public TokenRequestException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public TokenRequestException(HttpStatusCode statusCode, string? error, string? errorDescription)
        : base($"Token request failed with {(int)statusCode} {error}: {errorDescription}")
    {
        StatusCode = statusCode;
        Error = error;
        ErrorDescription = errorDescription;
    }

    public HttpStatusCode? StatusCode { get; }

    /// <summary>The OAuth error code, e.g. <c>invalid_client</c>.</summary>
    public string? Error { get; }

    /// <summary>The OAuth error description, e.g. <c>AADSTS7000215: Invalid client secret provided.</c></summary>
    public string? ErrorDescription { get; }
}

internal static class JsonDocumentExtensions
{
    public static string? StringProperty(this JsonDocument? document, string name) =>
        document?.RootElement.ValueKind == JsonValueKind.Object
        && document.RootElement.TryGetProperty(name, out var value)
        && value.ValueKind == JsonValueKind.String
            ? value.GetString()
            : null;

    public static int? Int32Property(this JsonDocument? document, string name) =>
        document?.RootElement.ValueKind == JsonValueKind.Object
        && document.RootElement.TryGetProperty(name, out var value)
        && value.TryGetInt32(out var number)
            ? number
            : null;
}
