using Grpc.Core;
using TenantAtlas.Access.V1;
using TenantAtlas.Runs.V1;
using static TenantAtlas.RunsService.Tests.RunsServiceFixture;

namespace TenantAtlas.RunsService.Tests.Notifications;

public sealed class NotificationTests(RunsServiceFixture service) : IClassFixture<RunsServiceFixture>
{
    private async Task<(string WorkspaceId, string TenantId)> WorkspaceAsync(string owner, params string[] operators)
    {
        var scenario = await service.CreateWorkspaceWithTenantAsync(owner);
        foreach (var subject in operators)
        {
            await service.SetMemberAsync(owner, scenario.WorkspaceId, subject, Role.Operator);
        }
        return scenario;
    }

    private async Task<List<Notification>> InboxAsync(string subject) =>
        [.. (await service.Runs(UserToken(subject)).ListNotificationsAsync(new ListNotificationsRequest())).Notifications];

    [Fact]
    public async Task Initiator_IsNotified_WhenQueued_AndWhenCompleted()
    {
        var (workspaceId, tenantId) = await WorkspaceAsync("notify-owner");
        var run = (await service.Runs(UserToken("notify-owner")).EnsureRunAsync(InventorySync(workspaceId, tenantId))).Run;
        await service.Runs(ServiceToken()).UpdateRunAsync(new UpdateRunRequest
        {
            RunId = run.RunId, Status = RunStatus.Completed, SetCounts = new RunCountsPatch { Succeeded = 2, Failed = 1 },
        });

        var inbox = await InboxAsync("notify-owner");

        Assert.Equal([NotificationKind.RunCompleted, NotificationKind.RunQueued], inbox.Select(n => n.Kind));
        Assert.All(inbox, n => Assert.Equal(run.RunId, n.RunId));
        Assert.Equal(RunOutcome.PartiallySucceeded, inbox[0].Outcome);
        Assert.Equal("inventory.sync completed: partially succeeded", inbox[0].Title);
    }

    [Fact]
    public async Task CallerHandedAnExistingRun_GetsNoNotifications()
    {
        var (workspaceId, tenantId) = await WorkspaceAsync("dedupe-owner", "dedupe-operator");
        var first = await service.Runs(UserToken("dedupe-owner")).EnsureRunAsync(InventorySync(workspaceId, tenantId));
        var reused = await service.Runs(UserToken("dedupe-operator")).EnsureRunAsync(InventorySync(workspaceId, tenantId));
        await service.Runs(ServiceToken()).UpdateRunAsync(new UpdateRunRequest { RunId = first.Run.RunId, Status = RunStatus.Completed });

        Assert.False(reused.Created);
        Assert.Empty(await InboxAsync("dedupe-operator"));
        Assert.Equal(2, (await InboxAsync("dedupe-owner")).Count);
    }

    [Fact]
    public async Task SystemRuns_NotifyNobody()
    {
        var (workspaceId, tenantId) = await WorkspaceAsync("system-owner");
        var scheduled = InventorySync(workspaceId, tenantId);
        scheduled.IdentityPolicy = IdentityPolicy.Once;
        scheduled.IdentityInputs["scheduled_for"] = "2026-11-23T02:00:00Z";
        var run = (await service.Runs(ServiceToken()).EnsureRunAsync(scheduled)).Run;
        await service.Runs(ServiceToken()).UpdateRunAsync(new UpdateRunRequest { RunId = run.RunId, Status = RunStatus.Completed });

        Assert.Equal(0, await service.CountAsync("SELECT count(*) FROM runs.run_notifications WHERE run_id = @r", ("r", Guid.Parse(run.RunId))));
        Assert.Empty(await InboxAsync("system-owner"));
    }

    [Fact]
    public async Task MarkRead_ByIdAndAll_UpdatesUnreadCount_AndIgnoresOtherUsersIds()
    {
        var (workspaceId, tenantId) = await WorkspaceAsync("reader-owner", "other-user");
        var client = service.Runs(UserToken("reader-owner"));
        await client.EnsureRunAsync(InventorySync(workspaceId, tenantId, "a"));
        await client.EnsureRunAsync(InventorySync(workspaceId, tenantId, "b"));
        await service.Runs(UserToken("other-user")).EnsureRunAsync(InventorySync(workspaceId, tenantId, "c"));
        var inbox = await client.ListNotificationsAsync(new ListNotificationsRequest());
        var othersId = (await InboxAsync("other-user"))[0].NotificationId;

        var one = await client.MarkNotificationsReadAsync(new MarkNotificationsReadRequest { NotificationIds = { inbox.Notifications[0].NotificationId, othersId } });
        var unread = await client.ListNotificationsAsync(new ListNotificationsRequest { UnreadOnly = true });
        var rest = await client.MarkNotificationsReadAsync(new MarkNotificationsReadRequest { All = true });

        Assert.Equal(2, inbox.UnreadCount);
        Assert.Equal(1, one.Marked);
        Assert.Equal(1, one.UnreadCount);
        Assert.Single(unread.Notifications);
        Assert.Equal(1, rest.Marked);
        Assert.Equal(0, rest.UnreadCount);
        Assert.Equal(1, (await service.Runs(UserToken("other-user")).ListNotificationsAsync(new ListNotificationsRequest())).UnreadCount);
    }

    [Fact]
    public async Task MarkRead_WithNothingToMark_IsInvalidArgument()
    {
        await FailsWith(StatusCode.InvalidArgument, () => service.Runs(UserToken("nobody")).MarkNotificationsReadAsync(new MarkNotificationsReadRequest()).ResponseAsync);
        await FailsWith(StatusCode.InvalidArgument, () => service.Runs(UserToken("nobody")).MarkNotificationsReadAsync(
            new MarkNotificationsReadRequest { NotificationIds = { "abc" } }).ResponseAsync);
    }

    [Fact]
    public async Task ListNotifications_PagesNewestFirst()
    {
        var (workspaceId, tenantId) = await WorkspaceAsync("paging-owner");
        var client = service.Runs(UserToken("paging-owner"));
        for (var i = 0; i < 5; i++)
        {
            await client.EnsureRunAsync(InventorySync(workspaceId, tenantId, $"scope-{i}"));
        }

        var first = await client.ListNotificationsAsync(new ListNotificationsRequest { PageSize = 3 });
        var second = await client.ListNotificationsAsync(new ListNotificationsRequest { PageSize = 3, PageToken = first.NextPageToken });

        Assert.Equal(3, first.Notifications.Count);
        Assert.Equal(2, second.Notifications.Count);
        Assert.Empty(second.NextPageToken);
        var ids = first.Notifications.Concat(second.Notifications).Select(n => long.Parse(n.NotificationId, System.Globalization.CultureInfo.InvariantCulture)).ToList();
        Assert.Equal(ids.OrderDescending(), ids);
    }
}
