using System.Text.Json;
using Grpc.Core;
using Microsoft.Extensions.DependencyInjection;
using StackExchange.Redis;
using TenantAtlas.Access.V1;
using TenantAtlas.Runs.V1;
using TenantAtlas.RunsService.Watch;
using static TenantAtlas.RunsService.Tests.RunsServiceFixture;
using Role = TenantAtlas.Access.V1.Role;

namespace TenantAtlas.RunsService.Tests.Watch;

/// <summary>A RunsService whose open streams re-check access every half second.</summary>
public sealed class WatchFixture : RunsServiceFixture
{
    public WatchFixture() => Settings["Watch:RecheckInterval"] = "00:00:00.500";
}

/// <summary>WatchRun / WatchRuns: the current run, then every change in order, to many watchers on one subscription.</summary>
public sealed class WatchRunTests(WatchFixture service) : IClassFixture<WatchFixture>
{
    private const string Owner = "watch-owner";
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(20);
    private readonly TenantAtlas.Runs.V1.RunsService.RunsServiceClient worker = service.Runs(ServiceToken());

    private async Task<(string WorkspaceId, string TenantId, Run Run)> NewRunAsync()
    {
        var (workspaceId, tenantId) = await service.CreateWorkspaceWithTenantAsync(Owner);
        var run = (await service.Runs(UserToken(Owner)).EnsureRunAsync(InventorySync(workspaceId, tenantId))).Run;
        return (workspaceId, tenantId, run);
    }

    private Task<UpdateRunResponse> UpdateAsync(string runId, RunStatus status = RunStatus.Unspecified, long processed = 0) =>
        worker.UpdateRunAsync(new UpdateRunRequest
        {
            RunId = runId, Status = status, IncrementCounts = new RunCounts { Processed = processed, Succeeded = processed },
        }).ResponseAsync;

    /// <summary>Everything a stream sends until it ends.</summary>
    private static async Task<List<Run>> ReadToEndAsync(AsyncServerStreamingCall<WatchRunResponse> call)
    {
        using var timeout = new CancellationTokenSource(Patience);
        var runs = new List<Run>();
        await foreach (var message in call.ResponseStream.ReadAllAsync(timeout.Token))
        {
            runs.Add(message.Run);
        }
        return runs;
    }

    [Fact]
    public async Task WatchRun_SendsTheRunAsItIs_ThenEveryChangeInOrder_AndEndsWhenItCompletes()
    {
        var (_, _, run) = await NewRunAsync();
        using var call = service.Runs(UserToken(Owner)).WatchRun(new WatchRunRequest { RunId = run.RunId });
        Assert.True(await call.ResponseStream.MoveNext(CancellationToken.None));
        Assert.Equal(RunStatus.Queued, call.ResponseStream.Current.Run.Status);

        await UpdateAsync(run.RunId, RunStatus.Running);
        await UpdateAsync(run.RunId, processed: 1);
        await UpdateAsync(run.RunId, processed: 1);
        await UpdateAsync(run.RunId, RunStatus.Completed);
        var rest = await ReadToEndAsync(call);

        Assert.Equal([RunStatus.Running, RunStatus.Running, RunStatus.Running, RunStatus.Completed], rest.Select(r => r.Status));
        Assert.Equal([0L, 1L, 2L, 2L], rest.Select(r => r.Counts.Processed));
        Assert.Equal(RunOutcome.Succeeded, rest[^1].Outcome);
        Assert.Equal(StatusCode.OK, call.GetStatus().StatusCode);
    }

    [Fact]
    public async Task WatchingACompletedRun_SendsItOnce_AndEnds()
    {
        var (_, _, run) = await NewRunAsync();
        await UpdateAsync(run.RunId, RunStatus.Completed);

        using var call = service.Runs(UserToken(Owner)).WatchRun(new WatchRunRequest { RunId = run.RunId });
        var sent = await ReadToEndAsync(call);

        Assert.Equal(RunStatus.Completed, Assert.Single(sent).Status);
    }

    // Issue 15's acceptance: 100 watchers of one run each see every transition in order, their streams end at the
    // completion, and the replica holds one subscription for all of them.
    [Fact]
    public async Task HundredWatchers_EachSeeEveryTransitionInOrder_OnOneSubscription_TheirStreamsEndAtCompletion_ThenItIsDropped()
    {
        var (_, _, run) = await NewRunAsync();
        var client = service.Runs(UserToken(Owner));
        var calls = Enumerable.Range(0, 100).Select(_ => client.WatchRun(new WatchRunRequest { RunId = run.RunId })).ToList();
        try
        {
            foreach (var call in calls)
            {
                Assert.True(await call.ResponseStream.MoveNext(CancellationToken.None));
                Assert.Equal(RunStatus.Queued, call.ResponseStream.Current.Run.Status);
            }
            var hub = service.Services.GetRequiredService<RunWatchHub>();
            Assert.True(hub.Watchers >= 100, $"{hub.Watchers} watchers registered");
            await using (var redis = await ConnectionMultiplexer.ConnectAsync(service.Redis.ConnectionString))
            {
                var subscriptions = (RedisResult[])(await redis.GetDatabase().ExecuteAsync("PUBSUB", "NUMSUB", RunChangeFeed.Channel.ToString()))!;
                Assert.Equal(1L, (long)subscriptions[1]);
            }

            await UpdateAsync(run.RunId, RunStatus.Running);
            for (var i = 0; i < 5; i++)
            {
                await UpdateAsync(run.RunId, processed: 1);
            }
            await UpdateAsync(run.RunId, RunStatus.Completed);
            var seen = await Task.WhenAll(calls.Select(ReadToEndAsync));

            Assert.All(seen, runs =>
            {
                Assert.Equal([RunStatus.Running, RunStatus.Completed], runs.Select(r => r.Status).Distinct());
                Assert.Equal(runs.Select(r => r.Counts.Processed).Order(), runs.Select(r => r.Counts.Processed));
                Assert.Equal(RunStatus.Completed, runs[^1].Status);
                Assert.Equal(5, runs[^1].Counts.Processed);
                Assert.Equal(7, runs.Count);
            });
            await Eventually.UntilAsync(() => Task.FromResult(hub.Watchers), n => n == 0, TimeSpan.FromSeconds(5), "every ended stream is unregistered");
            // Nobody watches on this replica any more: it is no longer woken for every change of every run.
            await using (var redis = await ConnectionMultiplexer.ConnectAsync(service.Redis.ConnectionString))
            {
                await Eventually.UntilAsync(
                    async () => (long)((RedisResult[])(await redis.GetDatabase().ExecuteAsync("PUBSUB", "NUMSUB", RunChangeFeed.Channel.ToString()))!)[1],
                    n => n == 0, TimeSpan.FromSeconds(5), "the replica drops its subscription after its last watcher");
            }
            Assert.False(hub.Subscribed);
        }
        finally
        {
            calls.ForEach(c => c.Dispose());
        }
    }

    [Fact]
    public async Task BadInput_AndAccess_AreAnsweredAsGetRunAnswers()
    {
        var (workspaceId, _, run) = await NewRunAsync();
        await service.SetMemberAsync(Owner, workspaceId, "watch-reader", Role.Readonly);

        await AssertRefusedAsync(StatusCode.InvalidArgument, UserToken(Owner), "not-a-uuid");
        await AssertRefusedAsync(StatusCode.NotFound, UserToken(Owner), Guid.NewGuid().ToString());
        await AssertRefusedAsync(StatusCode.NotFound, UserToken("watch-outsider"), run.RunId);
        await AssertRefusedAsync(StatusCode.PermissionDenied, UserToken("watch-reader"), run.RunId);
    }

    private async Task AssertRefusedAsync(StatusCode code, string token, string runId)
    {
        using var call = service.Runs(token).WatchRun(new WatchRunRequest { RunId = runId });
        var e = await Assert.ThrowsAsync<RpcException>(() => call.ResponseStream.MoveNext(CancellationToken.None));
        Assert.Equal(code, e.StatusCode);
    }

    [Fact]
    public async Task AWatcherWhoLosesAccess_IsCutOff_WithTheStatusGetRunWouldGive()
    {
        var (workspaceId, _, run) = await NewRunAsync();
        await service.SetMemberAsync(Owner, workspaceId, "watch-operator", Role.Operator);
        using var call = service.Runs(UserToken("watch-operator")).WatchRun(new WatchRunRequest { RunId = run.RunId });
        Assert.True(await call.ResponseStream.MoveNext(CancellationToken.None));

        await service.SetMemberAsync(Owner, workspaceId, "watch-operator", Role.Readonly);
        using var timeout = new CancellationTokenSource(Patience);
        var e = await Assert.ThrowsAsync<RpcException>(async () =>
        {
            while (await call.ResponseStream.MoveNext(timeout.Token))
            {
            }
        });

        Assert.Equal(StatusCode.PermissionDenied, e.StatusCode);
    }

    [Fact]
    public async Task WatchRuns_SendsTheWorkspacesChanges_OfRunsTheCallerMayView_Only()
    {
        var (workspaceId, tenantId) = await service.CreateWorkspaceWithTenantAsync(Owner);
        var otherTenant = await service.RegisterTenantAsync(Owner, workspaceId, "Fabrikam");
        await service.SetMemberAsync(Owner, workspaceId, "watch-fabrikam", Role.Operator, otherTenant);
        using var call = service.Runs(UserToken("watch-fabrikam")).WatchRuns(new WatchRunsRequest { WorkspaceId = workspaceId });
        var sent = new List<Run>();
        var reading = Task.Run(async () =>
        {
            using var timeout = new CancellationTokenSource(Patience);
            while (await call.ResponseStream.MoveNext(timeout.Token))
            {
                lock (sent)
                {
                    sent.Add(call.ResponseStream.Current.Run);
                }
            }
        });
        // The stream is registered once the first change reaches it; start runs until it does.
        var hidden = (await service.Runs(UserToken(Owner)).EnsureRunAsync(InventorySync(workspaceId, tenantId))).Run;
        Run? visible = null;
        await Eventually.UntilAsync(async () =>
        {
            visible = (await service.Runs(UserToken(Owner)).EnsureRunAsync(InventorySync(workspaceId, otherTenant, scope: Guid.NewGuid().ToString()))).Run;
            lock (sent)
            {
                return sent.Count;
            }
        }, count => count > 0, Patience, "the watcher sees a run of its tenant");
        await UpdateAsync(hidden.RunId, RunStatus.Running);
        await UpdateAsync(visible!.RunId, RunStatus.Running);
        await Eventually.UntilAsync(() =>
        {
            lock (sent)
            {
                return Task.FromResult(sent.Any(r => r.RunId == visible.RunId && r.Status == RunStatus.Running));
            }
        }, seen => seen, Patience, "the watcher sees its run start");

        lock (sent)
        {
            Assert.All(sent, r => Assert.Equal(otherTenant, r.TenantId));
        }
        call.Dispose();
        await Assert.ThrowsAnyAsync<Exception>(() => reading);
    }

    [Fact]
    public async Task OverHttp_WatchIsNewlineDelimitedJson_EndingWithTheCompletedRun()
    {
        var (_, _, run) = await NewRunAsync();
        using var http = service.Http(UserToken(Owner));
        using var response = await http.GetAsync($"/v1/runs/{run.RunId}:watch", HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal(System.Net.HttpStatusCode.OK, response.StatusCode);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync());

        var first = await reader.ReadLineAsync();
        await UpdateAsync(run.RunId, RunStatus.Running);
        await UpdateAsync(run.RunId, RunStatus.Completed);
        var lines = new List<string>();
        while (await reader.ReadLineAsync() is { } line)
        {
            if (line.Length > 0)
            {
                lines.Add(line);
            }
        }

        Assert.Equal("RUN_STATUS_QUEUED", JsonDocument.Parse(first!).RootElement.GetProperty("run").GetProperty("status").GetString());
        Assert.Equal(["RUN_STATUS_RUNNING", "RUN_STATUS_COMPLETED"],
            lines.Select(l => JsonDocument.Parse(l).RootElement.GetProperty("run").GetProperty("status").GetString()));
    }
}
