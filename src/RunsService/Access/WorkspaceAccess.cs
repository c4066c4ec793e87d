using Microsoft.EntityFrameworkCore;
using Npgsql;
using NpgsqlTypes;
using TenantAtlas.RunsService.Persistence;
using TenantAtlas.RunsService.Runs;
using TenantAtlas.ServiceDefaults;

namespace TenantAtlas.RunsService.Access;

/// <summary>
/// Every access decision about runs (ARCHITECTURE §4, seed 086). Not a member of the workspace, or not entitled
/// to the tenant: NOT_FOUND, worded exactly as for something that does not exist. A member without the run
/// type's capability: PERMISSION_DENIED. Service identities act for the suite and may see every run.
/// </summary>
public sealed class WorkspaceAccess(RunsDbContext db, NpgsqlDataSource dataSource)
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
        var (member, tenantExists) = await FindMembershipAsync(caller.Subject, workspaceId, tenantId, ct);
        switch (AccessRule.Decide(member, tenantId, tenantExists, type))
        {
            case AccessDecision.WorkspaceNotFound: throw WorkspaceNotFound(workspaceId);
            case AccessDecision.TenantNotFound: throw TenantNotFound(tenantId!.Value);
            case AccessDecision.CapabilityMissing: throw CapabilityMissing(member!, type, "start");
        }
    }

    /// <summary>May the caller view this run? NOT_FOUND or PERMISSION_DENIED if not.</summary>
    public async Task AuthorizeViewAsync(Caller caller, RunRecord run, CancellationToken ct)
    {
        if (caller.IsService)
        {
            return;
        }
        var member = await FindMembershipAsync(caller.Subject, run.WorkspaceId, ct);
        var type = RunTypes.Find(run.Type);
        // A run's tenant is a tenant of its workspace: the database's foreign key says so.
        switch (AccessRule.Decide(member, run.TenantId, tenantInWorkspace: true, type))
        {
            case AccessDecision.WorkspaceNotFound or AccessDecision.TenantNotFound: throw RunNotFound(run.Id);
            case AccessDecision.CapabilityMissing: throw CapabilityMissing(member!, type, "view");
        }
    }

    /// <summary>
    /// What run types the caller may start and view in the workspace; NOT_FOUND for a workspace they cannot see.
    /// Nobody may start an unavailable type (EnsureRun refuses it), so the catalogue does not offer it either.
    /// </summary>
    public async Task<IReadOnlyList<(RunType Type, bool MayStart, bool MayView)>> RunTypeRightsAsync(Caller caller, Guid workspaceId,
        CancellationToken ct)
    {
        if (caller.IsService)
        {
            await RequireWorkspaceAndTenantExistAsync(workspaceId, null, ct);
            return [.. RunTypes.All.Values.Select(t => (t, t.Available, true))];
        }
        var member = await RequireMemberAsync(caller, workspaceId, ct);
        // Start and view need the same capability (seed 086); starting a tenant-plane run also needs the tenant.
        return [.. RunTypes.All.Values.Select(t =>
        {
            var allowed = AccessRule.Decide(member, null, true, t) == AccessDecision.Allowed;
            return (t, allowed && t.Available, allowed);
        })];
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
        var viewable = member.Role.ViewableRunTypes();
        // "Every type" is no restriction: a redundant type list keeps PostgreSQL from reading an index in date order.
        return new RunVisibility(viewable.Count == RunTypes.All.Count ? null : viewable, member.TenantIds);
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

    // A stored run of a type the suite no longer knows is visible to no user: nobody holds its capability.
    private static PermissionDeniedException CapabilityMissing(Membership member, RunType? type, string action) => new(
        $"Your role '{member.Role}' in workspace {member.WorkspaceId} does not grant '{type?.Capability ?? "(unknown run type)"}', " +
        $"which is needed to {action} {type?.Name ?? "this"} runs.");

    private async Task<Membership?> FindMembershipAsync(string subject, Guid workspaceId, CancellationToken ct) =>
        (await FindMembershipAsync(subject, workspaceId, null, ct)).Member;

    /// <summary>
    /// The caller's membership and whether <paramref name="tenantId"/> (if any) is a tenant of the workspace. Plain
    /// SQL like RunStore's: it precedes every EnsureRun and ListRuns, and EF's per-call query work cost more CPU
    /// than the run insert itself.
    /// </summary>
    private async Task<(Membership? Member, bool TenantExists)> FindMembershipAsync(string subject, Guid workspaceId, Guid? tenantId,
        CancellationToken ct)
    {
        await using var command = dataSource.CreateCommand(MembershipSql);
        command.Parameters.Add(new NpgsqlParameter<Guid>("workspace_id", workspaceId));
        command.Parameters.Add(new NpgsqlParameter<string>("subject", subject));
        command.Parameters.Add(new NpgsqlParameter("tenant_id", NpgsqlDbType.Uuid) { Value = (object?)tenantId ?? DBNull.Value });
        await using var reader = await command.ExecuteReaderAsync(ct);
        if (!await reader.ReadAsync(ct))
        {
            return (null, false);
        }
        var tenants = reader.IsDBNull(2) ? null : reader.GetFieldValue<Guid[]>(2);
        return (new Membership(workspaceId, subject, reader.GetString(0), Role.Parse(reader.GetString(1)), tenants), reader.GetBoolean(3));
    }

    private const string MembershipSql = """
        SELECT m.display_name, m.role, m.tenant_ids,
               @tenant_id IS NULL OR EXISTS (SELECT 1 FROM runs.tenants t WHERE t.id = @tenant_id AND t.workspace_id = @workspace_id)
        FROM runs.workspace_members m
        WHERE m.workspace_id = @workspace_id AND m.subject = @subject
        """;

    /// <summary>
    /// The caller's membership, NOT_FOUND unless they are a member entitled to <paramref name="tenantId"/> (if
    /// given) and it is a tenant of the workspace. One round trip: this is on the path of every EnsureRun.
    /// </summary>
    private async Task<Membership> RequireMemberEntitledToAsync(Caller caller, Guid workspaceId, Guid? tenantId, CancellationToken ct)
    {
        var (member, tenantExists) = await FindMembershipAsync(caller.Subject, workspaceId, tenantId, ct);
        return AccessRule.Sees(member, tenantId, tenantExists) switch
        {
            AccessDecision.WorkspaceNotFound => throw WorkspaceNotFound(workspaceId),
            AccessDecision.TenantNotFound => throw TenantNotFound(tenantId!.Value),
            _ => member!,
        };
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
