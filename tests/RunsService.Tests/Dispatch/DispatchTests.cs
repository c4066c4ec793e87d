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
