using Grpc.Core;
using TenantAtlas.Runs.V1;
using IdentityPolicyName = TenantAtlas.RunsService.Runs.IdentityPolicyName;
using static TenantAtlas.RunsService.Tests.RunsServiceFixture;

namespace TenantAtlas.RunsService.Tests.Runs;

public sealed class EnsureRunTests(RunsServiceFixture service) : IClassFixture<RunsServiceFixture>
{
    private const string Owner = "ensure-owner";

    [Fact]
    public async Task EnsureRun_CreatesQueuedRun_WithInitiatorAndIdentity()
    {
        var (workspaceId, tenantId) = await service.CreateWorkspaceWithTenantAsync(Owner);
        var request = InventorySync(workspaceId, tenantId);
        request.Context = Google.Protobuf.WellKnownTypes.Struct.Parser.ParseJson("""{"selection":["deviceConfigurations"],"depth":2}""");

        var response = await service.Runs(UserToken(Owner, "Olivia Owner")).EnsureRunAsync(request);

        Assert.True(response.Created);
        var run = response.Run;
        Assert.Equal(RunStatus.Queued, run.Status);
        Assert.Equal(RunOutcome.Pending, run.Outcome);
        Assert.Equal(StatusBucket.Queued, run.StatusBucket);
        Assert.Equal(IdentityPolicy.WhileActive, run.IdentityPolicy);
        Assert.Equal(Owner, run.Initiator.Subject);
        Assert.Equal("Olivia Owner", run.Initiator.Name);
        Assert.Equal("all", run.IdentityInputs["scope"]);
        Assert.Equal(64, run.RunIdentityHash.Length);
        Assert.Equal(2, run.Context.Fields["depth"].NumberValue);
        Assert.Null(run.StartedAt);
        Assert.Null(run.CompletedAt);
    }

    [Fact]
    public async Task EnsureRun_ReturnsExistingRun_WhenIdentityIsActive()
    {
        var (workspaceId, tenantId) = await service.CreateWorkspaceWithTenantAsync(Owner);
        var client = service.Runs(UserToken(Owner));

        var first = await client.EnsureRunAsync(InventorySync(workspaceId, tenantId));
        var second = await client.EnsureRunAsync(InventorySync(workspaceId, tenantId));
        var otherScope = await client.EnsureRunAsync(InventorySync(workspaceId, tenantId, scope: "compliance"));

        Assert.True(first.Created);
        Assert.False(second.Created);
        Assert.Equal(first.Run.RunId, second.Run.RunId);
        Assert.True(otherScope.Created);
        Assert.NotEqual(first.Run.RunId, otherScope.Run.RunId);
    }

    [Fact]
    public async Task EnsureRun_IdentityIsOrderIndependent()
    {
        var (workspaceId, tenantId) = await service.CreateWorkspaceWithTenantAsync(Owner);
        var client = service.Runs(UserToken(Owner));
        var a = InventorySync(workspaceId, tenantId);
        a.IdentityInputs.Clear();
        a.IdentityInputs.Add("b", "2");
        a.IdentityInputs.Add("a", "1");
        var b = InventorySync(workspaceId, tenantId);
        b.IdentityInputs.Clear();
        b.IdentityInputs.Add("a", "1");
        b.IdentityInputs.Add("b", "2");

        var first = await client.EnsureRunAsync(a);
        var second = await client.EnsureRunAsync(b);

        Assert.Equal(first.Run.RunId, second.Run.RunId);
        Assert.Equal(first.Run.RunIdentityHash, second.Run.RunIdentityHash);
    }

    [Fact]
    public async Task EnsureRun_Under200ConcurrentCalls_CreatesExactlyOneRun()
    {
        var (workspaceId, tenantId) = await service.CreateWorkspaceWithTenantAsync(Owner);
        var client = service.Runs(UserToken(Owner));

        var responses = await Task.WhenAll(Enumerable.Range(0, 200).Select(_ =>
            client.EnsureRunAsync(InventorySync(workspaceId, tenantId)).ResponseAsync));

        Assert.Single(responses.Select(r => r.Run.RunId).Distinct());
        Assert.Equal(1, responses.Count(r => r.Created));
        Assert.Equal(1, await service.CountAsync("SELECT count(*) FROM runs.operation_runs WHERE workspace_id = @w",
            ("w", Guid.Parse(workspaceId))));
    }

    [Fact]
    public async Task EnsureRun_StartsNewRun_AfterActiveRunCompleted()
    {
        var (workspaceId, tenantId) = await service.CreateWorkspaceWithTenantAsync(Owner);
        var client = service.Runs(UserToken(Owner));
        var first = await client.EnsureRunAsync(InventorySync(workspaceId, tenantId));
        await service.Runs(ServiceToken()).UpdateRunAsync(new UpdateRunRequest { RunId = first.Run.RunId, Status = RunStatus.Completed });

        var second = await client.EnsureRunAsync(InventorySync(workspaceId, tenantId));

        Assert.True(second.Created);
        Assert.NotEqual(first.Run.RunId, second.Run.RunId);
    }

    [Fact]
    public async Task EnsureRun_PerClick_NewRunPerClick_SameRunForRetriedClick()
    {
        var (workspaceId, tenantId) = await service.CreateWorkspaceWithTenantAsync(Owner);
        var client = service.Runs(UserToken(Owner));
        EnsureRunRequest Click(string clickId)
        {
            var request = InventorySync(workspaceId, tenantId);
            request.IdentityPolicy = IdentityPolicy.PerClick;
            request.ClickId = clickId;
            return request;
        }

        var click1 = await client.EnsureRunAsync(Click("click-1"));
        var click2 = await client.EnsureRunAsync(Click("click-2"));
        await service.Runs(ServiceToken()).UpdateRunAsync(new UpdateRunRequest { RunId = click1.Run.RunId, Status = RunStatus.Completed });
        var click1Retried = await client.EnsureRunAsync(Click("click-1"));

        Assert.True(click1.Created);
        Assert.True(click2.Created);
        Assert.NotEqual(click1.Run.RunId, click2.Run.RunId);
        Assert.False(click1Retried.Created);
        Assert.Equal(click1.Run.RunId, click1Retried.Run.RunId);
        Assert.Equal(RunStatus.Completed, click1Retried.Run.Status);
    }

    [Fact]
    public async Task EnsureRun_Once_ReusesCompletedRun_ForTheSameIdentity()
    {
        var (workspaceId, tenantId) = await service.CreateWorkspaceWithTenantAsync(Owner);
        var scheduler = service.Runs(ServiceToken());
        EnsureRunRequest Fire(string at)
        {
            var request = InventorySync(workspaceId, tenantId);
            request.IdentityPolicy = IdentityPolicy.Once;
            request.IdentityInputs["scheduled_for"] = at;
            return request;
        }

        var first = await scheduler.EnsureRunAsync(Fire("2026-11-23T02:00:00Z"));
        await scheduler.UpdateRunAsync(new UpdateRunRequest { RunId = first.Run.RunId, Status = RunStatus.Completed });
        var doubleFire = await scheduler.EnsureRunAsync(Fire("2026-11-23T02:00:00Z"));
        var nextFire = await scheduler.EnsureRunAsync(Fire("2026-11-24T02:00:00Z"));

        Assert.False(doubleFire.Created);
        Assert.Equal(first.Run.RunId, doubleFire.Run.RunId);
        Assert.True(nextFire.Created);
        Assert.Equal("System", first.Run.Initiator.Name);
        Assert.Equal(string.Empty, first.Run.Initiator.Subject);
    }

    // The one workspace-plane type (operations_report.generate) has no service yet, so EnsureRun refuses it: the
    // identity indexes' NULLS NOT DISTINCT is proven through RunStore, which EnsureRun writes with.
    [Fact]
    public async Task WorkspacePlaneRuns_DedupeToo()
    {
        var (workspaceId, _) = await service.CreateWorkspaceWithTenantAsync(Owner);
        var inputs = new Dictionary<string, string> { ["period"] = "2026-11" };

        var results = await Task.WhenAll(Enumerable.Range(0, 50).Select(_ =>
            service.SeedRunAsync(workspaceId, null, "operations_report.generate", Owner, inputs)));

        Assert.Single(results.Select(r => r.Run.RunId).Distinct());
        Assert.Equal(1, results.Count(r => r.Created));
        Assert.Equal(string.Empty, results[0].Run.TenantId);
    }

    [Fact]
    public async Task Once_WorkspacePlane_UniqueForever_UnderConcurrency()
    {
        var (workspaceId, _) = await service.CreateWorkspaceWithTenantAsync(Owner);
        var inputs = new Dictionary<string, string> { ["period"] = "2026-10" };

        var results = await Task.WhenAll(Enumerable.Range(0, 50).Select(_ =>
            service.SeedRunAsync(workspaceId, null, "operations_report.generate", null, inputs, IdentityPolicyName.Once)));
        await service.Runs(ServiceToken()).UpdateRunAsync(new UpdateRunRequest { RunId = results[0].Run.RunId, Status = RunStatus.Completed });
        var afterCompletion = await service.SeedRunAsync(workspaceId, null, "operations_report.generate", null, inputs, IdentityPolicyName.Once);

        Assert.Single(results.Select(r => r.Run.RunId).Distinct());
        Assert.Equal(1, results.Count(r => r.Created));
        Assert.False(afterCompletion.Created);
        Assert.Equal(results[0].Run.RunId, afterCompletion.Run.RunId);
    }

    [Fact]
    public async Task EnsureRun_TypeNoServiceHandles_IsFailedPrecondition_AndWritesNothing()
    {
        // operations_report.generate is the catalogue's one type no service handles yet.
        const string type = "operations_report.generate";
        var (workspaceId, _) = await service.CreateWorkspaceWithTenantAsync(Owner);
        var request = new EnsureRunRequest { WorkspaceId = workspaceId, Type = type };

        var asOwner = await FailsWith(StatusCode.FailedPrecondition, () => service.Runs(UserToken(Owner)).EnsureRunAsync(request).ResponseAsync);
        var asService = await FailsWith(StatusCode.FailedPrecondition, () => service.Runs(ServiceToken()).EnsureRunAsync(request).ResponseAsync);

        Assert.Contains($"run type '{type}' is not available in this deployment: no service handles it yet",
            asOwner.Status.Detail, StringComparison.OrdinalIgnoreCase);
        Assert.Equal(asOwner.Status.Detail, asService.Status.Detail);
        var workspace = ("w", (object)Guid.Parse(workspaceId));
        Assert.Equal(0, await service.CountAsync("SELECT count(*) FROM runs.operation_runs WHERE workspace_id = @w", workspace));
        Assert.Equal(0, await service.CountAsync("SELECT count(*) FROM runs.run_notifications WHERE workspace_id = @w", workspace));
    }

    [Fact]
    public async Task EnsureRun_RecordsTraceIdOfTheCreatingRequest()
    {
        var (workspaceId, tenantId) = await service.CreateWorkspaceWithTenantAsync(Owner);
        using var caller = new System.Diagnostics.Activity("caller").Start();

        var response = await service.Runs(UserToken(Owner)).EnsureRunAsync(InventorySync(workspaceId, tenantId));

        Assert.Equal(caller.TraceId.ToHexString(), response.Run.TraceId);
    }
}
