using System.Text;
using System.Text.RegularExpressions;

namespace TenantAtlas.RunsService.Runs;

/// <summary>
/// Makes a failure message safe to store on a run. Failure messages come straight from Microsoft Graph,
/// Azure.Identity, Npgsql and HTTP clients, and those happily echo request bodies, headers and connection strings;
/// a stored run is readable by every workspace member, so no credential may survive. Secrets are replaced by
/// <c>[REDACTED]</c> while the key that named them is kept, so the message still says what went wrong.
/// </summary>
/// <remarks>
/// Deliberately not redacted: long hex/base64 runs in general, because item and tenant ids are GUIDs and the
/// message is useless without them. Redaction errs on the side of removing too much once a secret-bearing key
/// is found. <see cref="Sanitize"/> is idempotent: sanitizing a sanitized message changes nothing.
/// </remarks>
public static partial class FailureSanitizer
{
    /// <summary>The longest message <see cref="Sanitize"/> returns, ellipsis included.</summary>
    public const int MaxMessageLength = 1000;

    /// <summary>What a secret is replaced with.</summary>
    internal const string Redacted = "[REDACTED]";

    /// <summary>Returned instead of a message the patterns could not get through in time: storing it unsanitized is not an option.</summary>
    internal const string Withheld = "[message withheld: could not be sanitized]";

    /// <summary>Appended to a truncated message.</summary>
    internal const string Ellipsis = "…";

    // Only a prefix of a huge message can reach the stored 1000 characters, so the patterns never scan more
    // than this. It is far past the cut, so a secret straddling this bound can only ever show up, if at all,
    // in the part that gets truncated away anyway.
    private const int ScanLength = 16 * MaxMessageLength;

    // Words looked at before truncation (no word, and no marker, is cut in half) at most this far back.
    private const int WordBoundaryLookBack = 200;

    // A guard against a pattern going pathological, not a budget: the patterns are linear (about 4 ms for a 16,000-
    // character identifier run), but on a loaded machine a 250 ms limit withheld a 1,100-character message in CI.
    private const int MatchTimeoutMs = 2000;

    private const RegexOptions Options = RegexOptions.IgnoreCase | RegexOptions.CultureInvariant | RegexOptions.ExplicitCapture;

    // Whitespace including control characters: a tab or a stray NUL between a key and its value must not let
    // the value escape (control characters become spaces only after redaction).
    private const string Ws = @"[\s\p{Cc}]";

    // key=value, key: value, "key": ..., 'key': ..., and \"key\": ... inside JSON that was itself escaped into a string.
    private const string KeySeparator = @"(?:\\?[""'])?" + Ws + "*[:=]" + Ws + "*";

    // A value never starts with the ellipsis that ends a truncated message, so a message cut right after a key
    // ("password=…") stays as it is when sanitized again.
    private const string NotTruncationMark = "(?!…$)";

    // A value that is already the marker: matched as just the marker so re-sanitizing does not swallow what follows
    // (after the first pass, line breaks are spaces and "to end of line" would reach further).
    private const string AlreadyRedacted = @"\[REDACTED\](?=[\s;,&""'<>…]|$)";

    // Quoted values keep their quotes: escaped-JSON \"...\", JSON/double-quoted "..." (with \" escapes), single-quoted '...'.
    private const string QuotedValue =
        @"\\""(?<value>(?:(?!\\"")[\s\S])*)\\""" +
        @"|""(?<value>(?:[^""\\]|\\[\s\S])*)""" +
        "|'(?<value>[^']*)'";

    // "&" ends a value only when a new "name=" follows, as in a query string or form body; a lone "&" is part of it.
    private const string NextParameter = @"&(?![\w.\-]+=)";

    // Token-like values (client secrets, access tokens, SAS signatures, API keys) never contain whitespace.
    private const string TokenBare = NotTruncationMark + @"(?:[^\s;,&""'<>]|" + NextParameter + ")+";

    // Passwords and header-like values may contain spaces and commas; they end at ';' (ADO/Npgsql connection
    // strings), at a line break, at a quote or at the next query parameter.
    private const string PasswordBare = NotTruncationMark + @"(?:[^;\r\n""'&]|" + NextParameter + ")+";

    // A key is any identifier ending in one of these words, in any casing and with any prefix (aws_secret_access_key,
    // AWS_SECRET_ACCESS_KEY, AccountKey, x-api-key, db.password): naming a secret differently must not let it through.
    // Paging tokens ($skiptoken, $deltatoken, page tokens) are positions, not credentials, and stay.
    private const string TokenKeys =
        @"secret|client[_-]?assertion|(?<!skip|delta|page[_-]?|continuation[_-]?)token|key|sig|signature|credentials?" +
        @"|private[_-]?key|connection[_-]?string";

    private const string PasswordKeys = @"password|passwd|pwd|passphrase|authorization|cookie";

    // A whole identifier (taken atomically: no backtracking into it, so a long run of letters costs one pass) that ends
    // in one of the key words.
    private const string KeyStart = @"(?<![\w.\-])(?>[\w.\-]+)(?<=(?:";

    private const string TokenKeyValuePattern =
        KeyStart + TokenKeys + "))" + KeySeparator +
        "(?:" + QuotedValue + @"|[""'](?<value>" + AlreadyRedacted + "|" + TokenBare + ")" +
        "|(?<value>" + AlreadyRedacted + "|" + TokenBare + "))";

    private const string PasswordKeyValuePattern =
        KeyStart + PasswordKeys + "))" + KeySeparator +
        "(?:" + QuotedValue + @"|[""'](?<value>" + AlreadyRedacted + "|" + PasswordBare + ")" +
        "|(?<value>" + AlreadyRedacted + "|" + PasswordBare + "))";

    // Authorization/Cookie headers: the value runs to the end of the line whatever the scheme (Bearer, Basic,
    // SharedKey, Negotiate, ...). A quoted header name ("Authorization": ...) is JSON and is handled as a key/value.
    private const string HeaderPattern =
        @"\b(?:authorization|cookie)" + Ws + "*[:=]" + Ws + "*" +
        "(?<value>" + @"\[REDACTED\](?=[\s…]|$)|" + NotTruncationMark + @"\S[^\r\n]*)";

    // Prose that follows "Bearer" without being a token ("Bearer token is missing", "no Bearer scheme").
    private const string BearerProse =
        "(?!(?:token|tokens|auth|authentication|authorization|scheme|schemes|header|headers|challenge|credential|credentials" +
        "|realm|error|is|was|were|not|missing|required|expired|invalid|and|or|the|a|an|for|of|with|in|to|from)" +
        @"[.,:;!?]*(?:[\s\p{Cc}""')\]}…]|$))";

    // Any bearer token (RFC 6750 token68), except challenge parameters (Bearer realm="...", error=invalid_token).
    private const string BearerPattern =
        @"\bbearer" + Ws + "+" + BearerProse + @"(?![\w-]+=(?:""|[\w-]))(?<value>[a-z0-9\-._~+/]+=*)";

    // Bare JWTs/JWEs and truncated ones: base64url JSON starting with '{"' is "eyJ". Case-sensitive on purpose,
    // so words like "Eyjafjallajökull" stay.
    private const string JwtPattern = @"(?<![A-Za-z0-9_\-])eyJ[A-Za-z0-9_\-]{4,}(?:\.[A-Za-z0-9_\-]+)*";

    // user:password@ in URLs (postgres://u:p@h/db, https://u:p@h). The password runs to the last '@' of the
    // authority, so an unencoded '@' inside it does not leak the rest.
    private const string UrlUserInfoPattern =
        @"\b[a-z][a-z0-9+.\-]*://[^\s:/?#@\[\]]*:(?<value>" + NotTruncationMark + @"[^\s/?#]+)@";

    // PEM private keys (RSA, EC, OPENSSH, encrypted...): the whole block, or to the end when the message was cut inside it.
    private const string PrivateKeyBlockPattern =
        @"-----BEGIN[ A-Z]*PRIVATE KEY-----(?:(?!-----END)[\s\S])*(?:-----END[ A-Z]*PRIVATE KEY-----|$)";

    private static readonly MatchEvaluator RedactValue = Redact;

    /// <summary>
    /// Redacts secrets, turns control characters (line breaks, tabs, other C0/C1 controls) into single spaces,
    /// trims, and truncates to <see cref="MaxMessageLength"/> characters (ending in "…" when cut).
    /// Null or empty input gives an empty string.
    /// </summary>
    public static string Sanitize(string? message)
    {
        if (string.IsNullOrEmpty(message))
        {
            return string.Empty;
        }

        try
        {
            var text = RedactSecrets(Bound(message, ScanLength));
            return Truncate(CollapseControlCharacters(text));
        }
        catch (RegexMatchTimeoutException)
        {
            // A pathological message: better to lose it than to store it unredacted.
            return Withheld;
        }
    }

    private static string RedactSecrets(string text)
    {
        // Order matters: headers first (their value may itself contain "Bearer ..." or key=value pairs), then
        // keyed values (a quoted value is replaced whole, quotes kept), then what is left unkeyed.
        text = PrivateKeyBlockRegex().Replace(text, Redacted);
        text = HeaderRegex().Replace(text, RedactValue);
        text = PasswordKeyValueRegex().Replace(text, RedactValue);
        text = TokenKeyValueRegex().Replace(text, RedactValue);
        text = BearerRegex().Replace(text, RedactValue);
        text = JwtRegex().Replace(text, RedactValue);
        return UrlUserInfoRegex().Replace(text, RedactValue);
    }

    /// <summary>Replaces the "value" group of a match (or the whole match when there is none) with the marker.</summary>
    private static string Redact(Match match)
    {
        var value = match.Groups["value"];
        if (!value.Success)
        {
            return Redacted;
        }

        var text = match.Value;
        var start = value.Index - match.Index;
        return string.Concat(text.AsSpan(0, start), Redacted, text.AsSpan(start + value.Length));
    }

    /// <summary>
    /// A maximal run of whitespace that contains a control character (or a Unicode line/paragraph separator)
    /// becomes one space; ordinary spacing is left alone. A loop, not a regex: no backtracking on long runs.
    /// </summary>
    private static string CollapseControlCharacters(string text)
    {
        StringBuilder? builder = null;
        var i = 0;
        while (i < text.Length)
        {
            if (!IsSpaceOrControl(text[i]))
            {
                builder?.Append(text[i]);
                i++;
                continue;
            }

            var start = i;
            var hasControl = false;
            while (i < text.Length && IsSpaceOrControl(text[i]))
            {
                hasControl |= IsControl(text[i]);
                i++;
            }

            if (hasControl)
            {
                builder ??= new StringBuilder(text.Length).Append(text, 0, start);
                builder.Append(' ');
            }
            else
            {
                builder?.Append(text, start, i - start);
            }
        }

        return (builder?.ToString() ?? text).Trim();

        static bool IsControl(char c) => char.IsControl(c) || c is '\u2028' or '\u2029';
        static bool IsSpaceOrControl(char c) => char.IsWhiteSpace(c) || IsControl(c);
    }

    /// <summary>
    /// Cuts to at most <see cref="MaxMessageLength"/> characters including the ellipsis, preferably at a word
    /// boundary; never inside a surrogate pair or a <c>[REDACTED]</c> marker.
    /// </summary>
    private static string Truncate(string text)
    {
        if (text.Length <= MaxMessageLength)
        {
            return text;
        }

        var limit = MaxMessageLength - Ellipsis.Length;
        var cut = -1;
        for (var i = limit; i > 0 && i >= limit - WordBoundaryLookBack; i--)
        {
            if (char.IsWhiteSpace(text[i]))
            {
                cut = i;
                break;
            }
        }

        if (cut < 0)
        {
            cut = SafeCut(text, limit);
            for (var start = Math.Max(0, cut - Redacted.Length + 1); start < cut; start++)
            {
                if (text.AsSpan(start).StartsWith(Redacted, StringComparison.Ordinal))
                {
                    cut = start;
                    break;
                }
            }
        }

        return string.Concat(text.AsSpan(0, cut).TrimEnd(), Ellipsis);
    }

    private static string Bound(string text, int length) => text.Length <= length ? text : text[..SafeCut(text, length)];

    /// <summary>A cut position at or before <paramref name="length"/> that does not split a surrogate pair.</summary>
    private static int SafeCut(string text, int length) =>
        length > 0 && char.IsHighSurrogate(text[length - 1]) ? length - 1 : length;

    // Source-generated, so compiled at build time with no startup cost; the timeout bounds any pathological input.
    [GeneratedRegex(PrivateKeyBlockPattern, Options, MatchTimeoutMs)]
    private static partial Regex PrivateKeyBlockRegex();

    [GeneratedRegex(HeaderPattern, Options, MatchTimeoutMs)]
    private static partial Regex HeaderRegex();

    [GeneratedRegex(PasswordKeyValuePattern, Options, MatchTimeoutMs)]
    private static partial Regex PasswordKeyValueRegex();

    [GeneratedRegex(TokenKeyValuePattern, Options, MatchTimeoutMs)]
    private static partial Regex TokenKeyValueRegex();

    [GeneratedRegex(BearerPattern, Options, MatchTimeoutMs)]
    private static partial Regex BearerRegex();

    [GeneratedRegex(JwtPattern, RegexOptions.CultureInvariant | RegexOptions.ExplicitCapture, MatchTimeoutMs)]
    private static partial Regex JwtRegex();

    [GeneratedRegex(UrlUserInfoPattern, Options, MatchTimeoutMs)]
    private static partial Regex UrlUserInfoRegex();
}
