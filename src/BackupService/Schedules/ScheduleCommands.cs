using TenantAtlas.Workers;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Microsoft.EntityFrameworkCore;
using TenantAtlas.Backup.V1;
using TenantAtlas.BackupService.Grpc;
using TenantAtlas.BackupService.Persistence;
using TenantAtlas.Runs.V1;
using Capabilities = TenantAtlas.Contracts.Capabilities;
using RunTypes = TenantAtlas.Contracts.RunTypes;

namespace TenantAtlas.BackupService.Schedules;

/// <summary>
/// Backup schedules as their RPCs see them: definitions validated in full (cron, zone, selection, retention), access
/// decided by RunsService with the caller's token, and run-now / retry started through EnsureRun as the caller.
/// </summary>
public sealed class ScheduleCommands(BackupDbContext db, TenantAccess access, RunsService.RunsServiceClient runs, TimeProvider time)
{
    public const int MaxSchedulesPerTenant = 200;

    public async Task<BackupSchedule> CreateAsync(string tenantIdText, BackupScheduleDefinition? definition, ServerCallContext context)
    {
        var v = new RequestValidator();
        var tenantId = v.RequiredId("tenant_id", tenantIdText);
        var valid = Validate(v, definition);
        v.ThrowIfInvalid();

        var tenant = await access.RequireAsync(tenantId, Capabilities.BackupSetsManage, "create backup schedules", context);
        if (await db.Schedules.CountAsync(s => s.TenantId == tenantId, context.CancellationToken) >= MaxSchedulesPerTenant)
        {
            throw new FailedPreconditionException($"The tenant has {MaxSchedulesPerTenant} backup schedules, the most it may have; delete or reuse one.");
        }
        var now = time.GetUtcNow().UtcDateTime;
        var schedule = new BackupScheduleEntity
        {
            Id = Guid.CreateVersion7(),
            WorkspaceId = Guid.Parse(tenant.WorkspaceId),
            TenantId = tenantId,
            DisplayName = valid.DisplayName,
            CronExpression = valid.Cron,
            TimeZone = valid.TimeZone,
            CreatedBy = context.Caller().Subject,
            CreatedAt = now,
        };
        Apply(schedule, valid, now);
        db.Schedules.Add(schedule);
        await db.SaveChangesAsync(context.CancellationToken);
        return ToProto(schedule, now);
    }

    public async Task<BackupSchedule> UpdateAsync(string scheduleIdText, BackupScheduleDefinition? definition, ServerCallContext context)
    {
        var v = new RequestValidator();
        var scheduleId = v.RequiredId("schedule_id", scheduleIdText);
        var valid = Validate(v, definition);
        v.ThrowIfInvalid();

        var (schedule, _) = await VisibleAsync(scheduleId, Capabilities.BackupSetsManage, "change backup schedules", context, tracked: true);
        var now = time.GetUtcNow().UtcDateTime;
        Apply(schedule, valid, now);
        await db.SaveChangesAsync(context.CancellationToken);
        return ToProto(schedule, now);
    }

    /// <summary>Deletes the schedule; its sets stay (they are backups), outside any retention from now on.</summary>
    public async Task DeleteAsync(string scheduleIdText, ServerCallContext context)
    {
        var v = new RequestValidator();
        var scheduleId = v.RequiredId("schedule_id", scheduleIdText);
        v.ThrowIfInvalid();

        var (schedule, _) = await VisibleAsync(scheduleId, Capabilities.BackupSetsManage, "delete backup schedules", context, tracked: true);
        db.Schedules.Remove(schedule);
        await db.SaveChangesAsync(context.CancellationToken);
    }

    public async Task<BackupSchedule> GetAsync(string scheduleIdText, ServerCallContext context)
    {
        var v = new RequestValidator();
        var scheduleId = v.RequiredId("schedule_id", scheduleIdText);
        v.ThrowIfInvalid();
        return ToProto((await VisibleAsync(scheduleId, Capabilities.BackupSetsView, "view backup schedules", context)).Schedule, time.GetUtcNow().UtcDateTime);
    }

    public async Task<IReadOnlyList<BackupSchedule>> ListAsync(string tenantIdText, ServerCallContext context)
    {
        var v = new RequestValidator();
        var tenantId = v.RequiredId("tenant_id", tenantIdText);
        v.ThrowIfInvalid();

        await access.RequireAsync(tenantId, Capabilities.BackupSetsView, "view backup schedules", context);
        var now = time.GetUtcNow().UtcDateTime;
        var schedules = await db.Schedules.AsNoTracking().Where(s => s.TenantId == tenantId).OrderBy(s => s.DisplayName).ThenBy(s => s.Id)
            .Take(MaxSchedulesPerTenant).ToListAsync(context.CancellationToken);
        return [.. schedules.Select(s => ToProto(s, now))];
    }

    public async Task<EnsureRunResponse> RunNowAsync(string scheduleIdText, string clickId, ServerCallContext context)
    {
        var v = new RequestValidator();
        var scheduleId = v.RequiredId("schedule_id", scheduleIdText);
        RequiredClick(v, clickId);
        v.ThrowIfInvalid();

        var (schedule, tenant) = await VisibleAsync(scheduleId, Capabilities.BackupSchedulesRun, "run backup schedules", context);
        return await runs.EnsureRunAsync(new EnsureRunRequest
        {
            WorkspaceId = tenant.WorkspaceId,
            TenantId = tenant.TenantId,
            Type = RunTypes.BackupScheduleRunNow,
            IdentityPolicy = IdentityPolicy.PerClick,
            ClickId = clickId,
            IdentityInputs = { ["schedule"] = schedule.Id.ToString() },
            Context = new ScheduleRunContext(schedule.Id, schedule.DisplayName, tenant.EntraTenantId, schedule.Families, schedule.PolicyIds).ToStruct(),
        }, context.ForwardedAuthorization(), cancellationToken: context.CancellationToken);
    }

    public async Task<EnsureRunResponse> RetryAsync(string scheduleIdText, string runIdText, string clickId, ServerCallContext context)
    {
        var v = new RequestValidator();
        var scheduleId = v.RequiredId("schedule_id", scheduleIdText);
        var runId = v.RequiredId("run_id", runIdText);
        RequiredClick(v, clickId);
        v.ThrowIfInvalid();

        var (schedule, tenant) = await VisibleAsync(scheduleId, Capabilities.BackupSchedulesRun, "run backup schedules", context);
        var retried = (await runs.GetRunAsync(new GetRunRequest { RunId = runId.ToString() }, context.ForwardedAuthorization(),
            cancellationToken: context.CancellationToken)).Run;
        if (ScheduleRunContext.ScheduleOf(retried.Context) != schedule.Id || !retried.Type.StartsWith("backup_schedule.", StringComparison.Ordinal))
        {
            throw new FailedPreconditionException($"Run '{runId}' is not a run of backup schedule '{schedule.Id}'; only the schedule's own runs can be retried here.");
        }
        if (retried.Status != RunStatus.Completed)
        {
            throw new FailedPreconditionException($"Run '{runId}' is still {retried.Status.ToString().ToLowerInvariant()}; retry it once it has completed.");
        }
        if (retried.Outcome is not (RunOutcome.Failed or RunOutcome.PartiallySucceeded))
        {
            throw new FailedPreconditionException(
                $"Run '{runId}' completed {retried.Outcome.ToString().ToLowerInvariant()}: only a failed or partially succeeded run has failed items to retry.");
        }
        return await runs.EnsureRunAsync(new EnsureRunRequest
        {
            WorkspaceId = tenant.WorkspaceId,
            TenantId = tenant.TenantId,
            Type = RunTypes.BackupScheduleRetry,
            IdentityPolicy = IdentityPolicy.PerClick,
            ClickId = clickId,
            IdentityInputs = { ["schedule"] = schedule.Id.ToString(), ["retried_run"] = runId.ToString() },
            // The retried run's selection travels with the retry: what to capture again when its set lost more than items.
            Context = new ScheduleRunContext(schedule.Id, schedule.DisplayName, tenant.EntraTenantId,
                ScheduleRunContext.From(retried.Context)?.Families ?? [], ScheduleRunContext.From(retried.Context)?.PolicyIds ?? [],
                RetriedSetId: ScheduleRunContext.SetOf(runId, retried.Context)).ToStruct(),
        }, context.ForwardedAuthorization(), cancellationToken: context.CancellationToken);
    }

    private sealed record ValidDefinition(string DisplayName, string Cron, string TimeZone, SelectionValidation.ValidSelection Selection,
        int KeepLast, int KeepDays, bool Enabled);

    private static ValidDefinition Validate(RequestValidator v, BackupScheduleDefinition? definition)
    {
        definition ??= new BackupScheduleDefinition();
        var displayName = v.RequiredText("definition.display_name", definition.DisplayName, BackupGrpcService.MaxDisplayName);
        var cron = v.RequiredText("definition.cron_expression", definition.CronExpression, 100);
        var zone = v.RequiredText("definition.time_zone", definition.TimeZone, 64);
        if (cron.Length > 0 && zone.Length > 0 && FireTimes.TryParse(cron, zone, out var cronError, out var zoneError) is null)
        {
            if (cronError is not null)
            {
                v.Add("definition.cron_expression", cronError);
            }
            if (zoneError is not null)
            {
                v.Add("definition.time_zone", zoneError);
            }
        }
        var selection = SelectionValidation.Validate(v, "definition.selection", definition.Selection);
        var retention = definition.Retention;
        if (retention is null || retention.KeepLast is < 1 or > 1000)
        {
            v.Add("definition.retention.keep_last", $"must be between 1 and 1000 (got {retention?.KeepLast ?? 0}): a schedule keeps at least its newest set.");
        }
        if (retention is { KeepDays: < 0 or > 3650 })
        {
            v.Add("definition.retention.keep_days", $"must be between 0 and 3650 (got {retention.KeepDays}); 0 keeps by count only.");
        }
        return new ValidDefinition(displayName, cron, zone, selection, retention?.KeepLast ?? 0, retention?.KeepDays ?? 0, definition.Enabled);
    }

    private static void RequiredClick(RequestValidator v, string clickId)
    {
        if (clickId.Length is 0 or > 128)
        {
            v.Add("click_id", "is required (1-128 characters): each click is its own run, and the same click sent again is the same run.");
        }
    }

    private static void Apply(BackupScheduleEntity schedule, ValidDefinition valid, DateTime now)
    {
        schedule.DisplayName = valid.DisplayName;
        schedule.CronExpression = valid.Cron;
        schedule.TimeZone = valid.TimeZone;
        schedule.Families = [.. valid.Selection.Families];
        schedule.PolicyIds = [.. valid.Selection.PolicyIds];
        schedule.KeepLast = valid.KeepLast;
        schedule.KeepDays = valid.KeepDays;
        schedule.Enabled = valid.Enabled;
        schedule.UpdatedAt = now;
        schedule.NextFireAt = valid.Enabled && FireTimes.Parse(valid.Cron, valid.TimeZone).Next(now, 1) is [var next] ? next : null;
    }

    /// <summary>A schedule the caller may act on; NOT_FOUND for one of a tenant they are not entitled to, as for one that does not exist.</summary>
    private async Task<(BackupScheduleEntity Schedule, Access.V1.Tenant Tenant)> VisibleAsync(Guid scheduleId, string capability, string action,
        ServerCallContext context, bool tracked = false)
    {
        var notFound = $"Backup schedule '{scheduleId}' does not exist, or you may not see it.";
        var schedule = await (tracked ? db.Schedules : db.Schedules.AsNoTracking()).SingleOrDefaultAsync(s => s.Id == scheduleId, context.CancellationToken)
            ?? throw new NotFoundException(notFound);
        return (schedule, await access.RequireForAsync(schedule.TenantId, capability, action, notFound, context));
    }

    public static BackupSchedule ToProto(BackupScheduleEntity schedule, DateTime now)
    {
        var message = new BackupSchedule
        {
            ScheduleId = schedule.Id.ToString(),
            WorkspaceId = schedule.WorkspaceId.ToString(),
            TenantId = schedule.TenantId.ToString(),
            DisplayName = schedule.DisplayName,
            CronExpression = schedule.CronExpression,
            TimeZone = schedule.TimeZone,
            Selection = new PolicySelection(),
            Retention = new Retention { KeepLast = schedule.KeepLast, KeepDays = schedule.KeepDays },
            Enabled = schedule.Enabled,
            LastFiredFor = schedule.LastFiredFor is { } last ? Utc(last) : null,
            CreatedBy = schedule.CreatedBy,
            CreatedAt = Utc(schedule.CreatedAt),
            UpdatedAt = Utc(schedule.UpdatedAt),
        };
        message.Selection.Families.AddRange(schedule.Families.Select(TenantGraph.PolicyFamilies.FromName));
        message.Selection.PolicyIds.AddRange(schedule.PolicyIds);
        if (schedule.Enabled)
        {
            message.NextFireTimes.AddRange(FireTimes.Parse(schedule.CronExpression, schedule.TimeZone).Next(now, 5).Select(Utc));
        }
        return message;
    }

    private static Timestamp Utc(DateTime value) => Timestamp.FromDateTime(DateTime.SpecifyKind(value, DateTimeKind.Utc));
}
