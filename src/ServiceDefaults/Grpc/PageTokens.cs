using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace TenantAtlas.ServiceDefaults;

/// <summary>
/// Opaque page tokens of every service's keyset paging: base64url JSON of the position after the last item, plus a
/// fingerprint of the filters the token was issued for, so a token replayed with other filters is refused
/// (INVALID_ARGUMENT on <c>page_token</c>) instead of returning nonsense. Not a security boundary: every page is
/// filtered by access anyway.
/// </summary>
public static class PageTokens
{
    private sealed record Envelope<TPosition>(TPosition P, string F);

    /// <summary>The token for the page after <paramref name="position"/>.</summary>
    public static string Encode<TPosition>(TPosition position, string fingerprint) where TPosition : notnull =>
        Base64Url.EncodeToString(JsonSerializer.SerializeToUtf8Bytes(new Envelope<TPosition>(position, fingerprint)));

    /// <summary>The position a token was issued for; INVALID_ARGUMENT if it is not a token of these filters.</summary>
    public static TPosition Decode<TPosition>(string token, string fingerprint) where TPosition : notnull
    {
        Envelope<TPosition>? envelope;
        try
        {
            envelope = JsonSerializer.Deserialize<Envelope<TPosition>>(Base64Url.DecodeFromChars(token));
        }
        catch (Exception e) when (e is FormatException or JsonException or NotSupportedException)
        {
            throw new RequestValidationException("page_token", "Not a page token issued by this service; start again without page_token.");
        }
        if (envelope is null || envelope.P is null || envelope.F != fingerprint)
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
}
