using Grpc.Core;
using Microsoft.Extensions.DependencyInjection;
using StackExchange.Redis;
using TenantAtlas.Contracts;
using TenantAtlas.Runs.V1;
using static TenantAtlas.RunsService.Tests.RunsServiceFixture;

namespace TenantAtlas.RunsService.Tests.Dispatch;

/// <summary>A short dispatch deadline and lost-job check, so the "Redis is down" and "Redis lost its data" paths finish quickly.</summary>
public sealed class ShortDeadlineFixture : RunsServiceFixture
{
    public ShortDeadlineFixture()
    {
        Settings["Dispatch:Deadline"] = "00:00:02";
        Settings["Dispatch:ImmediateGrace"] = "00:00:00.5";
        Settings["Dispatch:RepublishAfter"] = "00:00:01";
        Settings["Dispatch:LostJobCheckInterval"] = "00:00:00.5";
    }
}

public sealed class DispatchTests(ShortDeadlineFixture service) : IClassFixture<ShortDeadlineFixture>
{
    private const string Owner = "dispatch-owner";
    private static readonly string InventoryStream = RunJobs.StreamOf("inventory");

    private async Task<StreamEntry[]> EntriesForAsync(string runId)
    {
        await using var redis = await ConnectionMultiplexer.ConnectAsync(service.Redis.ConnectionString);
        var entries = await redis.GetDatabase().StreamRangeAsync(InventoryStream);
        return [.. entries.Where(e => e[RunJobs.RunIdField] == runId)];
    }

    [Fact]
    public async Task PublishingAJobAgain_AddsNoSecondEntry_AsWhenAStalledRedisRunsEveryQueuedRetry()
    {
        var publisher = service.Services.GetRequiredService<TenantAtlas.RunsService.Dispatch.JobPublisher>();
        var job = new TenantAtlas.RunsService.Dispatch.OutboxJob(0, Guid.NewGuid(), InventoryStream, null, 0, "inventory.sync",
            Guid.NewGuid(), Guid.NewGuid(), DateTime.UtcNow);

        // Four copies at once (a batch and its retries landing together), then one more later.
        var results = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => publisher.PublishAsync([job], CancellationToken.None)));
        var later = await publisher.PublishAsync([job], CancellationToken.None);

        Assert.All(results.Append(later).SelectMany(r => r), r => Assert.Null(r.Error));
        Assert.Single(await EntriesForAsync(job.RunId.ToString()));
    }

    [Fact]
    public async Task NewRun_IsPublishedOnce_ToItsServiceStream_WithItsTraceParent_ReusedRunPublishesNothing()
    {
        var (workspaceId, tenantId) = await service.CreateWorkspaceWithTenantAsync(Owner);
        using var caller = new System.Diagnostics.Activity("caller").Start();
        var first = await service.Runs(UserToken(Owner)).EnsureRunAsync(InventorySync(workspaceId, tenantId));
        var reused = await service.Runs(UserToken(Owner)).EnsureRunAsync(InventorySync(workspaceId, tenantId));

        // The relay deletes a job's outbox row once it is in the stream: after that nothing can publish it again.
        await Eventually.UntilAsync(() => service.CountAsync("SELECT count(*) FROM runs.run_dispatch_outbox WHERE run_id = @r", ("r", Guid.Parse(first.Run.RunId))),
            n => n == 0, TimeSpan.FromSeconds(5), "the relay publishes the run's job and deletes its outbox row");
        var entries = await EntriesForAsync(first.Run.RunId);

        Assert.False(reused.Created);
        var entry = Assert.Single(entries);
        Assert.Equal("inventory.sync", entry[RunJobs.TypeField]);
        Assert.Equal(tenantId, entry[RunJobs.TenantIdField]);
        Assert.Contains(caller.TraceId.ToHexString(), entry[RunJobs.TraceParentField].ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task SeveralReplicas_RelayTogether_WithoutPublishingAJobTwice()
    {
        var (workspaceId, tenantId) = await service.CreateWorkspaceWithTenantAsync(Owner);
        service.StartReplica();
        service.StartReplica();
        var client = service.Runs(UserToken(Owner));

        var runs = await Task.WhenAll(Enumerable.Range(0, 150).Select(i =>
            client.EnsureRunAsync(InventorySync(workspaceId, tenantId, $"replica-{i}")).ResponseAsync));
        var runIds = runs.Select(r => r.Run.RunId).ToHashSet();
        await Eventually.UntilAsync(() => service.CountAsync("SELECT count(*) FROM runs.run_dispatch_outbox"), n => n == 0, TimeSpan.FromSeconds(10),
            "the replicas relay every job");
        await using var redis = await ConnectionMultiplexer.ConnectAsync(service.Redis.ConnectionString);
        var published = (await redis.GetDatabase().StreamRangeAsync(InventoryStream))
            .Select(e => (string)e[RunJobs.RunIdField]!).Where(runIds.Contains).ToList();

        Assert.Equal(150, published.Count);
        Assert.Equal(150, published.Distinct().Count());
    }

    [Fact]
    public async Task RedisDown_RunFailsWithDispatchFailed_WithinTheDeadline_AndInitiatorIsNotified_ThenDispatchRecovers()
    {
        var (workspaceId, tenantId) = await service.CreateWorkspaceWithTenantAsync("down-owner");
        var client = service.Runs(UserToken("down-owner"));
        await service.Redis.StopAsync();
        Run failed;
        try
        {
            var started = DateTime.UtcNow;
            var run = (await client.EnsureRunAsync(InventorySync(workspaceId, tenantId, "while-down"))).Run;
            failed = await Eventually.UntilAsync(
                async () => (await client.GetRunAsync(new GetRunRequest { RunId = run.RunId })).Run,
                r => r.Status == RunStatus.Completed, TimeSpan.FromSeconds(10), "the undispatchable run completes");

            Assert.Equal(RunOutcome.Failed, failed.Outcome);
            Assert.Equal("queue.dispatch_failed", Assert.Single(failed.Failures).Code);
            Assert.True(DateTime.UtcNow - started < TimeSpan.FromSeconds(8), "failed within the 2 s deadline plus a poll");
        }
        finally
        {
            await service.Redis.RestartAsync();
        }
        var inbox = await client.ListNotificationsAsync(new ListNotificationsRequest());
        Assert.Contains(inbox.Notifications, n => n.RunId == failed.RunId && n.Kind == NotificationKind.RunCompleted && n.Outcome == RunOutcome.Failed);

        // Once RunsService is connected to Redis again (its health says so), new runs dispatch as usual.
        await Eventually.UntilAsync(async () => await service.Http(null).GetStringAsync("/health"), h => h == "Healthy", TimeSpan.FromSeconds(15),
            "RunsService is healthy again after Redis restarted");
        var after = (await client.EnsureRunAsync(InventorySync(workspaceId, tenantId, "after-restart"))).Run;
        var entries = await Eventually.UntilAsync(() => EntriesForAsync(after.RunId), e => e.Length > 0, TimeSpan.FromSeconds(10),
            "the new run's job is published");
        Assert.Single(entries);
    }

    [Fact]
    public async Task RedisLosesItsData_AnUnfinishedRunsJobIsPublishedAgain_ARunAWorkerHoldsIsLeftAlone()
    {
        var (workspaceId, tenantId) = await service.CreateWorkspaceWithTenantAsync(Owner);
        var client = service.Runs(UserToken(Owner));
        var queued = (await client.EnsureRunAsync(InventorySync(workspaceId, tenantId, "lost-queued"))).Run;
        var held = (await client.EnsureRunAsync(InventorySync(workspaceId, tenantId, "lost-held"))).Run;
        await Eventually.UntilAsync(() => service.CountAsync("SELECT count(*) FROM runs.run_dispatch_outbox WHERE run_id = ANY(@r)",
            ("r", new[] { Guid.Parse(queued.RunId), Guid.Parse(held.RunId) })), n => n == 0, TimeSpan.FromSeconds(5), "both jobs are published");

        // Redis restarts without its data: streams, published markers and leases are gone.
        await using var redis = await ConnectionMultiplexer.ConnectAsync(service.Redis.ConnectionString + ",allowAdmin=true");
        await redis.GetDatabase().ExecuteAsync("FLUSHALL");
        // A live worker's heartbeat takes its lease back: that run is being worked on and must not get a second job.
        await redis.GetDatabase().StringSetAsync(RunJobs.LeaseOf(InventoryStream, held.RunId), "inventory-worker-1", TimeSpan.FromMinutes(1));

        var entries = await Eventually.UntilAsync(() => EntriesForAsync(queued.RunId), e => e.Length > 0, TimeSpan.FromSeconds(10),
            "the lost job of the queued run is published again");
        await Task.Delay(TimeSpan.FromSeconds(2));

        Assert.Single(await EntriesForAsync(queued.RunId));
        Assert.Empty(await EntriesForAsync(held.RunId));
    }
}

/// <summary>
/// hold_dispatch and ReleaseRun: a run that exists before anyone may do it (a restore's execution from its preview on,
/// seed 054) is queued without a job until a person confirms, however long that takes.
/// </summary>
public sealed class HeldDispatchTests(ShortDeadlineFixture service) : IClassFixture<ShortDeadlineFixture>
{
    private const string Owner = "held-owner";
    private static readonly string InventoryStream = RunJobs.StreamOf("inventory");

    private async Task<int> EntriesForAsync(string runId)
    {
        await using var redis = await ConnectionMultiplexer.ConnectAsync(service.Redis.ConnectionString);
        return (await redis.GetDatabase().StreamRangeAsync(InventoryStream)).Count(e => e[RunJobs.RunIdField] == runId);
    }

    private static EnsureRunRequest Held(string workspaceId, string tenantId, string scope)
    {
        var request = InventorySync(workspaceId, tenantId, scope);
        request.HoldDispatch = true;
        return request;
    }

    [Fact]
    public async Task HeldRun_HasNoJob_PastTheDispatchDeadlineAndTheLostJobCheck_UntilReleased_ThenExactlyOne()
    {
        var (workspaceId, tenantId) = await service.CreateWorkspaceWithTenantAsync(Owner);
        var client = service.Runs(UserToken(Owner));
        var created = await client.EnsureRunAsync(Held(workspaceId, tenantId, "held-1"));
        var again = await client.EnsureRunAsync(InventorySync(workspaceId, tenantId, "held-1"));

        Assert.True(created.Created);
        Assert.True(created.Run.DispatchHeld);
        Assert.Equal(RunStatus.Queued, created.Run.Status);
        // The same identity is the same run, still held: hold_dispatch is not part of the identity.
        Assert.False(again.Created);
        Assert.Equal(created.Run.RunId, again.Run.RunId);
        Assert.True(again.Run.DispatchHeld);

        // Longer than the 2 s dispatch deadline and several 0.5 s lost-job checks: nothing publishes it, nothing fails it.
        await Task.Delay(TimeSpan.FromSeconds(4));
        var waiting = (await client.GetRunAsync(new GetRunRequest { RunId = created.Run.RunId })).Run;
        Assert.Equal(RunStatus.Queued, waiting.Status);
        Assert.True(waiting.DispatchHeld);
        Assert.Equal(0, await EntriesForAsync(created.Run.RunId));
        Assert.Equal(0, await service.CountAsync("SELECT count(*) FROM runs.run_dispatch_outbox WHERE run_id = @r", ("r", Guid.Parse(created.Run.RunId))));

        var released = await client.ReleaseRunAsync(new ReleaseRunRequest { RunId = created.Run.RunId });
        var releasedAgain = await client.ReleaseRunAsync(new ReleaseRunRequest { RunId = created.Run.RunId });

        Assert.True(released.Released);
        Assert.False(released.Run.DispatchHeld);
        Assert.False(releasedAgain.Released);
        await Eventually.UntilAsync(() => EntriesForAsync(created.Run.RunId), n => n == 1, TimeSpan.FromSeconds(5), "the released run's job is published");
        await Task.Delay(TimeSpan.FromSeconds(1));
        Assert.Equal(1, await EntriesForAsync(created.Run.RunId));
    }

    [Fact]
    public async Task HeldRun_CannotBeStartedByAWorker_CanBeCompleted_AndACompletedRunIsNotReleased()
    {
        var (workspaceId, tenantId) = await service.CreateWorkspaceWithTenantAsync(Owner);
        var client = service.Runs(UserToken(Owner));
        var worker = service.Runs(ServiceToken());
        var run = (await client.EnsureRunAsync(Held(workspaceId, tenantId, "held-2"))).Run;

        var running = await FailsWith(StatusCode.FailedPrecondition, () =>
            worker.UpdateRunAsync(new UpdateRunRequest { RunId = run.RunId, Status = RunStatus.Running }).ResponseAsync);
        Assert.Contains("ReleaseRun", running.Status.Detail, StringComparison.Ordinal);

        // The owning service cancels what was never confirmed: completed, no longer held.
        var cancelled = (await worker.UpdateRunAsync(new UpdateRunRequest { RunId = run.RunId, Status = RunStatus.Completed, Outcome = RunOutcome.Cancelled })).Run;
        Assert.Equal(RunOutcome.Cancelled, cancelled.Outcome);
        Assert.False(cancelled.DispatchHeld);

        var refused = await FailsWith(StatusCode.FailedPrecondition, () => client.ReleaseRunAsync(new ReleaseRunRequest { RunId = run.RunId }).ResponseAsync);
        Assert.Contains("completed", refused.Status.Detail, StringComparison.Ordinal);
        Assert.Equal(0, await EntriesForAsync(run.RunId));
    }

    [Fact]
    public async Task Release_NeedsWhatStartingNeeds_AnOutsiderGetsNotFound_AndBadInputIsInvalidArgument()
    {
        var (workspaceId, tenantId) = await service.CreateWorkspaceWithTenantAsync(Owner);
        var run = (await service.Runs(UserToken(Owner)).EnsureRunAsync(Held(workspaceId, tenantId, "held-3"))).Run;
        await service.SetMemberAsync(Owner, workspaceId, "held-reader", TenantAtlas.Access.V1.Role.Readonly);

        await FailsWith(StatusCode.InvalidArgument, () => service.Runs(UserToken(Owner)).ReleaseRunAsync(new ReleaseRunRequest { RunId = "nope" }).ResponseAsync);
        await FailsWith(StatusCode.NotFound, () => service.Runs(UserToken(Owner)).ReleaseRunAsync(new ReleaseRunRequest { RunId = Guid.NewGuid().ToString() }).ResponseAsync);
        await FailsWith(StatusCode.NotFound, () => service.Runs(UserToken("held-outsider")).ReleaseRunAsync(new ReleaseRunRequest { RunId = run.RunId }).ResponseAsync);
        // A Readonly member lacks the type's capability (tenant.inventory_sync.run), to view as to start it.
        var reader = await FailsWith(StatusCode.PermissionDenied, () => service.Runs(UserToken("held-reader")).ReleaseRunAsync(new ReleaseRunRequest { RunId = run.RunId }).ResponseAsync);
        Assert.Contains("tenant.inventory_sync.run", reader.Status.Detail, StringComparison.Ordinal);

        var stillHeld = (await service.Runs(UserToken(Owner)).GetRunAsync(new GetRunRequest { RunId = run.RunId })).Run;
        Assert.True(stillHeld.DispatchHeld);
        Assert.Equal(0, await EntriesForAsync(run.RunId));
    }
}
