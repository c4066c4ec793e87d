using Microsoft.EntityFrameworkCore;
using Npgsql;
using TenantAtlas.RunsService.Persistence;
using TenantAtlas.ServiceDefaults;

namespace TenantAtlas.RunsService.Access;

/// <summary>Workspaces, tenants and members: the data behind every access decision.</summary>
public sealed class AccessDirectory(RunsDbContext db, WorkspaceAccess access, PlatformAdmins platformAdmins)
{
    public async Task<(WorkspaceEntity Workspace, MemberEntity Owner)> CreateWorkspaceAsync(Caller caller, string name,
        string ownerSubject, string ownerDisplayName, CancellationToken ct)
    {
        if (caller.IsService || !platformAdmins.Contains(caller.Subject))
        {
            throw new PermissionDeniedException("Only platform administrators (Auth:PlatformAdmins) may create workspaces.");
        }
        var now = DateTime.UtcNow;
        var workspace = new WorkspaceEntity { Id = Guid.CreateVersion7(), Name = name, CreatedAt = now };
        var owner = new MemberEntity
        {
            WorkspaceId = workspace.Id, Subject = ownerSubject, DisplayName = ownerDisplayName,
            Role = Role.Owner.Name, TenantIds = null, CreatedAt = now, UpdatedAt = now,
        };
        db.Workspaces.Add(workspace);
        db.Members.Add(owner);
        await db.SaveChangesAsync(ct);
        return (workspace, owner);
    }

    public async Task<TenantEntity> RegisterTenantAsync(Caller caller, Guid workspaceId, Guid entraTenantId, string displayName,
        CancellationToken ct)
    {
        var member = await RequireManagerOfAsync(caller, workspaceId, Capabilities.TenantsManage, "register tenants", ct);
        var tenant = new TenantEntity
        {
            Id = Guid.CreateVersion7(), WorkspaceId = member.WorkspaceId, EntraTenantId = entraTenantId,
            DisplayName = displayName, CreatedAt = DateTime.UtcNow,
        };
        db.Tenants.Add(tenant);
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateException e) when (e.InnerException is PostgresException { SqlState: PostgresErrorCodes.UniqueViolation })
        {
            throw new AlreadyExistsException($"Entra tenant {entraTenantId} is already registered in workspace {workspaceId}.");
        }
        return tenant;
    }

    public async Task<MemberEntity> SetMemberAsync(Caller caller, Guid workspaceId, string subject, string displayName, Role role,
        IReadOnlyList<Guid> tenantIds, CancellationToken ct)
    {
        await RequireManagerOfAsync(caller, workspaceId, Capabilities.MembersManage, "manage members", ct);

        var known = await db.Tenants.Where(t => t.WorkspaceId == workspaceId && tenantIds.Contains(t.Id)).Select(t => t.Id).ToListAsync(ct);
        var unknown = tenantIds.Except(known).ToList();
        if (unknown.Count > 0)
        {
            throw new RequestValidationException("tenant_ids", $"Tenant {unknown[0]} is not registered in workspace {workspaceId}.");
        }

        var member = await db.Members.SingleOrDefaultAsync(m => m.WorkspaceId == workspaceId && m.Subject == subject, ct);
        if (member is not null && member.Role == Role.Owner.Name && role != Role.Owner
            && !await db.Members.AnyAsync(m => m.WorkspaceId == workspaceId && m.Role == Role.Owner.Name && m.Subject != subject, ct))
        {
            throw new FailedPreconditionException($"{subject} is the last owner of workspace {workspaceId}; make someone else owner first.");
        }

        var now = DateTime.UtcNow;
        if (member is null)
        {
            member = new MemberEntity
            {
                WorkspaceId = workspaceId, Subject = subject, DisplayName = displayName, Role = role.Name, CreatedAt = now,
            };
            db.Members.Add(member);
        }
        member.DisplayName = displayName;
        member.Role = role.Name;
        member.TenantIds = tenantIds.Count == 0 ? null : [.. tenantIds.Distinct()];
        member.UpdatedAt = now;
        await db.SaveChangesAsync(ct);
        return member;
    }

    public async Task<IReadOnlyList<(WorkspaceEntity Workspace, MemberEntity Member)>> ListMyWorkspacesAsync(Caller caller, CancellationToken ct)
    {
        var rows = await db.Members.AsNoTracking()
            .Where(m => m.Subject == caller.Subject)
            .Join(db.Workspaces.AsNoTracking(), m => m.WorkspaceId, w => w.Id, (m, w) => new { Workspace = w, Member = m })
            .OrderBy(x => x.Workspace.Name).ThenBy(x => x.Workspace.Id)
            .ToListAsync(ct);
        return [.. rows.Select(x => (x.Workspace, x.Member))];
    }

    public async Task<IReadOnlyList<TenantEntity>> ListTenantsAsync(Caller caller, Guid workspaceId, CancellationToken ct)
    {
        var member = await access.RequireMemberAsync(caller, workspaceId, ct);
        var tenants = await db.Tenants.AsNoTracking()
            .Where(t => t.WorkspaceId == workspaceId)
            .OrderBy(t => t.DisplayName).ThenBy(t => t.Id)
            .ToListAsync(ct);
        return [.. tenants.Where(t => member.IsEntitledTo(t.Id))];
    }

    /// <summary>A tenant the caller may see, with their membership (none for services); NOT_FOUND otherwise.</summary>
    public async Task<(TenantEntity Tenant, MemberEntity? Member)> GetTenantAsync(Caller caller, Guid tenantId, CancellationToken ct)
    {
        var tenant = await db.Tenants.AsNoTracking().SingleOrDefaultAsync(t => t.Id == tenantId, ct)
            ?? throw WorkspaceAccess.TenantNotFound(tenantId);
        if (caller.IsService)
        {
            return (tenant, null);
        }
        var member = await db.Members.AsNoTracking()
            .SingleOrDefaultAsync(m => m.WorkspaceId == tenant.WorkspaceId && m.Subject == caller.Subject, ct);
        if (AccessRule.Sees(member?.ToMembership(), tenantId, tenantInWorkspace: true) != AccessDecision.Allowed)
        {
            throw WorkspaceAccess.TenantNotFound(tenantId);
        }
        return (tenant, member!);
    }

    private async Task<Membership> RequireManagerOfAsync(Caller caller, Guid workspaceId, string capability, string action, CancellationToken ct)
    {
        var member = await access.RequireMemberAsync(caller, workspaceId, ct);
        WorkspaceAccess.RequireCapability(member, capability, action);
        return member;
    }
}
