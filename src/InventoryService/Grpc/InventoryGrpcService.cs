using Grpc.Core;
using Microsoft.AspNetCore.Authorization;
using TenantAtlas.TenantGraph;
using TenantAtlas.Workers;
using TenantAtlas.Access.V1;
using TenantAtlas.Inventory.V1;
using TenantAtlas.InventoryService.Groups;
using TenantAtlas.InventoryService.Sync;
using TenantAtlas.Runs.V1;

namespace TenantAtlas.InventoryService.Grpc;

/// <summary>
/// tenantatlas.inventory.v1.InventoryService. Starting a sync acts with the caller's own token toward
/// RunsService, so RunsService decides access and records the caller as the initiator.
/// </summary>
[Authorize]
public sealed class InventoryGrpcService(
    RunsService.RunsServiceClient runs,
    AccessService.AccessServiceClient access,
    TenantAccess tenants,
    InventoryQueries queries,
    DirectoryGroupQueries groups) : TenantAtlas.Inventory.V1.InventoryService.InventoryServiceBase
{
    /// <summary>Families in one StartInventorySync; there are two, so more than a few is not a request a client means.</summary>
    public const int MaxFamilies = 16;

    /// <summary>A group search's text: at most a display name's length.</summary>
    public const int MaxGroupQuery = 256;

    /// <summary>Most ids, and most names, one ResolveDirectoryGroups call looks up.</summary>
    public const int MaxResolve = 1_000;

    public override async Task<StartInventorySyncResponse> StartInventorySync(StartInventorySyncRequest request, ServerCallContext context)
    {
        var v = new RequestValidator();
        var tenantId = v.RequiredId("tenant_id", request.TenantId);
        var families = v.AtMost("families", request.Families, MaxFamilies).Select((f, i) => Family(v, $"families[{i}]", f)).OfType<string>().Distinct().Order(StringComparer.Ordinal).ToList();
        v.ThrowIfInvalid();
        var asCaller = context.ForwardedAuthorization();

        var tenant = (await access.GetTenantAsync(new GetTenantRequest { TenantId = tenantId.ToString() }, asCaller,
            cancellationToken: context.CancellationToken)).Tenant;
        var scope = families.Count is 0 || families.Count == PolicyFamilies.All.Count ? PolicyFamilies.All : families;
        var ensured = await runs.EnsureRunAsync(new EnsureRunRequest
        {
            WorkspaceId = tenant.WorkspaceId,
            TenantId = tenant.TenantId,
            Type = InventorySyncHandler.Type,
            // The scope is the identity: a sync of the same families while one is active is the same work.
            IdentityInputs = { ["families"] = scope == PolicyFamilies.All ? "all" : string.Join(',', scope) },
            Context = SyncContext.Create(tenant.EntraTenantId, scope),
        }, asCaller, cancellationToken: context.CancellationToken);
        return new StartInventorySyncResponse { Run = ensured.Run, Created = ensured.Created };
    }

    public override async Task<ListInventoryItemsResponse> ListInventoryItems(ListInventoryItemsRequest request, ServerCallContext context)
    {
        var v = new RequestValidator();
        var tenantId = v.RequiredId("tenant_id", request.TenantId);
        var family = request.Family == PolicyFamily.Unspecified ? null : Family(v, "family", request.Family);
        var runId = v.OptionalId("run_id", request.RunId);
        var pageSize = v.PageSize("page_size", request.PageSize, defaultSize: 100, maxSize: 500);
        v.ThrowIfInvalid();

        // Reading the inventory needs what starting a sync needs (seed 086: view = start capability).
        await tenants.RequireAsync(tenantId, InventoryQueries.ViewCapability, "view the inventory", context);
        var (items, next) = await queries.ListAsync(tenantId, family, runId, pageSize, request.PageToken, context.CancellationToken);
        var response = new ListInventoryItemsResponse { NextPageToken = next ?? string.Empty };
        response.Items.AddRange(items);
        return response;
    }

    public override async Task<StartDirectoryGroupsSyncResponse> StartDirectoryGroupsSync(StartDirectoryGroupsSyncRequest request, ServerCallContext context)
    {
        var v = new RequestValidator();
        var tenantId = v.RequiredId("tenant_id", request.TenantId);
        v.ThrowIfInvalid();
        var asCaller = context.ForwardedAuthorization();

        var tenant = (await access.GetTenantAsync(new GetTenantRequest { TenantId = tenantId.ToString() }, asCaller,
            cancellationToken: context.CancellationToken)).Tenant;
        // No identity inputs: one group sync per tenant while active, whoever starts it.
        var ensured = await runs.EnsureRunAsync(new EnsureRunRequest
        {
            WorkspaceId = tenant.WorkspaceId,
            TenantId = tenant.TenantId,
            Type = DirectoryGroupsSyncHandler.Type,
            Context = SyncContext.ForEntraTenant(tenant.EntraTenantId),
        }, asCaller, cancellationToken: context.CancellationToken);
        return new StartDirectoryGroupsSyncResponse { Run = ensured.Run, Created = ensured.Created };
    }

    public override async Task<SearchDirectoryGroupsResponse> SearchDirectoryGroups(SearchDirectoryGroupsRequest request, ServerCallContext context)
    {
        var v = new RequestValidator();
        var tenantId = v.RequiredId("tenant_id", request.TenantId);
        var query = v.OptionalText("query", request.Query, MaxGroupQuery);
        var match = v.DefinedEnum("match", request.Match);
        var pageSize = v.PageSize("page_size", request.PageSize, defaultSize: 50, maxSize: 200);
        v.ThrowIfInvalid();

        await tenants.RequireAsync(tenantId, DirectoryGroupQueries.SearchCapability, "search the tenant's groups", context);
        var (found, next) = await groups.SearchAsync(tenantId, query, match, request.IncludeDeleted, pageSize, request.PageToken, context.CancellationToken);
        var response = new SearchDirectoryGroupsResponse { NextPageToken = next ?? string.Empty };
        response.Groups.AddRange(found);
        return response;
    }

    public override async Task<ResolveDirectoryGroupsResponse> ResolveDirectoryGroups(ResolveDirectoryGroupsRequest request, ServerCallContext context)
    {
        var v = new RequestValidator();
        var tenantId = v.RequiredId("tenant_id", request.TenantId);
        var ids = v.AtMost("group_ids", request.GroupIds, MaxResolve);
        for (var i = 0; i < ids.Count; i++)
        {
            v.RequiredId($"group_ids[{i}]", ids[i]);
        }
        var names = v.AtMost("display_names", request.DisplayNames, MaxResolve);
        for (var i = 0; i < names.Count; i++)
        {
            v.RequiredText($"display_names[{i}]", names[i].Trim(), MaxGroupQuery);
        }
        v.ThrowIfInvalid();

        await tenants.RequireAsync(tenantId, DirectoryGroupQueries.SearchCapability, "look up the tenant's groups", context);
        return await groups.ResolveAsync(tenantId, ids, names, request.IncludeDeleted, context.CancellationToken);
    }

    private static string? Family(RequestValidator v, string field, PolicyFamily family)
    {
        if (v.DefinedEnum(field, family) is PolicyFamily.DeviceConfigurations or PolicyFamily.CompliancePolicies)
        {
            return PolicyFamilies.Name(family);
        }
        if (Enum.IsDefined(family))
        {
            v.Add(field, "must be POLICY_FAMILY_DEVICE_CONFIGURATIONS or POLICY_FAMILY_COMPLIANCE_POLICIES.");
        }
        return null;
    }
}
