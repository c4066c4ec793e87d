using Grpc.Core;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using TenantAtlas.Access.V1;
using TenantAtlas.Runs.V1;
using TenantAtlas.RunsService.Retention;
using static TenantAtlas.RunsService.Tests.RunsServiceFixture;

namespace TenantAtlas.RunsService.Tests.Retention;

/// <summary>The service's own purge loop is off: each test drives one pass itself and sees exactly its effect.</summary>
public sealed class ManualPurgeFixture : RunsServiceFixture
{
    public ManualPurgeFixture()
    {
        Settings["Retention:Enabled"] = "false";
    }
}

public sealed class RunRetentionTests(ManualPurgeFixture service) : IClassFixture<ManualPurgeFixture>
{
    private const string Owner = "retention-owner";
    private const string Manager = "retention-manager";
    private const string Reader = "retention-reader";
    private const string Outsider = "retention-outsider";

    [Fact]
    public async Task AnyMember_AndServices_ReadTheDefault_OutsidersGetNotFound()
    {
        var (workspaceId, _) = await service.CreateWorkspaceWithTenantAsync(Owner);
        await service.SetMemberAsync(Owner, workspaceId, Reader, Role.Readonly);
        var request = new GetRunRetentionRequest { WorkspaceId = workspaceId };

        var byReader = (await service.Runs(UserToken(Reader)).GetRunRetentionAsync(request)).Retention;
        var byService = (await service.Runs(ServiceToken()).GetRunRetentionAsync(request)).Retention;
        var outsider = await Assert.ThrowsAsync<RpcException>(() => service.Runs(UserToken(Outsider)).GetRunRetentionAsync(request).ResponseAsync);
        var unknown = await Assert.ThrowsAsync<RpcException>(() => service.Runs(UserToken(Owner))
            .GetRunRetentionAsync(new GetRunRetentionRequest { WorkspaceId = Guid.NewGuid().ToString() }).ResponseAsync);

        Assert.Equal(90, byReader.Days);
        Assert.Equal(workspaceId, byReader.WorkspaceId);
        Assert.Null(byReader.UpdatedAt);
        Assert.Equal(90, byService.Days);
        Assert.Equal(StatusCode.NotFound, outsider.StatusCode);
        Assert.Equal(StatusCode.NotFound, unknown.StatusCode);
    }

    [Fact]
    public async Task OnlyTheOwner_Updates_WithinOneTo3650Days()
    {
        var (workspaceId, _) = await service.CreateWorkspaceWithTenantAsync(Owner);
        await service.SetMemberAsync(Owner, workspaceId, Manager, Role.Manager);
        UpdateRunRetentionRequest Set(int days) => new() { WorkspaceId = workspaceId, Days = days };
        var owner = service.Runs(UserToken(Owner));

        var updated = (await owner.UpdateRunRetentionAsync(Set(30))).Retention;
        var read = (await service.Runs(UserToken(Manager)).GetRunRetentionAsync(new GetRunRetentionRequest { WorkspaceId = workspaceId })).Retention;
        var byManager = await Assert.ThrowsAsync<RpcException>(() => service.Runs(UserToken(Manager)).UpdateRunRetentionAsync(Set(10)).ResponseAsync);
        var byService = await Assert.ThrowsAsync<RpcException>(() => service.Runs(ServiceToken()).UpdateRunRetentionAsync(Set(10)).ResponseAsync);
        var byOutsider = await Assert.ThrowsAsync<RpcException>(() => service.Runs(UserToken(Outsider)).UpdateRunRetentionAsync(Set(10)).ResponseAsync);
        var zero = await Assert.ThrowsAsync<RpcException>(() => owner.UpdateRunRetentionAsync(Set(0)).ResponseAsync);
        var tooLong = await Assert.ThrowsAsync<RpcException>(() => owner.UpdateRunRetentionAsync(Set(3651)).ResponseAsync);
        var shortest = (await owner.UpdateRunRetentionAsync(Set(1))).Retention.Days;
        var longest = (await owner.UpdateRunRetentionAsync(Set(3650))).Retention.Days;

        Assert.Equal(30, updated.Days);
        Assert.NotNull(updated.UpdatedAt);
        Assert.Equal(30, read.Days);
        Assert.Equal(updated.UpdatedAt, read.UpdatedAt);
        Assert.Equal(StatusCode.PermissionDenied, byManager.StatusCode);
        Assert.Contains("'owner' is needed", byManager.Status.Detail, StringComparison.Ordinal);
        Assert.Equal(StatusCode.PermissionDenied, byService.StatusCode);
        Assert.Equal(StatusCode.NotFound, byOutsider.StatusCode);
        Assert.Equal(StatusCode.InvalidArgument, zero.StatusCode);
        Assert.Contains("days", zero.Status.Detail, StringComparison.Ordinal);
        Assert.Equal(StatusCode.InvalidArgument, tooLong.StatusCode);
        Assert.Equal((1, 3650), (shortest, longest));
        Assert.Equal(3650, await service.CountAsync("SELECT run_retention_days FROM runs.workspaces WHERE id = @id", ("id", Guid.Parse(workspaceId))));
    }

    [Fact]
    public async Task OverHttp_OwnerPutsAndMembersGet_TheWorkspacesRetention()
    {
        var (workspaceId, _) = await service.CreateWorkspaceWithTenantAsync(Owner, "Http");
        await service.SetMemberAsync(Owner, workspaceId, Reader, Role.Readonly);
        var path = $"/v1/workspaces/{workspaceId}/run-retention";

        using var put = await service.Http(UserToken(Owner)).PutAsync(path,
            new StringContent("""{"days": 45}""", System.Text.Encoding.UTF8, "application/json"));
        using var get = await service.Http(UserToken(Reader)).GetAsync(path);
        using var bad = await service.Http(UserToken(Owner)).PutAsync(path,
            new StringContent("""{"days": 0}""", System.Text.Encoding.UTF8, "application/json"));
        using var byReader = await service.Http(UserToken(Reader)).PutAsync(path,
            new StringContent("""{"days": 10}""", System.Text.Encoding.UTF8, "application/json"));

        Assert.Equal(System.Net.HttpStatusCode.OK, put.StatusCode);
        using var body = System.Text.Json.JsonDocument.Parse(await get.Content.ReadAsStringAsync());
        Assert.Equal(45, body.RootElement.GetProperty("retention").GetProperty("days").GetInt32());
        Assert.Equal(System.Net.HttpStatusCode.BadRequest, bad.StatusCode);
        Assert.Equal(System.Net.HttpStatusCode.Forbidden, byReader.StatusCode);
    }

    [Fact]
    public async Task Purge_DeletesOldCompletedRuns_WithTheirNotifications_KeepsActiveRecentAndOtherWorkspaces()
    {
        var (shortId, shortTenant) = await service.CreateWorkspaceWithTenantAsync(Owner, "Short");
        var (defaultId, defaultTenant) = await service.CreateWorkspaceWithTenantAsync(Owner, "Default");
        await service.Runs(UserToken(Owner)).UpdateRunRetentionAsync(new UpdateRunRetentionRequest { WorkspaceId = shortId, Days = 30 });

        var oldCompleted = await CompletedRunAsync(shortId, shortTenant, "old", completedDaysAgo: 40);
        var recentCompleted = await CompletedRunAsync(shortId, shortTenant, "recent", completedDaysAgo: 20);
        var ancientQueued = await StartAsync(shortId, shortTenant, "ancient-queued");
        var ancientRunning = await StartAsync(shortId, shortTenant, "ancient-running");
        await service.Runs(ServiceToken()).UpdateRunAsync(new UpdateRunRequest { RunId = ancientRunning, Status = RunStatus.Running });
        await AgeAsync(ancientQueued, createdDaysAgo: 400, completedDaysAgo: null);
        await AgeAsync(ancientRunning, createdDaysAgo: 400, completedDaysAgo: null);
        var otherWorkspace = await CompletedRunAsync(defaultId, defaultTenant, "other", completedDaysAgo: 40);
        var otherWorkspaceOld = await CompletedRunAsync(defaultId, defaultTenant, "other-old", completedDaysAgo: 100);
        Assert.Equal(2, await NotificationsOfAsync(oldCompleted)); // queued and completed

        var summary = await PurgeAsync();

        Assert.True(summary.Purged >= 2);
        Assert.False(await ExistsAsync(oldCompleted));
        Assert.Equal(0, await NotificationsOfAsync(oldCompleted));
        Assert.False(await ExistsAsync(otherWorkspaceOld));
        Assert.True(await ExistsAsync(recentCompleted));
        Assert.Equal(2, await NotificationsOfAsync(recentCompleted));
        Assert.True(await ExistsAsync(ancientQueued));
        Assert.True(await ExistsAsync(ancientRunning));
        Assert.True(await ExistsAsync(otherWorkspace));
        // A while-active identity leaves no tombstone.
        Assert.Equal(0, await service.CountAsync("SELECT count(*) FROM runs.run_identity_tombstones WHERE run_id = @id", ("id", Guid.Parse(oldCompleted))));
    }

    [Fact]
    public async Task AfterPurge_OnceAndPerClickIdentities_AreAlreadyExists_WhileActiveStartsAgain()
    {
        var (workspaceId, tenantId) = await service.CreateWorkspaceWithTenantAsync(Owner, "Tombstones");
        var scheduler = service.Runs(ServiceToken());
        var user = service.Runs(UserToken(Owner));
        var once = Request(workspaceId, tenantId, "once", IdentityPolicy.Once);
        var click = Request(workspaceId, tenantId, "click", IdentityPolicy.PerClick);
        click.ClickId = "click-1";
        var whileActive = Request(workspaceId, tenantId, "while-active", IdentityPolicy.WhileActive);

        var onceRun = (await scheduler.EnsureRunAsync(once)).Run.RunId;
        var clickRun = (await user.EnsureRunAsync(click)).Run.RunId;
        var whileActiveRun = (await user.EnsureRunAsync(whileActive)).Run.RunId;
        foreach (var runId in (string[])[onceRun, clickRun, whileActiveRun])
        {
            await scheduler.UpdateRunAsync(new UpdateRunRequest { RunId = runId, Status = RunStatus.Completed });
            await AgeAsync(runId, createdDaysAgo: 100, completedDaysAgo: 95);
        }

        await PurgeAsync();
        var onceAgain = await Assert.ThrowsAsync<RpcException>(() => scheduler.EnsureRunAsync(once).ResponseAsync);
        var clickAgain = await Assert.ThrowsAsync<RpcException>(() => user.EnsureRunAsync(click).ResponseAsync);
        var whileActiveAgain = await user.EnsureRunAsync(whileActive);

        Assert.Equal(StatusCode.AlreadyExists, onceAgain.StatusCode);
        Assert.Contains(onceRun, onceAgain.Status.Detail, StringComparison.Ordinal);
        Assert.Contains("90 days", onceAgain.Status.Detail, StringComparison.Ordinal);
        Assert.Contains(DateTime.UtcNow.AddDays(-95).ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture),
            onceAgain.Status.Detail, StringComparison.Ordinal);
        Assert.Equal(StatusCode.AlreadyExists, clickAgain.StatusCode);
        Assert.Contains(clickRun, clickAgain.Status.Detail, StringComparison.Ordinal);
        Assert.True(whileActiveAgain.Created);
        Assert.NotEqual(whileActiveRun, whileActiveAgain.Run.RunId);
        // Nothing was created for the refused identities: the workspace holds only the new while-active run.
        Assert.Equal(1, await service.CountAsync("SELECT count(*) FROM runs.operation_runs WHERE workspace_id = @id", ("id", Guid.Parse(workspaceId))));
        Assert.Equal(2, await service.CountAsync("SELECT count(*) FROM runs.run_identity_tombstones WHERE workspace_id = @id", ("id", Guid.Parse(workspaceId))));
    }

    [Fact]
    public async Task Purge_SplitsIntoBatches_AndASecondPassFindsNothing()
    {
        var (workspaceId, tenantId) = await service.CreateWorkspaceWithTenantAsync(Owner, "Batches");
        // More than one batch (1,000): inserted directly, as a workspace's history would have accumulated.
        await ExecuteAsync("""
            INSERT INTO runs.operation_runs (id, workspace_id, tenant_id, type, status, outcome, identity_policy, run_identity_hash,
                identity_inputs, initiator_name, context, created_at, updated_at, completed_at)
            SELECT gen_random_uuid(), @workspace, @tenant, 'inventory.sync', 'completed', 'succeeded', 'once',
                lpad(to_hex(i), 64, '0'), '{}', 'System', '{}', now() - interval '200 days', now() - interval '200 days', now() - interval '199 days'
            FROM generate_series(1, 2500) AS i
            """, ("workspace", Guid.Parse(workspaceId)), ("tenant", Guid.Parse(tenantId)));

        var first = await PurgeAsync();
        var second = await PurgeAsync();

        Assert.True(first.Purged >= 2500);
        Assert.Equal(0, await service.CountAsync("SELECT count(*) FROM runs.operation_runs WHERE workspace_id = @id", ("id", Guid.Parse(workspaceId))));
        Assert.Equal(2500, await service.CountAsync("SELECT count(*) FROM runs.run_identity_tombstones WHERE workspace_id = @id", ("id", Guid.Parse(workspaceId))));
        Assert.Equal(0, second.Purged);
    }

    private static EnsureRunRequest Request(string workspaceId, string tenantId, string scope, IdentityPolicy policy)
    {
        var request = InventorySync(workspaceId, tenantId, scope);
        request.IdentityPolicy = policy;
        return request;
    }

    private async Task<string> StartAsync(string workspaceId, string tenantId, string scope) =>
        (await service.Runs(UserToken(Owner)).EnsureRunAsync(InventorySync(workspaceId, tenantId, scope))).Run.RunId;

    private async Task<string> CompletedRunAsync(string workspaceId, string tenantId, string scope, int completedDaysAgo)
    {
        var runId = await StartAsync(workspaceId, tenantId, scope);
        await service.Runs(ServiceToken()).UpdateRunAsync(new UpdateRunRequest { RunId = runId, Status = RunStatus.Completed });
        await AgeAsync(runId, createdDaysAgo: completedDaysAgo + 1, completedDaysAgo);
        return runId;
    }

    private Task<PurgeSummary> PurgeAsync() => service.Services.GetRequiredService<RunRetentionPurge>().PurgeOnceAsync(CancellationToken.None);

    private Task AgeAsync(string runId, int createdDaysAgo, int? completedDaysAgo) => ExecuteAsync("""
        UPDATE runs.operation_runs
        SET created_at = now() - make_interval(days => @created),
            completed_at = CASE WHEN completed_at IS NULL THEN NULL ELSE now() - make_interval(days => @completed) END
        WHERE id = @id
        """, ("id", Guid.Parse(runId)), ("created", createdDaysAgo), ("completed", completedDaysAgo ?? 0));

    private async Task<bool> ExistsAsync(string runId) =>
        await service.CountAsync("SELECT count(*) FROM runs.operation_runs WHERE id = @id", ("id", Guid.Parse(runId))) == 1;

    private Task<long> NotificationsOfAsync(string runId) =>
        service.CountAsync("SELECT count(*) FROM runs.run_notifications WHERE run_id = @id", ("id", Guid.Parse(runId)));

    private async Task ExecuteAsync(string sql, params (string Name, object Value)[] parameters)
    {
        await using var connection = new NpgsqlConnection(service.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        foreach (var (name, value) in parameters)
        {
            command.Parameters.AddWithValue(name, value);
        }
        await command.ExecuteNonQueryAsync();
    }
}
