using Npgsql;
using StackExchange.Redis;
using TenantAtlas.Contracts;
using TenantAtlas.RunsService.Persistence;
using static TenantAtlas.RunsService.Tests.RunsServiceFixture;

namespace TenantAtlas.RunsService.Tests.Dispatch;

/// <summary>
/// A relay that leaves new outbox rows alone for 10 s: whatever reaches the stream sooner was published by
/// ImmediateDispatch right after EnsureRun's commit. Publishes time out after half a second, so a publish to a stopped
/// Redis fails quickly.
/// </summary>
public sealed class LongGraceFixture : RunsServiceFixture
{
    public static readonly TimeSpan Grace = TimeSpan.FromSeconds(10);

    public LongGraceFixture()
    {
        Settings["Dispatch:ImmediateGrace"] = Grace.ToString();
        Settings["Dispatch:PublishTimeout"] = "00:00:00.5";
    }
}

public sealed class ImmediateDispatchTests(LongGraceFixture service) : IClassFixture<LongGraceFixture>
{
    private const string Owner = "immediate-owner";
    private static readonly string InventoryStream = RunJobs.StreamOf("inventory");

    private async Task<StreamEntry[]> EntriesForAsync(string runId)
    {
        await using var redis = await ConnectionMultiplexer.ConnectAsync(service.Redis.ConnectionString);
        var entries = await redis.GetDatabase().StreamRangeAsync(InventoryStream);
        return [.. entries.Where(e => e[RunJobs.RunIdField] == runId)];
    }

    private Task<long> OutboxRowsAsync(string runId) =>
        service.CountAsync("SELECT count(*) FROM runs.run_dispatch_outbox WHERE run_id = @r", ("r", Guid.Parse(runId)));

    [Fact]
    public async Task NewRun_IsInItsStream_WellBeforeTheRelayMayClaimIt_AndItsOutboxRowIsDeleted()
    {
        var (workspaceId, tenantId) = await service.CreateWorkspaceWithTenantAsync(Owner);
        var started = DateTime.UtcNow;

        var run = (await service.Runs(UserToken(Owner)).EnsureRunAsync(InventorySync(workspaceId, tenantId, "immediate"))).Run;

        var entries = await Eventually.UntilAsync(() => EntriesForAsync(run.RunId), e => e.Length > 0, LongGraceFixture.Grace / 2,
            "the job is published right after the commit, not by the relay after its grace");
        await Eventually.UntilAsync(() => OutboxRowsAsync(run.RunId), n => n == 0, LongGraceFixture.Grace / 2,
            "the relay deletes the published job's outbox row");
        Assert.True(DateTime.UtcNow - started < LongGraceFixture.Grace, "both happened before the relay could have claimed the row");
        Assert.Single(entries);
    }

    [Fact]
    public async Task ImmediatePublishFails_RedisComesBack_TheRelayPublishesTheJobAfterTheGrace_ExactlyOnce()
    {
        var (workspaceId, tenantId) = await service.CreateWorkspaceWithTenantAsync(Owner);
        var client = service.Runs(UserToken(Owner));
        await service.Redis.StopAsync();
        string runId;
        try
        {
            runId = (await client.EnsureRunAsync(InventorySync(workspaceId, tenantId, "redis-away"))).Run.RunId;
            // The immediate publish times out (0.5 s); the outbox row is kept for the relay.
            await Task.Delay(TimeSpan.FromSeconds(1.5));
            Assert.Equal(1, await OutboxRowsAsync(runId));
        }
        finally
        {
            await service.Redis.RestartAsync();
        }

        var entries = await Eventually.UntilAsync(() => EntriesForAsync(runId), e => e.Length > 0, LongGraceFixture.Grace * 2,
            "the relay publishes the job once its grace has passed");
        await Eventually.UntilAsync(() => OutboxRowsAsync(runId), n => n == 0, TimeSpan.FromSeconds(5), "and deletes its outbox row");
        Assert.Single(entries);
    }

    [Fact]
    public async Task RelaxedCommit_AppliesToItsOwnTransactionOnly()
    {
        // The test server runs with synchronous_commit off; this connection asks for production's "on".
        await using var data = NpgsqlDataSource.Create(service.ConnectionString + ";Maximum Pool Size=1;Options=-c synchronous_commit=on");
        // The premise of RelaxedCommit: the batch is one implicit transaction, so the setting is in force for its last
        // command (and its commit) and gone for the next statement on the same pooled connection.
        await using (var batch = RelaxedCommit.Batch(data, new NpgsqlBatchCommand("SHOW synchronous_commit")))
        {
            await using var reader = await RelaxedCommit.ExecuteReaderAsync(batch, CancellationToken.None);
            Assert.True(await reader.ReadAsync());
            Assert.Equal("off", reader.GetString(0));
        }
        await using var after = data.CreateCommand("SHOW synchronous_commit");
        Assert.Equal("on", (string?)await after.ExecuteScalarAsync());
    }
}
