using System.Diagnostics.CodeAnalysis;
using System.Diagnostics.Metrics;
using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.IdentityModel.Tokens;

namespace TenantAtlas.ServiceDefaults;

/// <summary>
/// Wraps the JWT handler so a caller's repeated calls with the same bearer token (a worker's service token, a user's
/// token for hours) skip signature validation and claim parsing. Only successful validations are kept, keyed by the
/// token's SHA-256 (the token itself is never stored as a key). A hit is served while the token has not expired
/// (its <c>exp</c>, without the clock skew validation allows: conservative) and while the entry is younger than
/// <see cref="TokenOptions.ValidatedTokenCacheLifetime"/>, so a key the authority withdraws stops being honoured
/// within that age. Every hit hands out its own copy of the identity: nothing one request adds reaches another.
/// </summary>
[SuppressMessage("Design", "CA1001", Justification =
    "Lives as long as the scheme's JwtBearerOptions (the process); its MemoryCache holds no timer or unmanaged resource.")]
public sealed class ValidatedTokenCache : TokenHandler
{
    public const string MeterName = OpenTelemetryExtensions.TelemetryPrefix + "Authentication";
    public const string LookupsCounter = "tenantatlas.auth.token_cache.lookups";

    private static readonly KeyValuePair<string, object?> Hit = new("result", "hit");
    private static readonly KeyValuePair<string, object?> Miss = new("result", "miss");

    private readonly TokenHandler inner;
    private readonly TimeSpan lifetime;
    private readonly Counter<long> lookups;

    // Bounded by SizeLimit (each entry counts 1). A full cache does not store the new entry and compacts in the
    // background (expired entries first, then the least recently used 5%): the simplest bound that never grows and
    // never blocks a request.
    private readonly MemoryCache entries;

    public ValidatedTokenCache(TokenHandler inner, int size, TimeSpan lifetime, IMeterFactory meters)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(size);
        this.inner = inner;
        this.lifetime = lifetime;
        entries = new MemoryCache(new MemoryCacheOptions { SizeLimit = size });
        lookups = meters.Create(MeterName).CreateCounter<long>(LookupsCounter,
            description: "Bearer token validations answered from the validated-token cache (hit) or validated in full (miss).");
    }

    public override async Task<TokenValidationResult> ValidateTokenAsync(string token, TokenValidationParameters validationParameters)
    {
        var key = Key(token);
        if (entries.TryGetValue(key, out CachedValidation? cached) && DateTime.UtcNow < cached!.ServeUntil)
        {
            lookups.Add(1, Hit);
            return cached.ToResult();
        }

        lookups.Add(1, Miss);
        var result = await inner.ValidateTokenAsync(token, validationParameters).ConfigureAwait(false);
        if (result.IsValid && result.ClaimsIdentity is { } identity && result.SecurityToken is { } securityToken)
        {
            Remember(key, identity, securityToken, result);
        }
        return result;
    }

    public override Task<TokenValidationResult> ValidateTokenAsync(SecurityToken token, TokenValidationParameters validationParameters) =>
        inner.ValidateTokenAsync(token, validationParameters);

    public override SecurityToken ReadToken(string token) => inner.ReadToken(token);

    private void Remember(string key, ClaimsIdentity identity, SecurityToken securityToken, TokenValidationResult result)
    {
        var now = DateTime.UtcNow;
        // ValidTo is DateTime.MinValue for a token without exp: such a token is never cached.
        var serveUntil = securityToken.ValidTo < now + lifetime ? securityToken.ValidTo : now + lifetime;
        if (serveUntil <= now)
        {
            return;
        }
        // A copy, not the identity the first request goes on with (and may add claims to).
        var entry = new CachedValidation(identity.Clone(), securityToken, result.Issuer, result.TokenType, serveUntil);
        entries.Set(key, entry, new MemoryCacheEntryOptions
        {
            Size = 1,
            AbsoluteExpiration = new DateTimeOffset(serveUntil, TimeSpan.Zero),
        });
    }

    private static string Key(string token)
    {
        Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(Encoding.UTF8.GetBytes(token), hash);
        return Convert.ToBase64String(hash);
    }

    private sealed record CachedValidation(ClaimsIdentity Identity, SecurityToken Token, string? Issuer, string? TokenType, DateTime ServeUntil)
    {
        /// <summary>What JwtBearerHandler reads of a validation: IsValid, the identity, the token (ValidFrom/ValidTo).</summary>
        public TokenValidationResult ToResult() => new()
        {
            IsValid = true,
            ClaimsIdentity = Identity.Clone(),
            SecurityToken = Token,
            Issuer = Issuer,
            TokenType = TokenType,
        };
    }
}
