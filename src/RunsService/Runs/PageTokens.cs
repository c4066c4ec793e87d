using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace TenantAtlas.RunsService.Runs;

/// <summary>
/// Opaque page tokens: base64url JSON of the position after the last item, plus a fingerprint of the filters
/// the token was issued for, so a token replayed with other filters is refused instead of returning nonsense.
/// Not a security boundary: every page is filtered by access anyway.
/// </summary>
public static class PageTokens
{
    private sealed record Payload(long At, Guid Id, long N, string F);

    public static string Encode(RunCursor cursor, string fingerprint) =>
        Encode(new Payload(ToMicros(cursor.CreatedAt), cursor.Id, 0, fingerprint));

    public static string Encode(long position, string fingerprint) => Encode(new Payload(0, Guid.Empty, position, fingerprint));

    public static RunCursor DecodeCursor(string token, string fingerprint)
    {
        var payload = Decode(token, fingerprint);
        return new RunCursor(DateTime.UnixEpoch.AddTicks(payload.At * 10), payload.Id);
    }

    public static long DecodePosition(string token, string fingerprint) => Decode(token, fingerprint).N;

    /// <summary>A short stable hash of the filter values a token belongs to.</summary>
    public static string Fingerprint(params IEnumerable<string?>[] parts)
    {
        var text = string.Join('\u001f', parts.Select(p => string.Join('\u001e', p.Select(v => v ?? string.Empty))));
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)).AsSpan(0, 8));
    }

    private static string Encode(Payload payload) => Base64Url.EncodeToString(JsonSerializer.SerializeToUtf8Bytes(payload));

    private static Payload Decode(string token, string fingerprint)
    {
        Payload? payload;
        try
        {
            payload = JsonSerializer.Deserialize<Payload>(Base64Url.DecodeFromChars(token));
        }
        catch (Exception e) when (e is FormatException or JsonException)
        {
            throw new RequestValidationException("page_token", "Not a page token issued by this service; start again without page_token.");
        }
        if (payload is null || payload.F != fingerprint)
        {
            throw new RequestValidationException("page_token",
                "This page token was issued for different filters; send the same filters, or start again without page_token.");
        }
        return payload;
    }

    // PostgreSQL keeps microseconds; the cursor must compare equal to the stored value.
    private static long ToMicros(DateTime value) => (value.ToUniversalTime() - DateTime.UnixEpoch).Ticks / 10;
}
