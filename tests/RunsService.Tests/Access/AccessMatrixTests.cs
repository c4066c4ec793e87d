using Grpc.Core;
using TenantAtlas.Access.V1;
using TenantAtlas.Runs.V1;
using static TenantAtlas.RunsService.Tests.RunsServiceFixture;
using TenantAtlas.TokenIssuing;

namespace TenantAtlas.RunsService.Tests.Access;

public sealed class AccessMatrixTests(RunsServiceFixture service) : IClassFixture<RunsServiceFixture>
{
    private const string Owner = "access-owner";

    private async Task<(string WorkspaceId, string TenantA, string TenantB, Run RunA)> ScenarioAsync()
    {
        var (workspaceId, tenantA) = await service.CreateWorkspaceWithTenantAsync(Owner);
        var tenantB = await service.RegisterTenantAsync(Owner, workspaceId, "B");
        var run = (await service.Runs(UserToken(Owner)).EnsureRunAsync(InventorySync(workspaceId, tenantA))).Run;
        return (workspaceId, tenantA, tenantB, run);
    }

    [Fact]
    public async Task Calls_WithoutToken_AreUnauthenticated()
    {
        var (workspaceId, tenantA, _, run) = await ScenarioAsync();
        var anonymous = service.Runs(token: null);

        var missing = await FailsWith(StatusCode.Unauthenticated, () => anonymous.GetRunAsync(new GetRunRequest { RunId = run.RunId }).ResponseAsync);
        Assert.Contains("bearer token is required", missing.Status.Detail, StringComparison.Ordinal);
        Assert.Contains(missing.Trailers, t => t.Key == "server-timing");
        await FailsWith(StatusCode.Unauthenticated, () => anonymous.EnsureRunAsync(InventorySync(workspaceId, tenantA)).ResponseAsync);
        await FailsWith(StatusCode.Unauthenticated, () => service.Access(null).ListMyWorkspacesAsync(new ListMyWorkspacesRequest()).ResponseAsync);
    }

    [Fact]
    public async Task Calls_WithForgedOrExpiredToken_AreUnauthenticated()
    {
        var (_, _, _, run) = await ScenarioAsync();
        var forged = DevTokens.Issue(
            new ServiceDefaults.TokenOptions("another-key-that-is-long-enough-0123456789", null, "tenantatlas-dev", "tenantatlas"), Owner);
        var expired = DevTokens.Issue(TokenOptions, Owner, lifetime: TimeSpan.FromMinutes(-5));

        var refused = await FailsWith(StatusCode.Unauthenticated, () => service.Runs(forged).GetRunAsync(new GetRunRequest { RunId = run.RunId }).ResponseAsync);
        Assert.Contains("bearer token was refused", refused.Status.Detail, StringComparison.Ordinal);
        await FailsWith(StatusCode.Unauthenticated, () => service.Runs(expired).GetRunAsync(new GetRunRequest { RunId = run.RunId }).ResponseAsync);
    }

    [Fact]
    public async Task NonMember_GetsNotFound_ExactlyAsForAMissingRun()
    {
        var (workspaceId, tenantA, _, run) = await ScenarioAsync();
        var outsider = service.Runs(UserToken("outsider"));

        var forExisting = await FailsWith(StatusCode.NotFound, () => outsider.GetRunAsync(new GetRunRequest { RunId = run.RunId }).ResponseAsync);
        var missingId = Guid.NewGuid().ToString();
        var forMissing = await FailsWith(StatusCode.NotFound, () => service.Runs(UserToken(Owner)).GetRunAsync(new GetRunRequest { RunId = missingId }).ResponseAsync);
        await FailsWith(StatusCode.NotFound, () => outsider.ListRunsAsync(new ListRunsRequest { WorkspaceId = workspaceId }).ResponseAsync);
        await FailsWith(StatusCode.NotFound, () => outsider.EnsureRunAsync(InventorySync(workspaceId, tenantA)).ResponseAsync);
        await FailsWith(StatusCode.NotFound, () => service.Access(UserToken("outsider")).ListTenantsAsync(new ListTenantsRequest { WorkspaceId = workspaceId }).ResponseAsync);

        Assert.Equal(forMissing.Status.Detail.Replace(missingId, "ID", StringComparison.Ordinal),
            forExisting.Status.Detail.Replace(run.RunId, "ID", StringComparison.Ordinal));
    }

    [Fact]
    public async Task MemberNotEntitledToTenant_GetsNotFound_AndListLeavesItsRunsOut()
    {
        var (workspaceId, tenantA, tenantB, runA) = await ScenarioAsync();
        var runB = (await service.Runs(UserToken(Owner)).EnsureRunAsync(InventorySync(workspaceId, tenantB))).Run;
        await service.SetMemberAsync(Owner, workspaceId, "operator-b", Role.Operator, tenantB);
        var operatorB = service.Runs(UserToken("operator-b"));

        await FailsWith(StatusCode.NotFound, () => operatorB.GetRunAsync(new GetRunRequest { RunId = runA.RunId }).ResponseAsync);
        await FailsWith(StatusCode.NotFound, () => operatorB.EnsureRunAsync(InventorySync(workspaceId, tenantA)).ResponseAsync);
        await FailsWith(StatusCode.NotFound, () => operatorB.ListRunsAsync(new ListRunsRequest { WorkspaceId = workspaceId, TenantId = tenantA }).ResponseAsync);
        var visible = await operatorB.ListRunsAsync(new ListRunsRequest { WorkspaceId = workspaceId });
        var tenants = await service.Access(UserToken("operator-b")).ListTenantsAsync(new ListTenantsRequest { WorkspaceId = workspaceId });

        Assert.Equal([runB.RunId], visible.Runs.Select(r => r.RunId));
        Assert.Equal([tenantB], tenants.Tenants.Select(t => t.TenantId));
        Assert.Equal(runB.RunId, (await operatorB.GetRunAsync(new GetRunRequest { RunId = runB.RunId })).Run.RunId);
    }

    [Fact]
    public async Task TenantOfAnotherWorkspace_IsNotFound_EvenForTheOwnerOfBoth_AndNothingIsWritten()
    {
        var (workspaceOne, _) = await service.CreateWorkspaceWithTenantAsync(Owner, "One");
        var (_, tenantOfTwo) = await service.CreateWorkspaceWithTenantAsync(Owner, "Two");

        await FailsWith(StatusCode.NotFound, () =>
            service.Runs(UserToken(Owner)).EnsureRunAsync(InventorySync(workspaceOne, tenantOfTwo)).ResponseAsync);

        Assert.Equal(0, await service.CountAsync("SELECT count(*) FROM runs.operation_runs WHERE workspace_id = @w",
            ("w", Guid.Parse(workspaceOne))));
    }

    [Fact]
    public async Task Readonly_CannotStartOrViewTenantRuns_ButSeesTheirOwnTypes()
    {
        var (workspaceId, tenantA, _, runA) = await ScenarioAsync();
        await service.SetMemberAsync(Owner, workspaceId, "reader", Role.Readonly);
        var reader = service.Runs(UserToken("reader"));
        // Reports are the readonly role's type; no service makes them yet, so the run is written past EnsureRun.
        var report = (await service.SeedRunAsync(workspaceId, null, "operations_report.generate", Owner, new Dictionary<string, string>())).Run;

        var start = await FailsWith(StatusCode.PermissionDenied, () => reader.EnsureRunAsync(InventorySync(workspaceId, tenantA)).ResponseAsync);
        await FailsWith(StatusCode.PermissionDenied, () => reader.GetRunAsync(new GetRunRequest { RunId = runA.RunId }).ResponseAsync);
        var listed = await reader.ListRunsAsync(new ListRunsRequest { WorkspaceId = workspaceId });
        var viewed = await reader.GetRunAsync(new GetRunRequest { RunId = report.RunId });

        Assert.Contains("tenant.inventory_sync.run", start.Status.Detail, StringComparison.Ordinal);
        Assert.Equal([report.RunId], listed.Runs.Select(r => r.RunId));
        Assert.Equal(report.RunId, viewed.Run.RunId);
    }

    [Fact]
    public async Task Operator_CannotStartRestore_ManagerMay_AndATypeNoServiceHandlesIsRefusedAfterAccess()
    {
        var (workspaceId, tenantA, _, _) = await ScenarioAsync();
        await service.SetMemberAsync(Owner, workspaceId, "operator", Role.Operator);
        await service.SetMemberAsync(Owner, workspaceId, "manager", Role.Manager);
        // Held, as RestoreService creates it: no job is dispatched for a worker this test does not run.
        var restore = new EnsureRunRequest
        {
            WorkspaceId = workspaceId, TenantId = tenantA, Type = "restore.execute", IdentityInputs = { ["restore_run_id"] = "5" }, HoldDispatch = true,
        };

        var denied = await FailsWith(StatusCode.PermissionDenied, () => service.Runs(UserToken("operator")).EnsureRunAsync(restore).ResponseAsync);
        var started = await service.Runs(UserToken("manager")).EnsureRunAsync(restore);
        var unavailable = await FailsWith(StatusCode.FailedPrecondition, () => service.Runs(UserToken("manager"))
            .EnsureRunAsync(new EnsureRunRequest { WorkspaceId = workspaceId, Type = "operations_report.generate" }).ResponseAsync);
        var managerTypes = await service.Runs(UserToken("manager")).ListRunTypesAsync(new ListRunTypesRequest { WorkspaceId = workspaceId });
        var operatorTypes = await service.Runs(UserToken("operator")).ListRunTypesAsync(new ListRunTypesRequest { WorkspaceId = workspaceId });

        Assert.Contains("tenant.restore.execute", denied.Status.Detail, StringComparison.Ordinal);
        Assert.True(started.Created);
        Assert.Contains("not available in this deployment", unavailable.Status.Detail, StringComparison.Ordinal);
        var restoreType = managerTypes.RunTypes.Single(t => t.Name == "restore.execute");
        Assert.Equal((true, true, true), (restoreType.CanView, restoreType.CanStart, restoreType.Available));
        Assert.DoesNotContain(operatorTypes.RunTypes, t => t.Name == "restore.execute" && (t.CanView || t.CanStart));
        Assert.Equal(1, await service.CountAsync("SELECT count(*) FROM runs.operation_runs WHERE workspace_id = @w AND type = 'restore.execute'",
            ("w", Guid.Parse(workspaceId))));
    }

    [Fact]
    public async Task NonMember_StartingATypeNoServiceHandles_GetsNotFound_ExactlyAsForAMissingWorkspace()
    {
        var (workspaceId, tenantA, _, _) = await ScenarioAsync();
        var outsider = service.Runs(UserToken("outsider"));
        var missingWorkspace = Guid.NewGuid().ToString();
        EnsureRunRequest Restore(string workspace) => new() { WorkspaceId = workspace, TenantId = tenantA, Type = "restore.execute" };

        var forExisting = await FailsWith(StatusCode.NotFound, () => outsider.EnsureRunAsync(Restore(workspaceId)).ResponseAsync);
        var forMissing = await FailsWith(StatusCode.NotFound, () => outsider.EnsureRunAsync(Restore(missingWorkspace)).ResponseAsync);
        var report = new EnsureRunRequest { WorkspaceId = workspaceId, Type = "operations_report.generate" };
        await FailsWith(StatusCode.NotFound, () => outsider.EnsureRunAsync(report).ResponseAsync);

        Assert.Equal(forMissing.Status.Detail.Replace(missingWorkspace, "ID", StringComparison.Ordinal),
            forExisting.Status.Detail.Replace(workspaceId, "ID", StringComparison.Ordinal));
    }

    [Fact]
    public async Task User_CallingUpdateRun_IsPermissionDenied_AndNothingChanges()
    {
        var (_, _, _, run) = await ScenarioAsync();

        await FailsWith(StatusCode.PermissionDenied, () => service.Runs(UserToken(Owner)).UpdateRunAsync(new UpdateRunRequest
        {
            RunId = run.RunId, Status = RunStatus.Completed,
        }).ResponseAsync);

        Assert.Equal(RunStatus.Queued, (await service.Runs(UserToken(Owner)).GetRunAsync(new GetRunRequest { RunId = run.RunId })).Run.Status);
    }

    [Fact]
    public async Task OnlyPlatformAdmins_CreateWorkspaces_AndOnlyOwners_ManageMembers()
    {
        var (workspaceId, _, _, _) = await ScenarioAsync();
        await service.SetMemberAsync(Owner, workspaceId, "manager", Role.Manager);

        await FailsWith(StatusCode.PermissionDenied, () => service.Access(UserToken(Owner)).CreateWorkspaceAsync(new CreateWorkspaceRequest
        {
            Name = "Mine", OwnerSubject = Owner, OwnerDisplayName = Owner,
        }).ResponseAsync);
        await FailsWith(StatusCode.PermissionDenied, () => service.SetMemberAsync("manager", workspaceId, "someone", Role.Owner));
        await FailsWith(StatusCode.FailedPrecondition, () => service.SetMemberAsync(Owner, workspaceId, Owner, Role.Readonly));
    }

    [Fact]
    public async Task RegisteringTheSameEntraTenantTwice_IsAlreadyExists()
    {
        var (workspaceId, _, _, _) = await ScenarioAsync();
        var entraId = Guid.NewGuid().ToString();
        var access = service.Access(UserToken(Owner));
        await access.RegisterTenantAsync(new RegisterTenantRequest { WorkspaceId = workspaceId, EntraTenantId = entraId, DisplayName = "X" });

        await FailsWith(StatusCode.AlreadyExists, () => access.RegisterTenantAsync(new RegisterTenantRequest
        {
            WorkspaceId = workspaceId, EntraTenantId = entraId, DisplayName = "X again",
        }).ResponseAsync);
    }

    [Fact]
    public async Task ListMyWorkspaces_ShowsRoleAndCapabilities()
    {
        var (workspaceId, _, _, _) = await ScenarioAsync();
        await service.SetMemberAsync(Owner, workspaceId, "op-caps", Role.Operator);

        var mine = await service.Access(UserToken("op-caps")).ListMyWorkspacesAsync(new ListMyWorkspacesRequest());

        var membership = Assert.Single(mine.Workspaces);
        Assert.Equal(workspaceId, membership.Workspace.WorkspaceId);
        Assert.Equal(Role.Operator, membership.Member.Role);
        Assert.Contains("tenant.inventory_sync.run", membership.Member.Capabilities);
        Assert.DoesNotContain("tenant.restore.execute", membership.Member.Capabilities);
        Assert.True(membership.Member.AllTenants);
    }

    [Fact]
    public async Task GetTenant_ForEntitledMember_AndNotFoundOtherwise()
    {
        var (workspaceId, tenantA, tenantB, _) = await ScenarioAsync();
        await service.SetMemberAsync(Owner, workspaceId, "get-tenant-b", Role.Operator, tenantB);
        var access = service.Access(UserToken("get-tenant-b"));

        var got = await access.GetTenantAsync(new GetTenantRequest { TenantId = tenantB });
        var asService = await service.Access(ServiceToken()).GetTenantAsync(new GetTenantRequest { TenantId = tenantA });

        Assert.Equal(workspaceId, got.Tenant.WorkspaceId);
        Assert.Equal(Role.Operator, got.Member.Role);
        Assert.Null(asService.Member);
        await FailsWith(StatusCode.NotFound, () => access.GetTenantAsync(new GetTenantRequest { TenantId = tenantA }).ResponseAsync);
        await FailsWith(StatusCode.NotFound, () => service.Access(UserToken("nobody-here")).GetTenantAsync(new GetTenantRequest { TenantId = tenantB }).ResponseAsync);
    }
}
