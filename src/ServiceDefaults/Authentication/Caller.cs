using System.Security.Claims;

namespace TenantAtlas.ServiceDefaults;

/// <summary>The authenticated caller of a request: a user or a service identity.</summary>
public sealed record Caller(string Subject, string DisplayName, bool IsService)
{
    /// <summary>Reads the caller from a validated principal; null when the principal is not authenticated.</summary>
    public static Caller? From(ClaimsPrincipal? principal)
    {
        if (principal?.Identity?.IsAuthenticated != true)
        {
            return null;
        }
        var subject = principal.FindFirstValue(TenantAtlasClaims.Subject);
        if (string.IsNullOrWhiteSpace(subject))
        {
            return null;
        }
        var isService = principal.FindAll(TenantAtlasClaims.Roles).Any(c => c.Value == TenantAtlasClaims.ServiceRole);
        var name = principal.FindFirstValue(TenantAtlasClaims.Name);
        return new Caller(subject, string.IsNullOrWhiteSpace(name) ? subject : name, isService);
    }
}
