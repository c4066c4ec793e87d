using Microsoft.EntityFrameworkCore;
using TenantAtlas.RunsService.Persistence;
using TenantAtlas.RunsService.Runs;
using TenantAtlas.ServiceDefaults;

namespace TenantAtlas.RunsService.Access;

/// <summary>
/// Every access decision about runs (ARCHITECTURE §4, seed 086). Not a member of the workspace, or not entitled
/// to the tenant: NOT_FOUND, worded exactly as for something that does not exist. A member without the run
/// type's capability: PERMISSION_DENIED. Service identities act for the suite and may see every run.
/// </summary>
public sealed class WorkspaceAccess(RunsDbContext db)
{
    /// <summary>The caller's membership of the workspace, or NOT_FOUND.</summary>
    public async Task<Membership> RequireMemberAsync(Caller caller, Guid workspaceId, CancellationToken ct) =>
        await FindMembershipAsync(caller.Subject, workspaceId, ct) ?? throw WorkspaceNotFound(workspaceId);

    /// <summary>May the caller start a run of this type for this workspace/tenant?</summary>
    public async Task AuthorizeStartAsync(Caller caller, Guid workspaceId, Guid? tenantId, RunType type, CancellationToken ct)
    {
        if (caller.IsService)
        {
            await RequireWorkspaceAndTenantExistAsync(workspaceId, tenantId, ct);
            return;
        }
        var member = await RequireMemberEntitledToAsync(caller, workspaceId, tenantId, ct);
        RequireCapability(member, type, "start");
    }

    /// <summary>May the caller view this run? NOT_FOUND or PERMISSION_DENIED if not.</summary>
    public async Task AuthorizeViewAsync(Caller caller, RunRecord run, CancellationToken ct)
    {
        if (caller.IsService)
        {
            return;
        }
        var member = await FindMembershipAsync(caller.Subject, run.WorkspaceId, ct);
        if (member is null || (run.TenantId is { } tenantId && !member.IsEntitledTo(tenantId)))
        {
            throw RunNotFound(run.Id);
        }
        RequireCapability(member, RunTypes.Find(run.Type), "view");
    }

    /// <summary>What the caller may list in a workspace; NOT_FOUND for a workspace or tenant they cannot see.</summary>
    public async Task<RunVisibility> VisibilityAsync(Caller caller, Guid workspaceId, Guid? tenantId, CancellationToken ct)
    {
        if (caller.IsService)
        {
            await RequireWorkspaceAndTenantExistAsync(workspaceId, tenantId, ct);
            return RunVisibility.Everything;
        }
        var member = await RequireMemberEntitledToAsync(caller, workspaceId, tenantId, ct);
        return new RunVisibility(RunTypes.ViewableBy(member.Role), member.TenantIds);
    }

    public static NotFoundException RunNotFound(Guid runId) => new($"Run {runId} was not found.");

    public static NotFoundException WorkspaceNotFound(Guid workspaceId) => new($"Workspace {workspaceId} was not found.");

    public static NotFoundException TenantNotFound(Guid tenantId) => new($"Tenant {tenantId} was not found.");

    public static void RequireCapability(Membership member, string capability, string action)
    {
        if (!member.Role.Grants(capability))
        {
            throw new PermissionDeniedException(
                $"Your role '{member.Role}' in workspace {member.WorkspaceId} does not grant '{capability}', which is needed to {action}.");
        }
    }

    private static void RequireCapability(Membership member, RunType? type, string action)
    {
        // A stored run of a type the suite no longer knows is visible to no user: nobody holds its capability.
        if (type is null || !member.Role.Grants(type.Capability))
        {
            throw new PermissionDeniedException(
                $"Your role '{member.Role}' in workspace {member.WorkspaceId} does not grant '{type?.Capability ?? "(unknown run type)"}', " +
                $"which is needed to {action} {type?.Name ?? "this"} runs.");
        }
    }

    private async Task<Membership?> FindMembershipAsync(string subject, Guid workspaceId, CancellationToken ct) =>
        (await FindMembershipAsync(subject, workspaceId, null, ct)).Member;

    /// <summary>The caller's membership and whether <paramref name="tenantId"/> (if any) is a tenant of the workspace.</summary>
    private async Task<(Membership? Member, bool TenantExists)> FindMembershipAsync(string subject, Guid workspaceId, Guid? tenantId,
        CancellationToken ct)
    {
        var row = await db.Members.AsNoTracking()
            .Where(m => m.WorkspaceId == workspaceId && m.Subject == subject)
            .Select(m => new
            {
                m.DisplayName,
                m.Role,
                m.TenantIds,
                TenantExists = tenantId == null || db.Tenants.Any(t => t.Id == tenantId && t.WorkspaceId == workspaceId),
            })
            .SingleOrDefaultAsync(ct);
        return row is null
            ? (null, false)
            : (new Membership(workspaceId, subject, row.DisplayName, Role.Parse(row.Role), row.TenantIds), row.TenantExists);
    }

    /// <summary>
    /// The caller's membership, NOT_FOUND unless they are a member entitled to <paramref name="tenantId"/> (if
    /// given) and it is a tenant of the workspace. One round trip: this is on the path of every EnsureRun.
    /// </summary>
    private async Task<Membership> RequireMemberEntitledToAsync(Caller caller, Guid workspaceId, Guid? tenantId, CancellationToken ct)
    {
        var (member, tenantExists) = await FindMembershipAsync(caller.Subject, workspaceId, tenantId, ct);
        if (member is null)
        {
            throw WorkspaceNotFound(workspaceId);
        }
        if (tenantId is { } tenant && (!member.IsEntitledTo(tenant) || !tenantExists))
        {
            throw TenantNotFound(tenant);
        }
        return member;
    }

    private async Task RequireWorkspaceAndTenantExistAsync(Guid workspaceId, Guid? tenantId, CancellationToken ct)
    {
        if (!await db.Workspaces.AnyAsync(w => w.Id == workspaceId, ct))
        {
            throw WorkspaceNotFound(workspaceId);
        }
        if (tenantId is { } tenant && !await TenantExistsAsync(workspaceId, tenant, ct))
        {
            throw TenantNotFound(tenant);
        }
    }

    private Task<bool> TenantExistsAsync(Guid workspaceId, Guid tenantId, CancellationToken ct) =>
        db.Tenants.AnyAsync(t => t.Id == tenantId && t.WorkspaceId == workspaceId, ct);
}
