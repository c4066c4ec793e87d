using Grpc.Core;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Npgsql;
using TenantAtlas.Access.V1;
using TenantAtlas.BackupService.Persistence;
using TenantAtlas.Runs.V1;
using TenantAtlas.Workers;

namespace TenantAtlas.BackupService.Schedules;

/// <summary>Scheduler settings (<c>Backup:Scheduler</c>).</summary>
public sealed class SchedulerOptions
{
    public const string Section = "Backup:Scheduler";

    /// <summary>How often each replica looks for due schedules.</summary>
    public TimeSpan Interval { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>Off: this replica does not fire schedules (tests drive <see cref="BackupScheduler.FireDueAsync"/> themselves).</summary>
    public bool Enabled { get; set; } = true;
}

/// <summary>
/// Fires due backup schedules. Every replica runs one and none coordinates with the others: a slot is fired as a
/// <c>backup_schedule.scheduled</c> run with the ONCE identity (schedule, intended fire time), so however many replicas
/// fire it, or fire it again after a restart mid-fire or after its run completed, RunsService hands back the one run.
/// A schedule that was down fires only its latest missed slot (once), not every slot it missed.
/// </summary>
public sealed partial class BackupScheduler(
    IServiceScopeFactory scopes,
    RunsService.RunsServiceClient runs,
    AccessService.AccessServiceClient access,
    ServiceToken token,
    NpgsqlDataSource dataSource,
    IOptions<SchedulerOptions> options,
    TimeProvider time,
    ILogger<BackupScheduler> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!options.Value.Enabled)
        {
            return;
        }
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await FireDueAsync(time.GetUtcNow().UtcDateTime, stoppingToken);
            }
            catch (Exception e) when (!stoppingToken.IsCancellationRequested)
            {
                // RunsService or the database away for a moment: the slots are still due at the next look.
                LogSchedulerFailed(logger, e);
            }
            await Task.Delay(options.Value.Interval, time, stoppingToken).ContinueWith(_ => { }, TaskScheduler.Default);
        }
    }

    /// <summary>Fires every enabled schedule due at <paramref name="now"/>; returns the runs it was handed (created or not).</summary>
    public async Task<IReadOnlyList<Run>> FireDueAsync(DateTime now, CancellationToken ct)
    {
        List<BackupScheduleEntity> due;
        await using (var scope = scopes.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<BackupDbContext>();
            due = await db.Schedules.AsNoTracking().Where(s => s.Enabled && s.NextFireAt != null && s.NextFireAt <= now).OrderBy(s => s.NextFireAt).ToListAsync(ct);
        }
        var fired = new List<Run>();
        foreach (var schedule in due)
        {
            var times = FireTimes.Parse(schedule.CronExpression, schedule.TimeZone);
            // Slots before the last edit (or enabling) are not caught up: only those since, and since the last fire.
            var slot = times.LatestDue(schedule.LastFiredFor is { } last && last > schedule.UpdatedAt ? last : schedule.UpdatedAt, now);
            if (slot is { } fireFor && await FireAsync(schedule, fireFor, ct) is { } run)
            {
                fired.Add(run);
            }
            var next = times.Next(now, 1);
            await MarkFiredAsync(schedule.Id, slot, next.Count > 0 ? next[0] : null, ct);
        }
        return fired;
    }

    private async Task<Run?> FireAsync(BackupScheduleEntity schedule, DateTime fireFor, CancellationToken ct)
    {
        var headers = await token.HeadersAsync();
        Tenant tenant;
        try
        {
            tenant = (await access.GetTenantAsync(new GetTenantRequest { TenantId = schedule.TenantId.ToString() }, headers, cancellationToken: ct)).Tenant;
        }
        catch (RpcException e) when (e.StatusCode == StatusCode.NotFound)
        {
            LogTenantGone(logger, schedule.Id, schedule.TenantId);
            return null;
        }
        EnsureRunResponse ensured;
        try
        {
            ensured = await runs.EnsureRunAsync(new EnsureRunRequest
            {
                WorkspaceId = tenant.WorkspaceId,
                TenantId = tenant.TenantId,
                Type = Contracts.RunTypes.BackupScheduleScheduled,
                IdentityPolicy = IdentityPolicy.Once,
                IdentityInputs = { ["schedule"] = schedule.Id.ToString(), ["fire_for"] = fireFor.ToString("O", System.Globalization.CultureInfo.InvariantCulture) },
                Context = new ScheduleRunContext(schedule.Id, schedule.DisplayName, tenant.EntraTenantId, schedule.Families, schedule.PolicyIds,
                    FireFor: fireFor).ToStruct(),
            }, headers, cancellationToken: ct);
        }
        catch (RpcException e) when (e.StatusCode == StatusCode.AlreadyExists)
        {
            // The slot's run completed long ago and retention purged it: the slot was done; firing it again must not redo it.
            LogAlreadyDone(logger, schedule.Id, fireFor, e.Status.Detail);
            return null;
        }
        LogFired(logger, schedule.Id, fireFor, ensured.Run.RunId, ensured.Created);
        return ensured.Run;
    }

    /// <summary>Moves the schedule past the slot; only forward, so a replica that fired an older slot late changes nothing.</summary>
    private async Task MarkFiredAsync(Guid scheduleId, DateTime? slot, DateTime? nextFireAt, CancellationToken ct)
    {
        await using var command = dataSource.CreateCommand("""
            UPDATE backup.backup_schedules
            SET last_fired_for = COALESCE(GREATEST(last_fired_for, @slot), last_fired_for, @slot),
                next_fire_at = GREATEST(next_fire_at, @next)
            WHERE id = @id AND enabled
            """);
        command.Parameters.Add(new NpgsqlParameter("slot", NpgsqlTypes.NpgsqlDbType.TimestampTz) { Value = (object?)slot ?? DBNull.Value });
        command.Parameters.Add(new NpgsqlParameter("next", NpgsqlTypes.NpgsqlDbType.TimestampTz) { Value = (object?)nextFireAt ?? DBNull.Value });
        command.Parameters.AddWithValue("id", scheduleId);
        await command.ExecuteNonQueryAsync(ct);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Schedule {ScheduleId} fired for {FireFor:O}: run {RunId} (created: {Created})")]
    private static partial void LogFired(ILogger logger, Guid scheduleId, DateTime fireFor, string runId, bool created);

    [LoggerMessage(Level = LogLevel.Information, Message = "Schedule {ScheduleId} slot {FireFor:O} was already done: {Detail}")]
    private static partial void LogAlreadyDone(ILogger logger, Guid scheduleId, DateTime fireFor, string detail);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Schedule {ScheduleId} did not fire: its tenant {TenantId} is no longer registered")]
    private static partial void LogTenantGone(ILogger logger, Guid scheduleId, Guid tenantId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Firing due backup schedules failed; retrying at the next look")]
    private static partial void LogSchedulerFailed(ILogger logger, Exception exception);
}
