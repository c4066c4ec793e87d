using System.Text.Json;
using Grpc.Core;
using TenantAtlas.Runs.V1;
using static TenantAtlas.RunsService.Tests.RunsServiceFixture;
using Role = TenantAtlas.Access.V1.Role;

namespace TenantAtlas.RunsService.Tests.Runs;

/// <summary>ListRunTypes: the catalogue as the contract serves it, and that it tells the truth about EnsureRun.</summary>
public sealed class RunTypeCatalogueTests(RunsServiceFixture service) : IClassFixture<RunsServiceFixture>
{
    private const string Owner = "catalogue-owner";

    [Fact]
    public async Task Owner_MayStartAndViewEveryType_InNameOrder()
    {
        var (workspaceId, _) = await service.CreateWorkspaceWithTenantAsync(Owner);

        var types = (await service.Runs(UserToken(Owner)).ListRunTypesAsync(new ListRunTypesRequest { WorkspaceId = workspaceId })).RunTypes;

        Assert.Equal(Contracts.RunTypes.All.Keys.Order(StringComparer.Ordinal), types.Select(t => t.Name));
        Assert.All(types, t => Assert.True(t.CanStart && t.CanView, t.Name));
        var sync = types.Single(t => t.Name == "inventory.sync");
        Assert.Equal(("Inventory sync", "tenant.inventory_sync.run", RunPlane.Tenant, "inventory"),
            (sync.DisplayName, sync.Capability, sync.Plane, sync.OwningService));
        Assert.Equal(RunPlane.Workspace, types.Single(t => t.Name == "operations_report.generate").Plane);
    }

    [Fact]
    public async Task Readonly_MayOnlyStartAndViewReports()
    {
        var (workspaceId, _) = await service.CreateWorkspaceWithTenantAsync(Owner);
        await service.SetMemberAsync(Owner, workspaceId, "catalogue-reader", Role.Readonly);

        var types = (await service.Runs(UserToken("catalogue-reader")).ListRunTypesAsync(new ListRunTypesRequest { WorkspaceId = workspaceId })).RunTypes;

        Assert.Equal(["operations_report.generate"], types.Where(t => t.CanView).Select(t => t.Name));
        Assert.Equal(["operations_report.generate"], types.Where(t => t.CanStart).Select(t => t.Name));
        Assert.Equal(Contracts.RunTypes.All.Count, types.Count);
    }

    [Fact]
    public async Task WhatTheCatalogueSays_IsWhatEnsureRunDoes_ForAnOperator()
    {
        var (workspaceId, tenantId) = await service.CreateWorkspaceWithTenantAsync(Owner);
        await service.SetMemberAsync(Owner, workspaceId, "catalogue-operator", Role.Operator);
        var operatorRuns = service.Runs(UserToken("catalogue-operator"));
        var types = (await operatorRuns.ListRunTypesAsync(new ListRunTypesRequest { WorkspaceId = workspaceId })).RunTypes;

        foreach (var type in types)
        {
            var request = new EnsureRunRequest
            {
                WorkspaceId = workspaceId, TenantId = type.Plane == RunPlane.Tenant ? tenantId : string.Empty, Type = type.Name,
            };
            if (type.CanStart)
            {
                Assert.True((await operatorRuns.EnsureRunAsync(request)).Run.RunId.Length > 0, type.Name);
            }
            else
            {
                await FailsWith(StatusCode.PermissionDenied, () => operatorRuns.EnsureRunAsync(request).ResponseAsync);
            }
        }
        Assert.Contains(types, t => t.CanStart);
        Assert.Contains(types, t => !t.CanStart);
    }

    [Fact]
    public async Task Outsider_GetsNotFound_BadIdInvalidArgument_ServiceMayDoEverything()
    {
        var (workspaceId, _) = await service.CreateWorkspaceWithTenantAsync(Owner);

        var outsider = await FailsWith(StatusCode.NotFound,
            () => service.Runs(UserToken("catalogue-outsider")).ListRunTypesAsync(new ListRunTypesRequest { WorkspaceId = workspaceId }).ResponseAsync);
        var malformed = await FailsWith(StatusCode.InvalidArgument,
            () => service.Runs(UserToken(Owner)).ListRunTypesAsync(new ListRunTypesRequest { WorkspaceId = "not-a-uuid" }).ResponseAsync);
        await FailsWith(StatusCode.NotFound, () => service.Runs(ServiceToken())
            .ListRunTypesAsync(new ListRunTypesRequest { WorkspaceId = Guid.NewGuid().ToString() }).ResponseAsync);
        var asService = (await service.Runs(ServiceToken()).ListRunTypesAsync(new ListRunTypesRequest { WorkspaceId = workspaceId })).RunTypes;

        Assert.Contains(workspaceId, outsider.Status.Detail, StringComparison.Ordinal);
        Assert.Contains("workspace_id", malformed.Status.Detail, StringComparison.Ordinal);
        Assert.All(asService, t => Assert.True(t.CanStart && t.CanView, t.Name));
    }

    [Fact]
    public async Task Rest_ServesTheCatalogue_AsJson()
    {
        var (workspaceId, _) = await service.CreateWorkspaceWithTenantAsync(Owner);

        using var json = JsonDocument.Parse(await service.Http(UserToken(Owner)).GetStringAsync($"/v1/workspaces/{workspaceId}/run-types"));

        var sync = json.RootElement.GetProperty("runTypes").EnumerateArray().Single(t => t.GetProperty("name").GetString() == "inventory.sync");
        Assert.Equal("RUN_PLANE_TENANT", sync.GetProperty("plane").GetString());
        Assert.True(sync.GetProperty("canStart").GetBoolean());
        Assert.Equal("inventory", sync.GetProperty("owningService").GetString());
    }
}
