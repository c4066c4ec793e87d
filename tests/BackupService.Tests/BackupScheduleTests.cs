extern alias backup;
extern alias runs;

using Grpc.Core;
using Microsoft.Extensions.DependencyInjection;
using TenantAtlas.Backup.V1;
using TenantAtlas.Inventory.V1;
using TenantAtlas.Runs.V1;
using BackupScheduler = backup::TenantAtlas.BackupService.Schedules.BackupScheduler;
using RunRetentionPurge = runs::TenantAtlas.RunsService.Retention.RunRetentionPurge;
using static TenantAtlas.Testing.Suite.DomainSuiteFixture;

namespace TenantAtlas.BackupService.Tests;

/// <summary>
/// Backup schedules: definitions validated in full, and the scheduler's promise — one run per (schedule, slot) however
/// many replicas fire it, after a restart mid-fire and after the run completed; after downtime only the latest slot.
/// </summary>
public sealed class BackupScheduleTests(BackupSuiteFixture suite) : IClassFixture<BackupSuiteFixture>
{
    [Fact]
    public async Task InvalidDefinitions_NameEachField_AndCreateNothing()
    {
        var (_, tenantId, _, _) = await suite.CreateTenantAsync("schedule-bad-owner", deviceConfigurations: 1, compliancePolicies: 0);
        var api = suite.BackupApi(UserToken("schedule-bad-owner"));

        var error = await FailsWith(StatusCode.InvalidArgument, () => api.CreateBackupScheduleAsync(new CreateBackupScheduleRequest
        {
            TenantId = tenantId,
            Definition = new BackupScheduleDefinition
            {
                DisplayName = "Nightly", CronExpression = "0 25 * * *", TimeZone = "Mars/Olympus_Mons",
                Selection = new PolicySelection(), Retention = new Retention { KeepLast = 0, KeepDays = -1 }, Enabled = true,
            },
        }).ResponseAsync);

        foreach (var field in new[] { "definition.cron_expression", "definition.time_zone", "definition.selection", "definition.retention.keep_last", "definition.retention.keep_days" })
        {
            Assert.Contains(field, error.Status.Detail);
        }
        Assert.Empty((await api.ListBackupSchedulesAsync(new ListBackupSchedulesRequest { TenantId = tenantId })).Schedules);
    }

    [Fact]
    public async Task Schedule_ShowsItsNextFiveFireTimes_InItsZone_AndNoneWhileDisabled()
    {
        var (_, tenantId, _, _) = await suite.CreateTenantAsync("schedule-times-owner", deviceConfigurations: 1, compliancePolicies: 0);
        var api = suite.BackupApi(UserToken("schedule-times-owner"));

        var schedule = (await api.CreateBackupScheduleAsync(new CreateBackupScheduleRequest { TenantId = tenantId, Definition = Nightly("America/New_York") })).Schedule;
        var disabled = (await api.UpdateBackupScheduleAsync(new UpdateBackupScheduleRequest
        {
            ScheduleId = schedule.ScheduleId, Definition = Nightly("America/New_York", enabled: false),
        })).Schedule;

        Assert.Equal(5, schedule.NextFireTimes.Count);
        var zone = TimeZoneInfo.FindSystemTimeZoneById("America/New_York");
        Assert.All(schedule.NextFireTimes, t => Assert.Equal(new TimeOnly(2, 0), TimeOnly.FromDateTime(TimeZoneInfo.ConvertTimeFromUtc(t.ToDateTime(), zone))));
        Assert.Empty(disabled.NextFireTimes);
        Assert.False(disabled.Enabled);
    }

    [Fact]
    public async Task DeletedSchedule_IsGone_StopsFiring_AndItsSetsStay()
    {
        var (_, tenantId, _, _) = await suite.CreateTenantAsync("schedule-delete-owner", deviceConfigurations: 1, compliancePolicies: 0);
        var api = suite.BackupApi(UserToken("schedule-delete-owner"));
        var schedule = (await api.CreateBackupScheduleAsync(new CreateBackupScheduleRequest { TenantId = tenantId, Definition = Nightly("UTC") })).Schedule;
        var now = await api.RunBackupScheduleNowAsync(new RunBackupScheduleNowRequest { ScheduleId = schedule.ScheduleId, ClickId = "before-delete" });
        await suite.WaitForCompletionAsync(now.Run.RunId, TimeSpan.FromSeconds(60));

        await api.DeleteBackupScheduleAsync(new DeleteBackupScheduleRequest { ScheduleId = schedule.ScheduleId });
        var gone = await FailsWith(StatusCode.NotFound, () => api.GetBackupScheduleAsync(new GetBackupScheduleRequest { ScheduleId = schedule.ScheduleId }).ResponseAsync);
        var fired = Of(schedule, await suite.Backup.Services.GetRequiredService<BackupScheduler>().FireDueAsync(schedule.NextFireTimes[2].ToDateTime(), default));

        Assert.Contains("does not exist", gone.Status.Detail);
        Assert.Empty(fired);
        Assert.Equal(1, (await api.GetBackupSetAsync(new GetBackupSetRequest { BackupSetId = now.Run.RunId })).BackupSet.ItemCount);
    }

    [Fact]
    public async Task TwoReplicasFiringTheSameSlot_ThenARestartMidFire_ThenAFireAfterCompletion_AllGetTheOneRun()
    {
        var (workspaceId, tenantId, _, _) = await suite.CreateTenantAsync("schedule-once-owner", deviceConfigurations: 2, compliancePolicies: 0);
        var api = suite.BackupApi(UserToken("schedule-once-owner"));
        var schedule = (await api.CreateBackupScheduleAsync(new CreateBackupScheduleRequest { TenantId = tenantId, Definition = Nightly("Europe/Berlin") })).Schedule;
        var slot = schedule.NextFireTimes[0].ToDateTime();
        var replica = suite.StartBackupHost();
        var first = suite.Backup.Services.GetRequiredService<BackupScheduler>();
        var second = replica.Services.GetRequiredService<BackupScheduler>();

        var fired = await Task.WhenAll(first.FireDueAsync(slot.AddSeconds(5), default), second.FireDueAsync(slot.AddSeconds(5), default));
        var run = Assert.Single(Of(schedule, fired[0]));
        Assert.Equal(run.RunId, Assert.Single(Of(schedule, fired[1])).RunId);
        Assert.Equal("backup_schedule.scheduled", run.Type);
        Assert.Equal("System", run.Initiator.Name);

        // A replica that died between EnsureRun and recording the fire: the schedule still looks due for that slot.
        await ResetScheduleAsync(schedule.ScheduleId, slot);
        var again = Assert.Single(Of(schedule, await second.FireDueAsync(slot.AddSeconds(30), default)));
        await suite.WaitForCompletionAsync(run.RunId, TimeSpan.FromSeconds(60));
        await ResetScheduleAsync(schedule.ScheduleId, slot);
        var afterCompletion = Assert.Single(Of(schedule, await first.FireDueAsync(slot.AddMinutes(5), default)));

        Assert.Equal(run.RunId, again.RunId);
        Assert.Equal(run.RunId, afterCompletion.RunId);
        Assert.Single(await ScheduledRunsAsync("schedule-once-owner", workspaceId, tenantId));
        var after = (await api.GetBackupScheduleAsync(new GetBackupScheduleRequest { ScheduleId = schedule.ScheduleId })).Schedule;
        Assert.Equal(slot, after.LastFiredFor.ToDateTime());
        await suite.StopServiceHostAsync(replica);
    }

    [Fact]
    public async Task ASlotFiredAgainAfterRetentionPurgedItsRun_IsAlreadyDone_AndStartsNothing()
    {
        var (workspaceId, tenantId, _, _) = await suite.CreateTenantAsync("schedule-purged-owner", deviceConfigurations: 1, compliancePolicies: 0);
        var api = suite.BackupApi(UserToken("schedule-purged-owner"));
        var schedule = (await api.CreateBackupScheduleAsync(new CreateBackupScheduleRequest { TenantId = tenantId, Definition = Nightly("UTC") })).Schedule;
        var slot = schedule.NextFireTimes[0].ToDateTime();
        var scheduler = suite.Backup.Services.GetRequiredService<BackupScheduler>();
        var run = Assert.Single(Of(schedule, await scheduler.FireDueAsync(slot.AddSeconds(5), default)));
        await suite.WaitForCompletionAsync(run.RunId, TimeSpan.FromSeconds(60));

        // The run is older than the workspace's 90 days, and RunsService's retention purges it.
        await using (var connection = new Npgsql.NpgsqlConnection(suite.RunsDb))
        {
            await connection.OpenAsync();
            await using var age = new Npgsql.NpgsqlCommand(
                "UPDATE runs.operation_runs SET created_at = now() - interval '101 days', completed_at = now() - interval '100 days' WHERE id = @id", connection);
            age.Parameters.AddWithValue("id", Guid.Parse(run.RunId));
            Assert.Equal(1, await age.ExecuteNonQueryAsync());
        }
        await suite.RunsHost.Services.GetRequiredService<RunRetentionPurge>().PurgeOnceAsync(default);
        // A replica that lost its record of the fire looks at the slot again.
        await ResetScheduleAsync(schedule.ScheduleId, slot);
        var replayed = Of(schedule, await scheduler.FireDueAsync(slot.AddMinutes(5), default));

        Assert.Empty(replayed);
        Assert.Empty(await ScheduledRunsAsync("schedule-purged-owner", workspaceId, tenantId));
        var after = (await api.GetBackupScheduleAsync(new GetBackupScheduleRequest { ScheduleId = schedule.ScheduleId })).Schedule;
        Assert.Equal(slot, after.LastFiredFor.ToDateTime());
    }

    [Fact]
    public async Task AfterDowntime_OnlyTheLatestMissedSlotFires_Once()
    {
        var (workspaceId, tenantId, _, _) = await suite.CreateTenantAsync("schedule-catchup-owner", deviceConfigurations: 1, compliancePolicies: 0);
        var api = suite.BackupApi(UserToken("schedule-catchup-owner"));
        var schedule = (await api.CreateBackupScheduleAsync(new CreateBackupScheduleRequest { TenantId = tenantId, Definition = Nightly("UTC") })).Schedule;
        var scheduler = suite.Backup.Services.GetRequiredService<BackupScheduler>();
        var fourthSlot = schedule.NextFireTimes[3].ToDateTime();

        // Down for three and a half days: four slots were missed.
        var fired = Of(schedule, await scheduler.FireDueAsync(fourthSlot.AddHours(12), default));
        var later = Of(schedule, await scheduler.FireDueAsync(fourthSlot.AddHours(13), default));

        var run = Assert.Single(fired);
        Assert.Empty(later);
        Assert.Equal(fourthSlot.ToString("O"), run.Context.Fields["fire_for"].StringValue);
        Assert.Single(await ScheduledRunsAsync("schedule-catchup-owner", workspaceId, tenantId));
        await suite.WaitForCompletionAsync(run.RunId, TimeSpan.FromSeconds(60));
    }

    [Fact]
    public async Task RunNow_IsANewRunPerClick_AndTheSameClickIsTheSameRun_RetryOfASucceededRunIsAFailedPrecondition()
    {
        var (_, tenantId, entraTenantId, _) = await suite.CreateTenantAsync("schedule-click-owner", deviceConfigurations: 2, compliancePolicies: 0);
        // Slow Graph: the first run is still active when its retry is asked for.
        await suite.SetGraphFaultsAsync(entraTenantId, new { latencyMs = 400 });
        var api = suite.BackupApi(UserToken("schedule-click-owner"));
        var schedule = (await api.CreateBackupScheduleAsync(new CreateBackupScheduleRequest { TenantId = tenantId, Definition = Nightly("UTC") })).Schedule;

        var click = await api.RunBackupScheduleNowAsync(new RunBackupScheduleNowRequest { ScheduleId = schedule.ScheduleId, ClickId = "click-1" });
        var sameClick = await api.RunBackupScheduleNowAsync(new RunBackupScheduleNowRequest { ScheduleId = schedule.ScheduleId, ClickId = "click-1" });
        var otherClick = await api.RunBackupScheduleNowAsync(new RunBackupScheduleNowRequest { ScheduleId = schedule.ScheduleId, ClickId = "click-2" });
        var active = await FailsWith(StatusCode.FailedPrecondition, () => api.RetryBackupScheduleRunAsync(new RetryBackupScheduleRunRequest
        {
            ScheduleId = schedule.ScheduleId, RunId = click.Run.RunId, ClickId = "retry-1",
        }).ResponseAsync);
        var done = await suite.WaitForCompletionAsync(click.Run.RunId, TimeSpan.FromSeconds(60));
        await suite.WaitForCompletionAsync(otherClick.Run.RunId, TimeSpan.FromSeconds(60));
        var succeeded = await FailsWith(StatusCode.FailedPrecondition, () => api.RetryBackupScheduleRunAsync(new RetryBackupScheduleRunRequest
        {
            ScheduleId = schedule.ScheduleId, RunId = click.Run.RunId, ClickId = "retry-2",
        }).ResponseAsync);

        Assert.True(click.Created);
        Assert.False(sameClick.Created);
        Assert.Equal(click.Run.RunId, sameClick.Run.RunId);
        Assert.NotEqual(click.Run.RunId, otherClick.Run.RunId);
        Assert.Contains("completed", active.Status.Detail, StringComparison.OrdinalIgnoreCase);
        Assert.Equal(RunOutcome.Succeeded, done.Outcome);
        Assert.Contains("succeeded", succeeded.Status.Detail);
        var set = (await api.GetBackupSetAsync(new GetBackupSetRequest { BackupSetId = click.Run.RunId })).BackupSet;
        Assert.Equal(schedule.ScheduleId, set.ScheduleId);
        Assert.Equal(2, set.ItemCount);
    }

    [Fact]
    public async Task Retry_RecapturesOnlyTheFailedItems_IntoTheSameSet_WhichBecomesComplete()
    {
        var (_, tenantId, entraTenantId, policyIds) = await suite.CreateTenantAsync("schedule-retry-owner", deviceConfigurations: 6, compliancePolicies: 0);
        var api = suite.BackupApi(UserToken("schedule-retry-owner"));
        var schedule = (await api.CreateBackupScheduleAsync(new CreateBackupScheduleRequest { TenantId = tenantId, Definition = Nightly("UTC") })).Schedule;
        var failing = new[] { policyIds[2], policyIds[4] };
        await suite.SetGraphFaultsAsync(entraTenantId, new { failingItemIds = failing, failingStatus = 500 });
        var first = await api.RunBackupScheduleNowAsync(new RunBackupScheduleNowRequest { ScheduleId = schedule.ScheduleId, ClickId = "nightly-now" });
        var partial = await suite.WaitForCompletionAsync(first.Run.RunId, TimeSpan.FromSeconds(60));
        await suite.SetGraphFaultsAsync(entraTenantId, new { });

        var retry = await api.RetryBackupScheduleRunAsync(new RetryBackupScheduleRunRequest { ScheduleId = schedule.ScheduleId, RunId = first.Run.RunId, ClickId = "retry-click" });
        var retried = await suite.WaitForCompletionAsync(retry.Run.RunId, TimeSpan.FromSeconds(60));

        Assert.Equal(RunOutcome.PartiallySucceeded, partial.Outcome);
        Assert.Equal("backup_schedule.retry", retry.Run.Type);
        Assert.Equal(RunOutcome.Succeeded, retried.Outcome);
        Assert.Equal(2, retried.Counts.Total);
        Assert.Equal(2, retried.Counts.Succeeded);
        var set = (await api.GetBackupSetAsync(new GetBackupSetRequest { BackupSetId = first.Run.RunId })).BackupSet;
        Assert.Equal(BackupSetStatus.Complete, set.Status);
        Assert.Equal(6, set.ItemCount);
        var items = (await api.ListBackupItemsAsync(new ListBackupItemsRequest { BackupSetId = set.BackupSetId })).Items;
        Assert.All(items, i => Assert.Equal(BackupItemOutcome.Captured, i.Outcome));
        Assert.Equal(failing.Order(), items.Where(i => i.RunId == retry.Run.RunId).Select(i => i.PolicyId).Order());
    }

    // A lost list page leaves policies no item names: "retry failed items" must capture them against a new listing, not
    // capture nothing and call the set complete.
    [Fact]
    public async Task Retry_AfterALostListPage_CapturesWhatNoItemNamed_AndOnlyThenIsTheSetComplete()
    {
        var (_, tenantId, entraTenantId, policyIds) = await suite.CreateTenantAsync("schedule-page-owner", deviceConfigurations: 9, compliancePolicies: 0, pageSize: 4);
        var api = suite.BackupApi(UserToken("schedule-page-owner"));
        var schedule = (await api.CreateBackupScheduleAsync(new CreateBackupScheduleRequest { TenantId = tenantId, Definition = Nightly("UTC") })).Schedule;
        // Page 2 answers 403 (not retried): the listing ends at page 1, and the five policies after it are in no item.
        await suite.SetGraphFaultsAsync(entraTenantId, new { failPageOnce = new { collection = "deviceConfigurations", page = 2, status = 403 } });
        var first = await api.RunBackupScheduleNowAsync(new RunBackupScheduleNowRequest { ScheduleId = schedule.ScheduleId, ClickId = "paged-now" });
        var partial = await suite.WaitForCompletionAsync(first.Run.RunId, TimeSpan.FromSeconds(60));
        var lost = (await api.GetBackupSetAsync(new GetBackupSetRequest { BackupSetId = first.Run.RunId })).BackupSet;

        var retry = await api.RetryBackupScheduleRunAsync(new RetryBackupScheduleRunRequest { ScheduleId = schedule.ScheduleId, RunId = first.Run.RunId, ClickId = "paged-retry" });
        var retried = await suite.WaitForCompletionAsync(retry.Run.RunId, TimeSpan.FromSeconds(60));
        var set = (await api.GetBackupSetAsync(new GetBackupSetRequest { BackupSetId = first.Run.RunId })).BackupSet;

        Assert.Equal(RunOutcome.PartiallySucceeded, partial.Outcome);
        Assert.Equal(BackupSetStatus.Incomplete, lost.Status);
        Assert.Equal(4, lost.ItemCount);
        Assert.Equal(RunOutcome.Succeeded, retried.Outcome);
        Assert.Equal(BackupSetStatus.Complete, set.Status);
        Assert.Equal(9, set.ItemCount);
        var coverage = Assert.Single(set.Coverage);
        Assert.True(coverage.ListComplete);
        Assert.Equal((9, 9), (coverage.Listed, coverage.Captured));
        var items = (await api.ListBackupItemsAsync(new ListBackupItemsRequest { BackupSetId = set.BackupSetId })).Items;
        Assert.Equal(policyIds.Order(), items.Select(i => i.PolicyId).Order());
    }

    [Fact]
    public async Task Retention_DeletesSetsPastTheLimit_ButNeverTheLastCapturedCopyOfAPolicy()
    {
        var (_, tenantId, entraTenantId, policyIds) = await suite.CreateTenantAsync("schedule-retention-owner", deviceConfigurations: 3, compliancePolicies: 0);
        var api = suite.BackupApi(UserToken("schedule-retention-owner"));
        var definition = Nightly("UTC");
        definition.Retention.KeepLast = 1;
        var schedule = (await api.CreateBackupScheduleAsync(new CreateBackupScheduleRequest { TenantId = tenantId, Definition = definition })).Schedule;
        var scheduler = suite.Backup.Services.GetRequiredService<BackupScheduler>();
        var slots = schedule.NextFireTimes.Take(3).Select(t => t.ToDateTime()).ToList();

        var first = await FireAndCompleteAsync(scheduler, schedule, slots[0]);
        await suite.SetGraphFaultsAsync(entraTenantId, new { failingItemIds = new[] { policyIds[1] }, failingStatus = 500 });
        var second = await FireAndCompleteAsync(scheduler, schedule, slots[1]);
        var afterSecond = await SetsOfAsync(api, tenantId, schedule);
        await suite.SetGraphFaultsAsync(entraTenantId, new { });
        var third = await FireAndCompleteAsync(scheduler, schedule, slots[2]);
        var afterThird = await SetsOfAsync(api, tenantId, schedule);

        Assert.Equal(RunOutcome.PartiallySucceeded, second.Outcome);
        // The first set holds the only captured copy of the policy the second run could not read: it is kept.
        Assert.Equal([second.RunId, first.RunId], afterSecond);
        Assert.Equal([third.RunId], afterThird);
        Assert.Equal(3L, await suite.BackupScalarAsync<long>("SELECT count(*) FROM backup.policy_contents WHERE tenant_id = @t", ("t", Guid.Parse(tenantId))));
    }

    private async Task<Run> FireAndCompleteAsync(BackupScheduler scheduler, BackupSchedule schedule, DateTime slot)
    {
        var run = Assert.Single(Of(schedule, await scheduler.FireDueAsync(slot.AddMinutes(1), default)));
        return await suite.WaitForCompletionAsync(run.RunId, TimeSpan.FromSeconds(60));
    }

    private static async Task<List<string>> SetsOfAsync(Backup.V1.BackupService.BackupServiceClient api, string tenantId, BackupSchedule schedule) =>
        [.. (await api.ListBackupSetsAsync(new ListBackupSetsRequest { TenantId = tenantId })).BackupSets
            .Where(s => s.ScheduleId == schedule.ScheduleId).Select(s => s.BackupSetId)];

    /// <summary>The runs fired for this schedule (the scheduler fires every due schedule of the database, other tests' too).</summary>
    private static List<Run> Of(BackupSchedule schedule, IReadOnlyList<Run> fired) =>
        [.. fired.Where(r => r.Context.Fields["schedule_id"].StringValue == schedule.ScheduleId)];

    private static BackupScheduleDefinition Nightly(string zone, bool enabled = true) => new()
    {
        DisplayName = "Nightly", CronExpression = "0 2 * * *", TimeZone = zone,
        Selection = new PolicySelection { Families = { PolicyFamily.DeviceConfigurations } },
        Retention = new Retention { KeepLast = 3 }, Enabled = enabled,
    };

    /// <summary>Puts the schedule back to "due for <paramref name="slot"/>, not yet fired", as a replica that died mid-fire leaves it.</summary>
    private Task<int?> ResetScheduleAsync(string scheduleId, DateTime slot) => suite.BackupScalarAsync<int?>(
        "UPDATE backup.backup_schedules SET last_fired_for = NULL, next_fire_at = @slot WHERE id = @id RETURNING 1",
        ("slot", slot), ("id", Guid.Parse(scheduleId)));

    private async Task<IReadOnlyList<Run>> ScheduledRunsAsync(string owner, string workspaceId, string tenantId)
    {
        var runs = await suite.Runs(UserToken(owner)).ListRunsAsync(new ListRunsRequest
        {
            WorkspaceId = workspaceId, TenantId = tenantId, Types_ = { "backup_schedule.scheduled" },
        });
        return runs.Runs;
    }
}
