using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;

namespace TenantAtlas.ServiceDefaults;

/// <summary>
/// Opaque page tokens of every service's keyset paging: base64url JSON of the position after the last item and a
/// fingerprint of the filters it was issued for, then an HMAC of both. A token replayed with other filters, or
/// edited (a position the service never issued), is refused with INVALID_ARGUMENT on <c>page_token</c> instead of
/// returning nonsense or failing deeper down. Not an access boundary: every page is filtered by access anyway.
/// </summary>
/// <remarks>
/// The key must be the same on every replica and across restarts, or clients paging through a restart get
/// INVALID_ARGUMENT: <c>PageTokens:Key</c>, else one derived from <c>Auth:SigningKey</c>, else a key of this
/// process only (logged).
/// </remarks>
public sealed class PageTokens
{
    private const int MacBytes = 16;
    private readonly byte[] key;

    private sealed record Envelope<TPosition>(TPosition P, string F);

    public PageTokens(IConfiguration configuration, ILogger<PageTokens> logger)
    {
        if (configuration["PageTokens:Key"] is { Length: > 0 } configured)
        {
            key = Encoding.UTF8.GetBytes(configured);
        }
        else if (configuration["Auth:SigningKey"] is { Length: > 0 } signingKey)
        {
            // A key of its own, so a page token can never be mistaken for anything signed with the auth key.
            key = HKDF.DeriveKey(HashAlgorithmName.SHA256, Encoding.UTF8.GetBytes(signingKey), 32, info: "tenantatlas page tokens"u8.ToArray());
        }
        else
        {
            key = RandomNumberGenerator.GetBytes(32);
            logger.LogWarning("Neither PageTokens:Key nor Auth:SigningKey is set: page tokens are valid in this process only, " +
                "so paging fails across replicas and restarts. Set PageTokens:Key to the same secret on every replica.");
        }
    }

    /// <summary>The token for the page after <paramref name="position"/>.</summary>
    public string Encode<TPosition>(TPosition position, string fingerprint) where TPosition : notnull
    {
        var payload = JsonSerializer.SerializeToUtf8Bytes(new Envelope<TPosition>(position, fingerprint));
        return $"{Base64Url.EncodeToString(payload)}.{Base64Url.EncodeToString(Mac(payload))}";
    }

    /// <summary>The position a token was issued for; INVALID_ARGUMENT if it is not this service's token for these filters.</summary>
    public TPosition Decode<TPosition>(string token, string fingerprint) where TPosition : notnull
    {
        var envelope = Verify<TPosition>(token)
            ?? throw new RequestValidationException("page_token", "Not a page token issued by this service; start again without page_token.");
        if (envelope.F != fingerprint)
        {
            throw new RequestValidationException("page_token",
                "This page token was issued for different filters; send the same filters, or start again without page_token.");
        }
        return envelope.P;
    }

    /// <summary>A short stable hash of the filter values a token belongs to.</summary>
    public static string Fingerprint(params IEnumerable<string?>[] parts)
    {
        var text = string.Join('\u001f', parts.Select(p => string.Join('\u001e', p.Select(v => v ?? string.Empty))));
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)).AsSpan(0, 8));
    }

    private Envelope<TPosition>? Verify<TPosition>(string token)
    {
        var dot = token.IndexOf('.', StringComparison.Ordinal);
        if (dot < 0)
        {
            return null;
        }
        try
        {
            var payload = Base64Url.DecodeFromChars(token.AsSpan(0, dot));
            var mac = Base64Url.DecodeFromChars(token.AsSpan(dot + 1));
            if (!CryptographicOperations.FixedTimeEquals(mac, Mac(payload)))
            {
                return null;
            }
            return JsonSerializer.Deserialize<Envelope<TPosition>>(payload) is { P: not null } envelope ? envelope : null;
        }
        catch (Exception e) when (e is FormatException or JsonException or NotSupportedException)
        {
            return null;
        }
    }

    private byte[] Mac(byte[] payload) => HMACSHA256.HashData(key, payload).AsSpan(0, MacBytes).ToArray();
}
