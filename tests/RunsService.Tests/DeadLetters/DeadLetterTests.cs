using System.Globalization;
using Grpc.Core;
using StackExchange.Redis;
using TenantAtlas.Contracts;
using TenantAtlas.Runs.V1;
using static TenantAtlas.RunsService.Tests.RunsServiceFixture;

namespace TenantAtlas.RunsService.Tests.DeadLetters;

/// <summary>The platform administrators' dead-letter RPCs, on real Redis, with entries as the worker host writes them.</summary>
public sealed class DeadLetterTests(RunsServiceFixture service) : IClassFixture<RunsServiceFixture>, IAsyncLifetime
{
    private const string Owner = "dead-owner";
    private static readonly string DeadStream = RunJobs.DeadLetterStreamOf("inventory");
    private readonly DeadLetterService.DeadLetterServiceClient admin = new(service.Channel(UserToken(PlatformAdmin)));
    private ConnectionMultiplexer redis = null!;

    public async Task InitializeAsync()
    {
        redis = await ConnectionMultiplexer.ConnectAsync(service.Redis.ConnectionString);
        await redis.GetDatabase().KeyDeleteAsync(DeadStream);
    }

    public async Task DisposeAsync() => await redis.DisposeAsync();

    private async Task<Run> NewRunAsync()
    {
        var (workspaceId, tenantId) = await service.CreateWorkspaceWithTenantAsync(Owner);
        return (await service.Runs(UserToken(Owner)).EnsureRunAsync(InventorySync(workspaceId, tenantId, Guid.NewGuid().ToString()))).Run;
    }

    /// <summary>What RunJobProcessor writes when it gives an entry up: the job's fields, then why, where from, which delivery, when.</summary>
    private async Task<string> DeadLetterAsync(Run run, string reason = "3 deliveries without completion", long delivery = 4)
    {
        var id = await redis.GetDatabase().StreamAddAsync(DeadStream,
        [
            new NameValueEntry(RunJobs.RunIdField, run.RunId),
            new NameValueEntry(RunJobs.TypeField, run.Type),
            new NameValueEntry(RunJobs.WorkspaceIdField, run.WorkspaceId),
            new NameValueEntry(RunJobs.TenantIdField, run.TenantId),
            new NameValueEntry(RunJobs.CreatedAtField, DateTime.UtcNow.ToString("O", CultureInfo.InvariantCulture)),
            new NameValueEntry(RunJobs.ReasonField, reason),
            new NameValueEntry(RunJobs.OriginalIdField, "1-0"),
            new NameValueEntry(RunJobs.DeliveryCountField, delivery),
            new NameValueEntry(RunJobs.DeadLetteredAtField, DateTime.UtcNow.ToString("O", CultureInfo.InvariantCulture)),
        ]);
        return id.ToString();
    }

    [Fact]
    public async Task List_ShowsEachEntry_WithItsRunReasonAndDelivery_NewestFirst_InPages()
    {
        var older = await NewRunAsync();
        var newer = await NewRunAsync();
        await DeadLetterAsync(older, "no handler for inventory.sync", 1);
        var newest = await DeadLetterAsync(newer);

        var first = await admin.ListDeadLettersAsync(new ListDeadLettersRequest { Service = "inventory", PageSize = 1 });
        var second = await admin.ListDeadLettersAsync(new ListDeadLettersRequest { Service = "inventory", PageSize = 1, PageToken = first.NextPageToken });

        Assert.Equal(2, first.Total);
        var top = Assert.Single(first.DeadLetters);
        Assert.Equal((newest, newer.RunId, "inventory.sync", 4L), (top.EntryId, top.RunId, top.RunType, top.DeliveryCount));
        Assert.Equal("3 deliveries without completion", top.Reason);
        Assert.Equal(RunStatus.Queued, top.Run.Status);
        Assert.NotNull(top.DeadLetteredAt);
        Assert.Equal(older.RunId, Assert.Single(second.DeadLetters).RunId);
        Assert.Equal(string.Empty, second.NextPageToken);
    }

    [Fact]
    public async Task Requeue_OfAnActiveRun_PutsANewDeliveryOnTheStream_AndRemovesTheEntry()
    {
        var run = await NewRunAsync();
        var entry = await DeadLetterAsync(run);

        var requeued = await admin.RequeueDeadLetterAsync(new RequeueDeadLetterRequest { Service = "inventory", EntryId = entry });

        Assert.Equal(run.RunId, requeued.Run.RunId);
        var added = Assert.Single(await redis.GetDatabase().StreamRangeAsync(RunJobs.StreamOf("inventory"), requeued.StreamEntryId, requeued.StreamEntryId));
        Assert.Equal(run.RunId, added[RunJobs.RunIdField].ToString());
        Assert.Equal("inventory.sync", added[RunJobs.TypeField].ToString());
        Assert.DoesNotContain(added.Values, v => RunJobs.DeadLetterFields.Contains(v.Name.ToString()));
        Assert.Empty(await redis.GetDatabase().StreamRangeAsync(DeadStream, entry, entry));
        await RpcAssert.FailsWith(StatusCode.NotFound, () => admin.RequeueDeadLetterAsync(new RequeueDeadLetterRequest { Service = "inventory", EntryId = entry }).ResponseAsync);
    }

    [Fact]
    public async Task Requeue_OfACompletedRun_IsFailedPrecondition_AndDiscardRemovesTheEntry()
    {
        var run = await NewRunAsync();
        await service.Runs(ServiceToken()).UpdateRunAsync(new UpdateRunRequest { RunId = run.RunId, Status = RunStatus.Completed, Outcome = RunOutcome.Failed });
        var entry = await DeadLetterAsync(run);

        var e = await RpcAssert.FailsWith(StatusCode.FailedPrecondition,
            () => admin.RequeueDeadLetterAsync(new RequeueDeadLetterRequest { Service = "inventory", EntryId = entry }).ResponseAsync);
        await admin.DiscardDeadLetterAsync(new DiscardDeadLetterRequest { Service = "inventory", EntryId = entry });

        Assert.Contains("completed", e.Status.Detail, StringComparison.Ordinal);
        Assert.Contains("DiscardDeadLetter", e.Status.Detail, StringComparison.Ordinal);
        Assert.Empty(await redis.GetDatabase().StreamRangeAsync(DeadStream, entry, entry));
        await RpcAssert.FailsWith(StatusCode.NotFound, () => admin.DiscardDeadLetterAsync(new DiscardDeadLetterRequest { Service = "inventory", EntryId = entry }).ResponseAsync);
    }

    [Fact]
    public async Task BadInput_IsInvalidArgument_AndAnyoneButAPlatformAdmin_IsPermissionDenied()
    {
        var run = await NewRunAsync();
        var entry = await DeadLetterAsync(run);

        var unknownService = await RpcAssert.FailsWith(StatusCode.InvalidArgument,
            () => admin.ListDeadLettersAsync(new ListDeadLettersRequest { Service = "payroll" }).ResponseAsync);
        await RpcAssert.FailsWith(StatusCode.InvalidArgument,
            () => admin.RequeueDeadLetterAsync(new RequeueDeadLetterRequest { Service = "inventory", EntryId = "not-an-id" }).ResponseAsync);
        await RpcAssert.FailsWith(StatusCode.InvalidArgument,
            () => admin.ListDeadLettersAsync(new ListDeadLettersRequest { Service = "inventory", PageToken = "x" }).ResponseAsync);
        foreach (var token in new[] { UserToken(Owner), ServiceToken() })
        {
            var other = new DeadLetterService.DeadLetterServiceClient(service.Channel(token));
            await RpcAssert.FailsWith(StatusCode.PermissionDenied, () => other.ListDeadLettersAsync(new ListDeadLettersRequest { Service = "inventory" }).ResponseAsync);
            await RpcAssert.FailsWith(StatusCode.PermissionDenied,
                () => other.RequeueDeadLetterAsync(new RequeueDeadLetterRequest { Service = "inventory", EntryId = entry }).ResponseAsync);
        }

        Assert.Contains("inventory", unknownService.Status.Detail, StringComparison.Ordinal);
        Assert.Single(await redis.GetDatabase().StreamRangeAsync(DeadStream, entry, entry));
    }

    [Fact]
    public async Task Health_IsDegraded_WhileADeadLetterWaits()
    {
        using var http = service.Http(null);
        Assert.Equal("Healthy", await http.GetStringAsync("/health"));

        var entry = await DeadLetterAsync(await NewRunAsync());
        var degraded = await http.GetStringAsync("/health");
        await admin.DiscardDeadLetterAsync(new DiscardDeadLetterRequest { Service = "inventory", EntryId = entry });

        Assert.Equal("Degraded", degraded);
        Assert.Equal("Healthy", await http.GetStringAsync("/health"));
    }
}
