using System.Security.Claims;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using TenantAtlas.ServiceDefaults;

namespace TenantAtlas.TokenIssuing;

/// <summary>
/// Issues tokens signed with the development key (<c>Auth:SigningKey</c>), for local runs, tests and tools.
/// Production tokens come from the OIDC authority instead.
/// </summary>
public static class DevTokens
{
    public static string Issue(TokenOptions options, string subject, string? displayName = null, bool service = false,
        TimeSpan? lifetime = null)
    {
        var claims = new List<Claim> { new(TenantAtlasClaims.Subject, subject) };
        if (!string.IsNullOrWhiteSpace(displayName))
        {
            claims.Add(new Claim(TenantAtlasClaims.Name, displayName));
        }
        if (service)
        {
            claims.Add(new Claim(TenantAtlasClaims.Roles, TenantAtlasClaims.ServiceRole));
        }
        var now = DateTime.UtcNow;
        return new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Subject = new ClaimsIdentity(claims),
            Issuer = options.Issuer,
            Audience = options.Audience,
            IssuedAt = now,
            NotBefore = now,
            Expires = now + (lifetime ?? TimeSpan.FromHours(8)),
            SigningCredentials = new SigningCredentials(options.SigningCredentialsKey(), SecurityAlgorithms.HmacSha256),
        });
    }
}
