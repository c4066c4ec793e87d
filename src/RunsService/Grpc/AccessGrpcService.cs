using Grpc.Core;
using Microsoft.AspNetCore.Authorization;
using TenantAtlas.Access.V1;
using TenantAtlas.RunsService.Access;

namespace TenantAtlas.RunsService.Grpc;

/// <summary>tenantatlas.access.v1.AccessService: translates requests to <see cref="AccessDirectory"/> calls.</summary>
[Authorize]
public sealed class AccessGrpcService(AccessDirectory directory) : AccessService.AccessServiceBase
{
    private const int MaxNameLength = 200;
    private const int MaxSubjectLength = 256;

    /// <summary>Tenants one member may be entitled to by name (more than a managed-service provider's workspace holds).</summary>
    public const int MaxTenantIds = 1000;

    public override async Task<CreateWorkspaceResponse> CreateWorkspace(CreateWorkspaceRequest request, ServerCallContext context)
    {
        var v = new RequestValidator();
        var name = v.RequiredText("name", request.Name, MaxNameLength);
        var ownerSubject = v.RequiredText("owner_subject", request.OwnerSubject, MaxSubjectLength);
        var ownerName = v.RequiredText("owner_display_name", request.OwnerDisplayName, MaxNameLength);
        v.ThrowIfInvalid();
        var (workspace, owner) = await directory.CreateWorkspaceAsync(context.Caller(), name, ownerSubject, ownerName, context.CancellationToken);
        return new CreateWorkspaceResponse { Workspace = workspace.ToProto(), Owner = owner.ToProto() };
    }

    public override async Task<RegisterTenantResponse> RegisterTenant(RegisterTenantRequest request, ServerCallContext context)
    {
        var v = new RequestValidator();
        var workspaceId = v.RequiredId("workspace_id", request.WorkspaceId);
        var entraTenantId = v.RequiredId("entra_tenant_id", request.EntraTenantId);
        var displayName = v.RequiredText("display_name", request.DisplayName, MaxNameLength);
        v.ThrowIfInvalid();
        var tenant = await directory.RegisterTenantAsync(context.Caller(), workspaceId, entraTenantId, displayName, context.CancellationToken);
        return new RegisterTenantResponse { Tenant = tenant.ToProto() };
    }

    public override async Task<SetMemberResponse> SetMember(SetMemberRequest request, ServerCallContext context)
    {
        var v = new RequestValidator();
        var workspaceId = v.RequiredId("workspace_id", request.WorkspaceId);
        var subject = v.RequiredText("subject", request.Subject, MaxSubjectLength);
        var displayName = v.RequiredText("display_name", request.DisplayName, MaxNameLength);
        var role = ProtoMapping.FromProto(v.DefinedEnum("role", request.Role));
        if (role is null && Enum.IsDefined(request.Role))
        {
            v.Add("role", "is required: ROLE_READONLY, ROLE_OPERATOR, ROLE_MANAGER or ROLE_OWNER.");
        }
        var tenantIds = v.AtMost("tenant_ids", request.TenantIds, MaxTenantIds).Select((t, i) => v.RequiredId($"tenant_ids[{i}]", t)).ToList();
        v.ThrowIfInvalid();
        var member = await directory.SetMemberAsync(context.Caller(), workspaceId, subject, displayName, role!, tenantIds,
            context.CancellationToken);
        return new SetMemberResponse { Member = member.ToProto() };
    }

    public override async Task<ListMyWorkspacesResponse> ListMyWorkspaces(ListMyWorkspacesRequest request, ServerCallContext context)
    {
        var rows = await directory.ListMyWorkspacesAsync(context.Caller(), context.CancellationToken);
        var response = new ListMyWorkspacesResponse();
        response.Workspaces.AddRange(rows.Select(r => new WorkspaceMembership { Workspace = r.Workspace.ToProto(), Member = r.Member.ToProto() }));
        return response;
    }

    public override async Task<ListTenantsResponse> ListTenants(ListTenantsRequest request, ServerCallContext context)
    {
        var v = new RequestValidator();
        var workspaceId = v.RequiredId("workspace_id", request.WorkspaceId);
        v.ThrowIfInvalid();
        var tenants = await directory.ListTenantsAsync(context.Caller(), workspaceId, context.CancellationToken);
        var response = new ListTenantsResponse();
        response.Tenants.AddRange(tenants.Select(t => t.ToProto()));
        return response;
    }

    public override async Task<GetTenantResponse> GetTenant(GetTenantRequest request, ServerCallContext context)
    {
        var v = new RequestValidator();
        var tenantId = v.RequiredId("tenant_id", request.TenantId);
        v.ThrowIfInvalid();
        var (tenant, member) = await directory.GetTenantAsync(context.Caller(), tenantId, context.CancellationToken);
        return new GetTenantResponse { Tenant = tenant.ToProto(), Member = member?.ToProto() };
    }
}
