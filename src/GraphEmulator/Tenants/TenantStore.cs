using System.Buffers.Text;
using System.Collections.Concurrent;
using System.Diagnostics.CodeAnalysis;
using System.Security.Cryptography;

namespace TenantAtlas.GraphEmulator.Tenants;

/// <summary>The emulator's in-memory state: tenants by id and the access tokens issued to them. Thread-safe.</summary>
public sealed class TenantStore(TimeProvider time)
{
    /// <summary>Lifetime of an issued access token (Entra's usual hour).</summary>
    public static readonly TimeSpan TokenLifetime = TimeSpan.FromHours(1);

    private readonly ConcurrentDictionary<string, EmulatedTenant> _tenants = new(StringComparer.OrdinalIgnoreCase);
    private readonly ConcurrentDictionary<string, IssuedToken> _tokens = new(StringComparer.Ordinal);
    private readonly Lock _defineLock = new();

    /// <summary>The canonical form of a tenant id (lower-case GUID), or null when it is not a GUID.</summary>
    public static string? NormalizeTenantId(string tenantId) =>
        Guid.TryParse(tenantId, out var guid) ? guid.ToString() : null;

    /// <summary>
    /// Creates the tenant or replaces its data set. Faults and the request log survive a redefinition; tokens
    /// survive it unless the credentials changed.
    /// </summary>
    public (EmulatedTenant Tenant, bool Created) Define(string tenantId, TenantDefinition definition)
    {
        var id = NormalizeTenantId(tenantId) ?? throw new ArgumentException("The tenant id must be a GUID.", nameof(tenantId));
        var dataSet = DataSetGenerator.Generate(definition);
        lock (_defineLock)
        {
            if (!_tenants.TryGetValue(id, out var tenant))
            {
                tenant = new EmulatedTenant(id, definition, dataSet, time);
                _tenants[id] = tenant;
                return (tenant, true);
            }

            if (tenant.Redefine(definition, dataSet))
                RevokeTokens(id);
            return (tenant, false);
        }
    }

    public IReadOnlyList<EmulatedTenant> All() => [.. _tenants.Values.OrderBy(t => t.TenantId, StringComparer.Ordinal)];

    public bool TryGet(string tenantId, [NotNullWhen(true)] out EmulatedTenant? tenant)
    {
        tenant = null;
        return NormalizeTenantId(tenantId) is { } id && _tenants.TryGetValue(id, out tenant);
    }

    public bool Remove(string tenantId)
    {
        if (NormalizeTenantId(tenantId) is not { } id || !_tenants.TryRemove(id, out _))
            return false;
        RevokeTokens(id);
        return true;
    }

    /// <summary>Issues a new opaque bearer token for the tenant.</summary>
    public IssuedToken IssueToken(EmulatedTenant tenant)
    {
        var now = time.GetUtcNow();
        foreach (var (value, expired) in _tokens.Where(t => t.Value.ExpiresAt <= now))
            _tokens.TryRemove(new KeyValuePair<string, IssuedToken>(value, expired));

        var token = new IssuedToken(
            Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(32)), tenant.TenantId, now + TokenLifetime);
        _tokens[token.AccessToken] = token;
        return token;
    }

    /// <summary>Finds the tenant a bearer token was issued to.</summary>
    public TokenStatus ResolveToken(string? accessToken, out EmulatedTenant? tenant)
    {
        tenant = null;
        if (string.IsNullOrEmpty(accessToken))
            return TokenStatus.Missing;
        if (!_tokens.TryGetValue(accessToken, out var token) || !_tenants.TryGetValue(token.TenantId, out tenant))
            return TokenStatus.Unknown;
        if (token.ExpiresAt > time.GetUtcNow())
            return TokenStatus.Valid;
        tenant = null;
        return TokenStatus.Expired;
    }

    private void RevokeTokens(string tenantId)
    {
        foreach (var (value, token) in _tokens.Where(t => t.Value.TenantId == tenantId))
            _tokens.TryRemove(new KeyValuePair<string, IssuedToken>(value, token));
    }
}

/// <summary>An access token issued by the token endpoint.</summary>
public sealed record IssuedToken(string AccessToken, string TenantId, DateTimeOffset ExpiresAt);

/// <summary>The outcome of resolving a bearer token.</summary>
public enum TokenStatus
{
    Valid,
    Missing,
    Unknown,
    Expired,
}
