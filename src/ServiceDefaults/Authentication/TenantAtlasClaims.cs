namespace TenantAtlas.ServiceDefaults;

/// <summary>The JWT claims the suite reads. See docs/access.md.</summary>
public static class TenantAtlasClaims
{
    /// <summary>Who the caller is: a user's or a service's stable subject.</summary>
    public const string Subject = "sub";

    /// <summary>A user's display name (shown as a run's initiator).</summary>
    public const string Name = "name";

    /// <summary>App roles (Entra style); <see cref="ServiceRole"/> marks a service identity.</summary>
    public const string Roles = "roles";

    /// <summary>The role that makes a token a service identity (may call UpdateRun, start system runs).</summary>
    public const string ServiceRole = "tenantatlas.service";
}
