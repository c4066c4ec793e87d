using System.Net.Http.Json;
using System.Text.Json.Serialization;
using Microsoft.Kiota.Abstractions.Authentication;

namespace TenantAtlas.TenantGraph;

/// <summary>
/// OAuth 2.0 client-credentials tokens from a plain-HTTP authority (the Graph emulator), cached until shortly
/// before they expire. Against Entra ID the suite uses Azure.Identity instead (see <see cref="TenantGraphClients"/>).
/// </summary>
public sealed class ClientCredentialsTokenProvider(HttpClient http, Uri tokenEndpoint, string clientId, string clientSecret, Uri graphBase)
    : IAccessTokenProvider
{
    private readonly Lock gate = new();
    private Task<(string Token, DateTimeOffset RenewAt)>? pending;

    public AllowedHostsValidator AllowedHostsValidator { get; } = new([graphBase.Host]);

    public async Task<string> GetAuthorizationTokenAsync(Uri uri, Dictionary<string, object>? additionalAuthenticationContext = null,
        CancellationToken cancellationToken = default)
    {
        Task<(string Token, DateTimeOffset RenewAt)> request;
        lock (gate)
        {
            // Concurrent callers share one token request; a failed or expiring token is requested again.
            if (pending is null || pending.IsFaulted || (pending.IsCompletedSuccessfully && DateTimeOffset.UtcNow >= pending.Result.RenewAt))
            {
                pending = RequestAsync(CancellationToken.None);
            }
            request = pending;
        }
        return (await request.WaitAsync(cancellationToken)).Token;
    }

    private async Task<(string Token, DateTimeOffset RenewAt)> RequestAsync(CancellationToken ct)
    {
        using var response = await http.PostAsync(tokenEndpoint, new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["grant_type"] = "client_credentials",
            ["client_id"] = clientId,
            ["client_secret"] = clientSecret,
            ["scope"] = "https://graph.microsoft.com/.default",
        }), ct);
        var body = await response.Content.ReadFromJsonAsync<TokenResponse>(ct);
        if (!response.IsSuccessStatusCode || string.IsNullOrEmpty(body?.AccessToken))
        {
            throw new Workers.RunFailureException("graph.unauthorized",
                $"The tenant refused the app's credentials ({(int)response.StatusCode}): {body?.Error} {body?.ErrorDescription}".Trim());
        }
        return (body.AccessToken, DateTimeOffset.UtcNow.AddSeconds(Math.Max(60, body.ExpiresIn - 120)));
    }

    private sealed record TokenResponse(
        [property: JsonPropertyName("access_token")] string? AccessToken,
        [property: JsonPropertyName("expires_in")] int ExpiresIn,
        [property: JsonPropertyName("error")] string? Error,
        [property: JsonPropertyName("error_description")] string? ErrorDescription);
}
