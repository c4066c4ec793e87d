using Microsoft.EntityFrameworkCore;
using TenantAtlas.BackupService.Capture;
using TenantAtlas.BackupService.Persistence;
using TenantAtlas.Workers;

namespace TenantAtlas.BackupService.Schedules;

/// <summary>
/// <c>backup_schedule.run_now</c>, <c>.scheduled</c> and <c>.retry</c>. A run-now or scheduled run captures the
/// schedule's selection into a set of its own (whose id is the run's, so a redelivery finds it again); a scheduled run
/// then applies the schedule's retention. A retry re-captures the failed items of the set of the run it retries — or, when
/// that set lost a list page or failed outright, the retried run's whole selection, so what no item names is captured too.
/// </summary>
public sealed class ScheduleRunHandler(PolicyCapture capture, ScheduleSets sets, BackupDbContext db) : IRunHandler
{
    public async Task HandleAsync(RunWorkContext run, CancellationToken cancellationToken)
    {
        var tenantId = run.TenantId ?? throw new RunFailureException("backup.no_tenant", $"{run.Run.Type} needs a tenant.");
        var context = ScheduleRunContext.From(run.Context)
            ?? throw new RunFailureException("backup.bad_context", "The run's context names no schedule or Entra tenant; start it again.");

        if (run.Run.Type == Contracts.RunTypes.BackupScheduleRetry)
        {
            var retried = context.RetriedSetId ?? throw new RunFailureException("backup.bad_context", "The retry names no backup set.");
            var failed = await sets.FailedPolicyIdsAsync(retried, run.RunId, cancellationToken);
            // A set that lost a list page or failed outright lacks policies no item names: the retry captures the retried
            // run's whole selection again (unchanged versions are not stored twice); otherwise only the failed items.
            var retry = await sets.MissesUnlistedPoliciesAsync(retried, cancellationToken)
                ? new CaptureContext(retried, context.EntraTenantId, context.Families, [.. context.PolicyIds.Union(failed, StringComparer.OrdinalIgnoreCase)])
                : new CaptureContext(retried, context.EntraTenantId, [], failed);
            await capture.RunAsync(run, tenantId, retry, cancellationToken);
            return;
        }

        var at = context.FireFor ?? DateTime.UtcNow;
        await sets.EnsureAsync(run.RunId, run.WorkspaceId, tenantId, context.ScheduleId,
            $"{context.ScheduleName} · {at:yyyy-MM-dd HH:mm} UTC", run.Run.Initiator is { Name.Length: > 0 } initiator ? initiator.Name : "System",
            cancellationToken);
        await capture.RunAsync(run, tenantId, new CaptureContext(run.RunId, context.EntraTenantId, context.Families, context.PolicyIds), cancellationToken);

        if (run.Run.Type == Contracts.RunTypes.BackupScheduleScheduled
            && await db.Schedules.AsNoTracking().SingleOrDefaultAsync(s => s.Id == context.ScheduleId, cancellationToken) is { } schedule)
        {
            await sets.ApplyRetentionAsync(schedule.Id, schedule.KeepLast, schedule.KeepDays, cancellationToken);
        }
    }
}
