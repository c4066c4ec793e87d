namespace TenantAtlas.RunsService.Access;

/// <summary>What the start/view rule answers for a user.</summary>
public enum AccessDecision
{
    /// <summary>The user may start (or view) the run.</summary>
    Allowed,

    /// <summary>Not a member of the workspace: answered as if it did not exist.</summary>
    WorkspaceNotFound,

    /// <summary>Not entitled to the tenant, or it is not a tenant of the workspace: answered as if it did not exist.</summary>
    TenantNotFound,

    /// <summary>A member who sees the tenant, but whose role does not grant the run type's capability.</summary>
    CapabilityMissing,
}

/// <summary>
/// The one rule for users starting and viewing runs (seed 086, ARCHITECTURE §4): a member of the workspace, entitled
/// to the run's tenant (which belongs to the workspace), whose role grants the run type's capability. Service
/// identities are not users and are not asked. EnsureRun's SQL gate (<c>RunStore.GateSql</c>) and ListRuns'
/// visibility filter are this rule in SQL, kept for speed; <c>AccessRuleParityTests</c> prove them equal to it
/// over the whole access matrix.
/// </summary>
public static class AccessRule
{
    /// <summary>May <paramref name="member"/> start or view a run of <paramref name="type"/> for <paramref name="tenantId"/>?</summary>
    /// <param name="tenantInWorkspace">Whether the tenant (if any) is registered in the member's workspace.</param>
    /// <param name="type">The run type; a type the suite does not know is granted to nobody.</param>
    public static AccessDecision Decide(Membership? member, Guid? tenantId, bool tenantInWorkspace, RunType? type)
    {
        var sees = Sees(member, tenantId, tenantInWorkspace);
        if (sees != AccessDecision.Allowed)
        {
            return sees;
        }
        return type is not null && member!.Role.Grants(type.Capability) ? AccessDecision.Allowed : AccessDecision.CapabilityMissing;
    }

    /// <summary>Does the member see the workspace and the tenant (if any) at all, whatever the run type?</summary>
    public static AccessDecision Sees(Membership? member, Guid? tenantId, bool tenantInWorkspace) =>
        member is null ? AccessDecision.WorkspaceNotFound
        : tenantId is { } tenant && (!tenantInWorkspace || !member.IsEntitledTo(tenant)) ? AccessDecision.TenantNotFound
        : AccessDecision.Allowed;
}
