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
    public async Task Owner_MayViewEveryType_AndStartEveryAvailableOne_InNameOrder()
    {
        var (workspaceId, _) = await service.CreateWorkspaceWithTenantAsync(Owner);

        var types = (await service.Runs(UserToken(Owner)).ListRunTypesAsync(new ListRunTypesRequest { WorkspaceId = workspaceId })).RunTypes;

        Assert.Equal(Contracts.RunTypes.All.Keys.Order(StringComparer.Ordinal), types.Select(t => t.Name));
        Assert.All(types, t => Assert.True(t.CanView, t.Name));
        Assert.All(types, t => Assert.Equal(Contracts.RunTypes.All[t.Name].Available, t.Available));
        Assert.All(types, t => Assert.Equal(t.Available, t.CanStart));
        var sync = types.Single(t => t.Name == "inventory.sync");
        Assert.Equal(("Inventory sync", "tenant.inventory_sync.run", RunPlane.Tenant, "inventory", true),
            (sync.DisplayName, sync.Capability, sync.Plane, sync.OwningService, sync.Available));
        var report = types.Single(t => t.Name == "operations_report.generate");
        Assert.Equal((RunPlane.Workspace, false), (report.Plane, report.Available));
    }

    [Fact]
    public async Task Readonly_MayOnlyViewReports_AndStartNothingUntilReportsAreAvailable()
    {
        var (workspaceId, _) = await service.CreateWorkspaceWithTenantAsync(Owner);
        await service.SetMemberAsync(Owner, workspaceId, "catalogue-reader", Role.Readonly);

        var types = (await service.Runs(UserToken("catalogue-reader")).ListRunTypesAsync(new ListRunTypesRequest { WorkspaceId = workspaceId })).RunTypes;

        Assert.Equal(["operations_report.generate"], types.Where(t => t.CanView).Select(t => t.Name));
        Assert.Equal(types.Where(t => t.CanView && t.Available).Select(t => t.Name), types.Where(t => t.CanStart).Select(t => t.Name));
        Assert.Equal(Contracts.RunTypes.All.Count, types.Count);
    }

    [Fact]
    public async Task WhatTheCatalogueSays_IsWhatEnsureRunDoes_ForAnOperator()
    {
        var (workspaceId, tenantId) = await service.CreateWorkspaceWithTenantAsync(Owner);
        await service.SetMemberAsync(Owner, workspaceId, "catalogue-operator", Role.Operator);
        var operatorRuns = service.Runs(UserToken("catalogue-operator"));
        var types = (await operatorRuns.ListRunTypesAsync(new ListRunTypesRequest { WorkspaceId = workspaceId })).RunTypes;
        var answers = new List<StatusCode>();

        foreach (var type in types)
        {
            var request = new EnsureRunRequest
            {
                WorkspaceId = workspaceId, TenantId = type.Plane == RunPlane.Tenant ? tenantId : string.Empty, Type = type.Name,
            };
            if (type.CanStart)
            {
                Assert.True((await operatorRuns.EnsureRunAsync(request)).Run.RunId.Length > 0, type.Name);
                answers.Add(StatusCode.OK);
            }
            else
            {
                // Lacking the capability is said first; a type the operator may start but nobody handles is the precondition.
                var expected = type.CanView ? StatusCode.FailedPrecondition : StatusCode.PermissionDenied;
                answers.Add((await FailsWith(expected, () => operatorRuns.EnsureRunAsync(request).ResponseAsync)).StatusCode);
            }
        }
        Assert.Equal([StatusCode.OK, StatusCode.PermissionDenied, StatusCode.FailedPrecondition], answers.Distinct().Order());
        Assert.Equal(types.Count(t => t.CanStart), await service.CountAsync("SELECT count(*) FROM runs.operation_runs WHERE workspace_id = @w",
            ("w", Guid.Parse(workspaceId))));
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
        Assert.All(asService, t => Assert.True(t.CanView, t.Name));
        Assert.All(asService, t => Assert.Equal(t.Available, t.CanStart));
    }

    [Fact]
    public async Task Rest_ServesTheCatalogue_AsJson()
    {
        var (workspaceId, _) = await service.CreateWorkspaceWithTenantAsync(Owner);

        using var json = JsonDocument.Parse(await service.Http(UserToken(Owner)).GetStringAsync($"/v1/workspaces/{workspaceId}/run-types"));

        var sync = json.RootElement.GetProperty("runTypes").EnumerateArray().Single(t => t.GetProperty("name").GetString() == "inventory.sync");
        Assert.Equal("RUN_PLANE_TENANT", sync.GetProperty("plane").GetString());
        Assert.True(sync.GetProperty("canStart").GetBoolean());
        Assert.True(sync.GetProperty("available").GetBoolean());
        Assert.Equal("inventory", sync.GetProperty("owningService").GetString());
        // proto3 JSON leaves out false booleans: an unavailable type has neither "available" nor "canStart".
        var report = json.RootElement.GetProperty("runTypes").EnumerateArray().Single(t => t.GetProperty("name").GetString() == "operations_report.generate");
        Assert.False(report.TryGetProperty("available", out var available) && available.GetBoolean());
        Assert.False(report.TryGetProperty("canStart", out var canStart) && canStart.GetBoolean());
    }
}
