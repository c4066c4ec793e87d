using Microsoft.EntityFrameworkCore;
using TenantAtlas.RestoreService.Persistence;
using TenantAtlas.RestoreService.Planning;

namespace TenantAtlas.RestoreService.Restores;

/// <summary>
/// One step of an item's (or a created template's) journal, as stored. A "create_sent" step also keeps the ids of the
/// objects of the same identity the target already had (<see cref="Known"/>), so a lost answer is reconciled by identity.
/// </summary>
public sealed record JournalEntry(string Step, string? RequestId, string? TargetPolicyId, string? Detail, DateTime At)
{
    public IReadOnlyList<string>? Known { get; init; }
}

/// <summary>
/// A create of an earlier restore whose answer was lost and that nobody settled since: the target may hold it, so a later
/// restore of the same policy asks the user (adopt one of the target's policies of its name and type, or create anew)
/// rather than create it again.
/// </summary>
public sealed record LostCreate(string Family, string OdataType, string DisplayName, Guid RestoreId, Guid ItemId, IReadOnlyList<string> Candidates);

/// <summary>
/// Every change of a restore's status is one guarded statement: it applies only from the statuses the transition allows
/// (and, where it matters, only for the run or plan it names), so two callers or a redelivered job cannot move a restore
/// backwards. A refused transition answers FAILED_PRECONDITION naming the status the restore is in.
/// </summary>
public sealed class RestoreStore(RestoreDbContext db)
{
    public const string AdapterRelease = "release";
    public const string AdapterCancel = "cancel";

    public async Task<RestoreRunEntity> GetAsync(Guid restoreId, CancellationToken ct) =>
        await db.Restores.AsNoTracking().FirstOrDefaultAsync(r => r.Id == restoreId, ct)
        ?? throw new NotFoundException($"Restore '{restoreId}' was not found.");

    public async Task<RestoreRunEntity> FindAsync(Guid restoreId, CancellationToken ct) =>
        await db.Restores.AsNoTracking().FirstOrDefaultAsync(r => r.Id == restoreId, ct)
        ?? throw new InvalidOperationException($"Restore '{restoreId}' does not exist.");

    public async Task AddAsync(RestoreRunEntity restore, CancellationToken ct)
    {
        db.Restores.Add(restore);
        await db.SaveChangesAsync(ct);
        db.Entry(restore).State = EntityState.Detached;
    }

    /// <summary>
    /// DRAFT / PREVIEWED (or a PREVIEWING one, joined) → PREVIEWING, before its preview run is started: the run's worker
    /// may take it at once, and must find the restore waiting for it. Group choices and reference decisions are replaced when given.
    /// </summary>
    public async Task StartPreviewAsync(Guid restoreId, string? groupChoices, CancellationToken ct, string? referenceDecisions = null)
    {
        var changed = await db.Restores
            .Where(r => r.Id == restoreId && RestoreStatuses.Previewable.Contains(r.Status))
            .ExecuteUpdateAsync(s => s
                .SetProperty(r => r.Status, RestoreStatuses.Previewing)
                .SetProperty(r => r.GroupChoices, r => groupChoices ?? r.GroupChoices)
                .SetProperty(r => r.ReferenceDecisions, r => referenceDecisions ?? r.ReferenceDecisions)
                .SetProperty(r => r.FailureCode, (string?)null)
                .SetProperty(r => r.FailureMessage, (string?)null)
                .SetProperty(r => r.UpdatedAt, DateTime.UtcNow), ct);
        await EnsureChangedAsync(changed, restoreId, "preview it", ct);
    }

    /// <summary>
    /// Names the preview run of a PREVIEWING restore: said by the request that started it and by the run's handler,
    /// whichever comes first. One preview run per restore is active at a time (WHILE_ACTIVE), so a PREVIEWING restore
    /// is the active one's; false when the restore is no longer previewing (cancelled meanwhile).
    /// </summary>
    public async Task<bool> ClaimPreviewAsync(Guid restoreId, Guid previewRunId, CancellationToken ct) =>
        await db.Restores
            .Where(r => r.Id == restoreId && r.Status == RestoreStatuses.Previewing)
            .ExecuteUpdateAsync(s => s.SetProperty(r => r.PreviewRunId, previewRunId), ct) == 1;

    /// <summary>
    /// PREVIEWING (by this preview run) → PREVIEWED with the plan: its items replace any earlier plan's, in one transaction.
    /// False when the restore moved on meanwhile (cancelled, or another preview took over): nothing is stored.
    /// </summary>
    public async Task<bool> StorePlanAsync(Guid restoreId, Guid previewRunId, Guid executeRunId, IReadOnlyList<RestoreItemEntity> items,
        string groupMappings, string templateMappings, string planHash, DateTime expiresAt, CancellationToken ct)
    {
        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        var restore = await db.Restores.FromSql($"SELECT * FROM restore.restore_runs WHERE id = {restoreId} FOR UPDATE").FirstOrDefaultAsync(ct);
        if (restore is null || restore.Status != RestoreStatuses.Previewing || restore.PreviewRunId != previewRunId)
        {
            return false;
        }
        await db.Items.Where(i => i.RestoreId == restoreId).ExecuteDeleteAsync(ct);
        db.Items.AddRange(items);
        restore.Status = RestoreStatuses.Previewed;
        restore.ExecuteRunId = executeRunId;
        restore.PlanHash = planHash;
        restore.PlanExpiresAt = expiresAt;
        restore.GroupMappings = groupMappings;
        restore.TemplateMappings = templateMappings;
        restore.UpdatedAt = DateTime.UtcNow;
        await db.SaveChangesAsync(ct);
        await transaction.CommitAsync(ct);
        db.ChangeTracker.Clear();
        return true;
    }

    /// <summary>PREVIEWING (by this run) → DRAFT with why the preview could not be made.</summary>
    public Task FailPreviewAsync(Guid restoreId, Guid previewRunId, string code, string message, CancellationToken ct) =>
        db.Restores
            .Where(r => r.Id == restoreId && r.Status == RestoreStatuses.Previewing && r.PreviewRunId == previewRunId)
            .ExecuteUpdateAsync(s => s
                .SetProperty(r => r.Status, RestoreStatuses.Draft)
                .SetProperty(r => r.FailureCode, code)
                .SetProperty(r => r.FailureMessage, message)
                .SetProperty(r => r.UpdatedAt, DateTime.UtcNow), ct);

    /// <summary>
    /// PREVIEWED → QUEUED for exactly this unexpired plan, owing the adapter run's release (cleared once RunsService took it).
    /// False when the plan, its hash or its expiry no longer match; the caller says which.
    /// </summary>
    public async Task<bool> QueueAsync(Guid restoreId, string planHash, CancellationToken ct) =>
        await db.Restores
            .Where(r => r.Id == restoreId && r.Status == RestoreStatuses.Previewed && r.PlanHash == planHash && r.PlanExpiresAt > DateTime.UtcNow)
            .ExecuteUpdateAsync(s => s
                .SetProperty(r => r.Status, RestoreStatuses.Queued)
                .SetProperty(r => r.AdapterPending, AdapterRelease)
                .SetProperty(r => r.UpdatedAt, DateTime.UtcNow), ct) == 1;

    /// <summary>→ CANCELLED from a status where nothing was written yet, owing the adapter run's completion when it exists.</summary>
    public async Task CancelAsync(Guid restoreId, CancellationToken ct)
    {
        var changed = await db.Restores
            .Where(r => r.Id == restoreId && RestoreStatuses.Cancellable.Contains(r.Status))
            .ExecuteUpdateAsync(s => s
                .SetProperty(r => r.Status, RestoreStatuses.Cancelled)
                .SetProperty(r => r.AdapterPending, r => r.ExecuteRunId == null ? null : AdapterCancel)
                .SetProperty(r => r.UpdatedAt, DateTime.UtcNow), ct);
        await EnsureChangedAsync(changed, restoreId, "cancel it (a restore that started writing runs to its end)", ct);
    }

    /// <summary>
    /// CancelRun on one of the restore's runs (seed 054: the adapter run cancelled ↔ the restore cancelled): a restore
    /// that wrote nothing yet follows its run. The cancelled run needs nothing more; the execution run of a restore whose
    /// preview run was cancelled is owed its cancel. False when no restore of the run could still be cancelled.
    /// </summary>
    public async Task<bool> CancelForRunAsync(Guid runId, CancellationToken ct) =>
        await db.Restores
            .Where(r => (r.ExecuteRunId == runId || r.PreviewRunId == runId) && RestoreStatuses.Cancellable.Contains(r.Status))
            .ExecuteUpdateAsync(s => s
                .SetProperty(r => r.Status, RestoreStatuses.Cancelled)
                .SetProperty(r => r.AdapterPending, r => r.ExecuteRunId == null || r.ExecuteRunId == runId ? null : AdapterCancel)
                .SetProperty(r => r.FailureCode, "restore.cancelled")
                .SetProperty(r => r.FailureMessage, "Cancelled (CancelRun on its run) before anything was written.")
                .SetProperty(r => r.UpdatedAt, DateTime.UtcNow), ct) > 0;

    /// <summary>
    /// QUEUED / RUNNING → CANCELLED when CancelRun stopped the execution between items: what was written stays written
    /// (each item's journal says what), the rest was not attempted.
    /// </summary>
    public Task StopCancelledAsync(Guid restoreId, string message, CancellationToken ct) =>
        db.Restores
            .Where(r => r.Id == restoreId && (r.Status == RestoreStatuses.Queued || r.Status == RestoreStatuses.Running))
            .ExecuteUpdateAsync(s => s
                .SetProperty(r => r.Status, RestoreStatuses.Cancelled)
                .SetProperty(r => r.AdapterPending, (string?)null)
                .SetProperty(r => r.FailureCode, "restore.cancelled")
                .SetProperty(r => r.FailureMessage, message)
                .SetProperty(r => r.UpdatedAt, DateTime.UtcNow), ct);

    /// <summary>Clears an owed adapter write once done, unless another one replaced it meanwhile.</summary>
    public Task ClearAdapterPendingAsync(Guid restoreId, string done, CancellationToken ct) =>
        db.Restores.Where(r => r.Id == restoreId && r.AdapterPending == done)
            .ExecuteUpdateAsync(s => s.SetProperty(r => r.AdapterPending, (string?)null), ct);

    /// <summary>Restores owing an adapter write for longer than <paramref name="grace"/>.</summary>
    public Task<List<RestoreRunEntity>> OwingAdapterWritesAsync(TimeSpan grace, int limit, CancellationToken ct)
    {
        var before = DateTime.UtcNow - grace;
        return db.Restores.AsNoTracking().Where(r => r.AdapterPending != null && r.UpdatedAt < before).OrderBy(r => r.UpdatedAt).Take(limit).ToListAsync(ct);
    }

    /// <summary>QUEUED → RUNNING (RUNNING again for a resumed execution). The status the restore is in after the call.</summary>
    public async Task<string> StartRunningAsync(Guid restoreId, CancellationToken ct)
    {
        await db.Restores
            .Where(r => r.Id == restoreId && r.Status == RestoreStatuses.Queued)
            .ExecuteUpdateAsync(s => s.SetProperty(r => r.Status, RestoreStatuses.Running).SetProperty(r => r.UpdatedAt, DateTime.UtcNow), ct);
        return (await FindAsync(restoreId, ct)).Status;
    }

    /// <summary>Restores executing (QUEUED with nothing owed, or RUNNING), the longest unchanged first: the sweep checks their runs.</summary>
    public Task<List<RestoreRunEntity>> ExecutingAsync(int limit, CancellationToken ct) =>
        db.Restores.AsNoTracking()
            .Where(r => r.ExecuteRunId != null && r.AdapterPending == null && (r.Status == RestoreStatuses.Queued || r.Status == RestoreStatuses.Running))
            .OrderBy(r => r.UpdatedAt).Take(limit).ToListAsync(ct);

    /// <summary>
    /// QUEUED / RUNNING → the status of its execution run's outcome, when that run ended without the restore (its handler
    /// threw, timed out, was given up): the restore follows its run, its items keep their results. False when the restore
    /// had moved on meanwhile.
    /// </summary>
    public async Task<bool> FollowEndedRunAsync(Guid restoreId, Guid runId, string status, string code, string message, CancellationToken ct) =>
        await db.Restores
            .Where(r => r.Id == restoreId && r.ExecuteRunId == runId && (r.Status == RestoreStatuses.Queued || r.Status == RestoreStatuses.Running))
            .ExecuteUpdateAsync(s => s
                .SetProperty(r => r.Status, status)
                .SetProperty(r => r.FailureCode, code)
                .SetProperty(r => r.FailureMessage, message)
                .SetProperty(r => r.UpdatedAt, DateTime.UtcNow), ct) == 1;

    /// <summary>RUNNING → an ended status.</summary>
    public Task FinishAsync(Guid restoreId, string status, string? failureCode, string? failureMessage, CancellationToken ct) =>
        db.Restores
            .Where(r => r.Id == restoreId && r.Status == RestoreStatuses.Running)
            .ExecuteUpdateAsync(s => s
                .SetProperty(r => r.Status, status)
                .SetProperty(r => r.FailureCode, failureCode)
                .SetProperty(r => r.FailureMessage, failureMessage)
                .SetProperty(r => r.UpdatedAt, DateTime.UtcNow), ct);

    public Task<List<RestoreItemEntity>> ItemsAsync(Guid restoreId, CancellationToken ct) =>
        db.Items.AsNoTracking().Where(i => i.RestoreId == restoreId).OrderBy(i => i.Family).ThenBy(i => i.DisplayName).ThenBy(i => i.ItemId).ToListAsync(ct);

    /// <summary>
    /// Appends a step to an item's journal and sets its result (and target, once known) in one statement. The journal is
    /// written before a create is sent ("create_sent") and after its answer, so a crash in between leaves the trace that
    /// makes the next attempt read back instead of posting again.
    /// </summary>
    public Task RecordAsync(Guid restoreId, Guid itemId, JournalEntry step, string result, string? targetPolicyId,
        string? failureCode = null, string? failureMessage = null, CancellationToken ct = default)
    {
        var stepJson = StoredJson.Write(new[] { step });
        return db.Database.ExecuteSqlInterpolatedAsync($"""
            UPDATE restore.restore_items
            SET journal = journal || {stepJson}::jsonb, result = {result},
                target_policy_id = COALESCE({targetPolicyId}, target_policy_id),
                failure_code = {failureCode}, failure_message = {failureMessage}, updated_at = now()
            WHERE restore_id = {restoreId} AND item_id = {itemId}
            """, ct);
    }

    /// <summary>The journal of a template this restore creates in the target, or null before its first step.</summary>
    public Task<RestoreTemplateEntity?> TemplateAsync(Guid restoreId, string sourceTemplateId, CancellationToken ct) =>
        db.Templates.AsNoTracking().FirstOrDefaultAsync(t => t.RestoreId == restoreId && t.SourceTemplateId == sourceTemplateId, ct);

    /// <summary>Appends a step to a created template's journal (making its row on the first), with its result and target id once known.</summary>
    public Task RecordTemplateAsync(Guid restoreId, string sourceTemplateId, JournalEntry step, string result, string? targetTemplateId, CancellationToken ct)
    {
        var stepJson = StoredJson.Write(new[] { step });
        return db.Database.ExecuteSqlInterpolatedAsync($"""
            INSERT INTO restore.restore_templates (restore_id, source_template_id, target_template_id, result, journal, updated_at)
            VALUES ({restoreId}, {sourceTemplateId}, {targetTemplateId}, {result}, {stepJson}::jsonb, now())
            ON CONFLICT (restore_id, source_template_id) DO UPDATE
            SET journal = restore_templates.journal || EXCLUDED.journal, result = EXCLUDED.result,
                target_template_id = COALESCE(EXCLUDED.target_template_id, restore_templates.target_template_id), updated_at = now()
            """, ct);
    }

    /// <summary>Records the target policies that could be an item's lost create (shown while it needs reconciling).</summary>
    public Task SetReconcileCandidatesAsync(Guid restoreId, Guid itemId, IReadOnlyList<string> candidates, CancellationToken ct)
    {
        var json = StoredJson.Write(candidates);
        return db.Database.ExecuteSqlInterpolatedAsync(
            $"UPDATE restore.restore_items SET reconcile_candidates = {json}::jsonb WHERE restore_id = {restoreId} AND item_id = {itemId}", ct);
    }

    /// <summary>
    /// The lost creates still open in a target tenant (<see cref="LostCreate"/>): items of earlier restores into it left
    /// NEEDS_RECONCILE that no later restore into it has settled (an item of the same family, type and name created,
    /// updated or found unchanged).
    /// </summary>
    public async Task<List<LostCreate>> OpenLostCreatesAsync(Guid targetTenantId, Guid exceptRestoreId, CancellationToken ct)
    {
        var items = from item in db.Items.AsNoTracking()
                    join restore in db.Restores.AsNoTracking() on item.RestoreId equals restore.Id
                    where restore.TargetTenantId == targetTenantId && restore.Id != exceptRestoreId
                    select new { item.Family, item.OdataType, item.DisplayName, item.Result, item.RestoreId, item.ItemId, item.ReconcileCandidates, restore.CreatedAt };
        var lost = await items.Where(i => i.Result == RestoreItemResults.NeedsReconcile).ToListAsync(ct);
        if (lost.Count == 0)
        {
            return [];
        }
        var names = lost.Select(l => l.DisplayName).Distinct().ToList();
        var settled = await items
            .Where(i => names.Contains(i.DisplayName)
                && (i.Result == RestoreItemResults.Created || i.Result == RestoreItemResults.Updated || i.Result == RestoreItemResults.Unchanged))
            .Select(i => new { i.Family, i.OdataType, i.DisplayName, i.CreatedAt })
            .ToListAsync(ct);
        return [.. lost
            .Where(l => !settled.Any(s => s.Family == l.Family && s.OdataType == l.OdataType && s.DisplayName == l.DisplayName && s.CreatedAt > l.CreatedAt))
            .GroupBy(l => (l.Family, l.OdataType, l.DisplayName))
            .Select(g => g.MaxBy(l => l.CreatedAt)!)
            .Select(l => new LostCreate(l.Family, l.OdataType, l.DisplayName, l.RestoreId, l.ItemId,
                StoredJson.Read<List<string>>(l.ReconcileCandidates)))];
    }

    private async Task EnsureChangedAsync(int changed, Guid restoreId, string action, CancellationToken ct)
    {
        if (changed == 1)
        {
            return;
        }
        var current = await GetAsync(restoreId, ct);
        throw new FailedPreconditionException($"Restore '{restoreId}' is {current.Status.ToUpperInvariant()}: it is not possible to {action} now.");
    }
}
