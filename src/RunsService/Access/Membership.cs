using TenantAtlas.RunsService.Persistence;

namespace TenantAtlas.RunsService.Access;

/// <summary>A caller's membership of a workspace, as access decisions need it.</summary>
public sealed record Membership(Guid WorkspaceId, string Subject, string DisplayName, Role Role, IReadOnlyList<Guid>? TenantIds)
{
    /// <summary>True when the member may see the tenant (entitled to all tenants, or to this one).</summary>
    public bool IsEntitledTo(Guid tenantId) => TenantIds is null || TenantIds.Contains(tenantId);
}

public static class MembershipMapping
{
    public static Membership ToMembership(this MemberEntity member) =>
        new(member.WorkspaceId, member.Subject, member.DisplayName, Role.Parse(member.Role), member.TenantIds);
}

/// <summary>Who bootstraps workspaces: subjects listed in <c>Auth:PlatformAdmins</c>.</summary>
public sealed class PlatformAdmins(IEnumerable<string> subjects)
{
    private readonly HashSet<string> subjects = new(subjects.Where(s => !string.IsNullOrWhiteSpace(s)), StringComparer.Ordinal);

    public bool Contains(string subject) => subjects.Contains(subject);
}
