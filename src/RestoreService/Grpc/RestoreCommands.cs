using Grpc.Core;
using TenantAtlas.Backup.V1;
using TenantAtlas.Inventory.V1;
using TenantAtlas.Restore.V1;
using TenantAtlas.RestoreService.Execution;
using TenantAtlas.RestoreService.Persistence;
using TenantAtlas.RestoreService.Planning;
using TenantAtlas.RestoreService.Restores;
using TenantAtlas.Runs.V1;
using TenantAtlas.Workers;
using BackupClient = TenantAtlas.Backup.V1.BackupService.BackupServiceClient;
using Capabilities = TenantAtlas.Contracts.Capabilities;
using InventoryClient = TenantAtlas.Inventory.V1.InventoryService.InventoryServiceClient;
using RunTypes = TenantAtlas.Contracts.RunTypes;

namespace TenantAtlas.RestoreService.Grpc;

/// <summary>
/// What the restore RPCs change. Each reads the restore, checks the caller's access to its target tenant (RunsService
/// decides; NOT_FOUND for a tenant the caller is not entitled to, as for a restore that does not exist), then moves it
/// with one guarded transition. Runs are started with the caller's own token, so RunsService records them as the initiator.
/// </summary>
public sealed class RestoreCommands(
    RestoreStore store,
    RestoreQueries queries,
    TenantAccess access,
    BackupClient backup,
    InventoryClient inventory,
    RunsService.RunsServiceClient runs,
    AdapterRuns adapters,
    SourceReader sources,
    SecretVault vault,
    TargetTemplates target)
{
    public async Task<RestoreRunEntity> CreateAsync(Guid targetTenantId, Guid backupSetId, IReadOnlyList<Guid> itemIds, Restore.V1.RestoreOptions options,
        ServerCallContext context)
    {
        var target = await access.RequireAsync(targetTenantId, Capabilities.RestoreExecute, "restore into this tenant", context);
        var setNotFound = $"Backup set '{backupSetId}' does not exist in the target tenant's workspace, or you may not see it.";
        BackupSet set;
        try
        {
            set = (await backup.GetBackupSetAsync(new GetBackupSetRequest { BackupSetId = backupSetId.ToString() }, context.ForwardedAuthorization(),
                cancellationToken: context.CancellationToken)).BackupSet;
        }
        catch (RpcException e) when (e.StatusCode == StatusCode.NotFound)
        {
            throw new NotFoundException(setNotFound);
        }
        if (set.WorkspaceId != target.WorkspaceId)
        {
            // A set of another workspace is as unknown as a set that does not exist: restores never cross workspaces.
            throw new NotFoundException(setNotFound);
        }
        var items = await sources.ListAsync(backupSetId, context.ForwardedAuthorization(), context.CancellationToken);
        var known = items.ToDictionary(i => Guid.Parse(i.ItemId));
        if (itemIds.Where(id => !known.ContainsKey(id)).ToList() is { Count: > 0 } unknown)
        {
            throw new RequestValidationException("item_ids",
                $"{unknown.Count} item id(s) are not items of backup set '{backupSetId}', e.g. '{unknown[0]}'. Use ListBackupItems for its items.");
        }
        var chosen = itemIds.Count == 0 ? items : [.. itemIds.Select(id => known[id])];
        if (!chosen.Any(i => i.ContentHash.Length > 0))
        {
            throw new FailedPreconditionException(
                "The selection holds no captured policy, so there is nothing to restore: choose captured items, or capture the set first.");
        }
        var now = DateTime.UtcNow;
        var restore = new RestoreRunEntity
        {
            Id = Guid.CreateVersion7(),
            WorkspaceId = Guid.Parse(target.WorkspaceId),
            BackupSetId = backupSetId,
            SourceTenantId = Guid.Parse(set.TenantId),
            TargetTenantId = targetTenantId,
            TargetEntraTenantId = target.EntraTenantId,
            CrossTenant = set.TenantId != target.TenantId,
            ItemIds = [.. itemIds],
            AllowOverwrite = options?.AllowOverwrite ?? false,
            AllowBroadTargets = options?.AllowBroadTargets ?? false,
            DryRun = options?.DryRun ?? false,
            Status = RestoreStatuses.Draft,
            CreatedBy = context.Caller().Subject,
            CreatedAt = now,
            UpdatedAt = now,
        };
        await store.AddAsync(restore, context.CancellationToken);
        return restore;
    }

    public async Task<(RestoreRunEntity Restore, Run Run)> PreviewAsync(Guid restoreId, ServerCallContext context)
    {
        var restore = await VisibleAsync(restoreId, "preview restores", context);
        RequireStatus(restore, RestoreStatuses.Previewable, "preview it");
        await store.StartPreviewAsync(restore.Id, groupChoices: null, context.CancellationToken);
        var run = await StartPreviewRunAsync(restore, context);
        return (await store.GetAsync(restore.Id, context.CancellationToken), run);
    }

    public async Task<(RestoreRunEntity Restore, Run Run)> SetGroupMappingsAsync(Guid restoreId, IReadOnlyList<GroupChoiceEntry> choices,
        ServerCallContext context)
    {
        var restore = await VisibleAsync(restoreId, "change a restore's mappings", context);
        RequireStatus(restore, [RestoreStatuses.Draft, RestoreStatuses.Previewed], "change its mappings (wait for a running preview to finish)");
        var chosenGroups = choices.Where(c => c.TargetGroupId is not null).Select(c => c.TargetGroupId!).Distinct(StringComparer.OrdinalIgnoreCase).ToList();
        if (chosenGroups.Count > 0)
        {
            var request = new ResolveDirectoryGroupsRequest { TenantId = restore.TargetTenantId.ToString() };
            request.GroupIds.AddRange(chosenGroups);
            var found = (await inventory.ResolveDirectoryGroupsAsync(request, context.ForwardedAuthorization(), cancellationToken: context.CancellationToken))
                .ById.Select(g => g.GroupId).ToHashSet(StringComparer.OrdinalIgnoreCase);
            var v = new RequestValidator();
            for (var i = 0; i < choices.Count; i++)
            {
                if (choices[i].TargetGroupId is { } groupId && !found.Contains(groupId))
                {
                    v.Add($"choices[{i}].target_group_id",
                        $"'{groupId}' is not a group of the target tenant's directory-group cache; search it there (SearchDirectoryGroups), or sync the groups first.");
                }
            }
            v.ThrowIfInvalid();
        }
        var named = choices.Select(c => c.SourceGroupId).ToHashSet(StringComparer.OrdinalIgnoreCase);
        var merged = GroupChoiceEntry.Parse(restore.GroupChoices).Where(c => !named.Contains(c.SourceGroupId))
            .Concat(choices.Where(c => c.Choice != "automatic")).ToList();
        await store.StartPreviewAsync(restore.Id, StoredJson.Write(merged), context.CancellationToken);
        var run = await StartPreviewRunAsync(restore, context);
        return (await store.GetAsync(restore.Id, context.CancellationToken), run);
    }

    public async Task<(RestoreRunEntity Restore, Run Run)> SetReferenceDecisionsAsync(Guid restoreId, IReadOnlyList<ReferenceDecisionEntry> decisions,
        ServerCallContext context)
    {
        var restore = await VisibleAsync(restoreId, "change a restore's decisions", context);
        RequireStatus(restore, [RestoreStatuses.Draft, RestoreStatuses.Previewed], "change its decisions (wait for a running preview to finish)");
        var v = new RequestValidator();
        var itemIds = (await sources.ListAsync(restore.BackupSetId, context.ForwardedAuthorization(), context.CancellationToken))
            .Select(i => Guid.Parse(i.ItemId)).ToHashSet();
        var templates = TemplateMappingEntry.Parse(restore.TemplateMappings).ToDictionary(t => t.SourceTemplateId, StringComparer.OrdinalIgnoreCase);
        var planned = decisions.Any(d => d.Kind == ReferenceKinds.LostCreate && d.Choice == ReferenceDecisionEntry.Map)
            ? (await store.ItemsAsync(restore.Id, context.CancellationToken)).ToDictionary(i => i.ItemId)
            : [];
        for (var i = 0; i < decisions.Count; i++)
        {
            var decision = decisions[i];
            if (decision.ItemId is { } itemId && (!itemIds.Contains(itemId) || (restore.ItemIds.Count > 0 && !restore.ItemIds.Contains(itemId))))
            {
                v.Add($"decisions[{i}].item_id", $"'{itemId}' is not an item of this restore; use ListRestoreItems for its items.");
            }
            if (decision.Kind == ReferenceKinds.NotificationTemplate)
            {
                if (!templates.ContainsKey(decision.SourceValue))
                {
                    v.Add($"decisions[{i}].source_value",
                        $"'{decision.SourceValue}' is not a notification template of this restore's source (see template_mappings; preview first).");
                }
                else if (decision.Choice == ReferenceDecisionEntry.Map && decision.TargetValue is { } chosen
                    && !templates[decision.SourceValue].CandidateTemplateIds.Contains(chosen, StringComparer.OrdinalIgnoreCase)
                    && !await target.HasNotificationTemplateAsync(restore.TargetEntraTenantId, chosen, context.CancellationToken))
                {
                    v.Add($"decisions[{i}].target_value", $"'{chosen}' is not a notification template of the target tenant.");
                }
            }
            if (decision is { Kind: ReferenceKinds.LostCreate, Choice: ReferenceDecisionEntry.Map, ItemId: { } lostItem, TargetValue: { } adopted }
                && !LostCreateCandidates(planned.GetValueOrDefault(lostItem)).Contains(adopted, StringComparer.OrdinalIgnoreCase))
            {
                v.Add($"decisions[{i}].target_value",
                    $"'{adopted}' is not a candidate of the item's lost create: adopt one of the target policies its preview lists (ReferenceDecision.candidates).");
            }
        }
        v.ThrowIfInvalid();
        var merged = ReferenceDecisionEntry.Parse(restore.ReferenceDecisions).Where(d => !decisions.Any(d.SameReference))
            .Concat(decisions.Where(d => d.Choice != ReferenceDecisionEntry.Automatic)).ToList();
        await store.StartPreviewAsync(restore.Id, groupChoices: null, context.CancellationToken, StoredJson.Write(merged));
        var run = await StartPreviewRunAsync(restore, context);
        return (await store.GetAsync(restore.Id, context.CancellationToken), run);
    }

    public async Task<(RestoreRunEntity Restore, Run Run)> ExecuteAsync(Guid restoreId, string planHash, IReadOnlyList<SecretInput> secrets,
        ServerCallContext context)
    {
        var restore = await VisibleAsync(restoreId, "execute restores", context);
        if (restore.Status is RestoreStatuses.Queued or RestoreStatuses.Running)
        {
            // Executing twice is the same execution: its one adapter run.
            return (restore, await adapters.GetAsync(restore.ExecuteRunId!.Value, context.CancellationToken));
        }
        RequireStatus(restore, [RestoreStatuses.Previewed], RestoreStatuses.IsEnded(restore.Status)
            ? "execute it again: create a new restore to restore again"
            : "execute it: preview it first, then execute the plan you saw");
        if (!string.Equals(planHash, restore.PlanHash, StringComparison.OrdinalIgnoreCase))
        {
            throw new FailedPreconditionException(
                $"The plan changed since you saw it: its hash is now '{restore.PlanHash}'. Review the current preview and execute with its plan_hash.");
        }
        if (restore.PlanExpiresAt <= DateTime.UtcNow)
        {
            throw new FailedPreconditionException(
                $"The plan expired at {restore.PlanExpiresAt:u}: the target may have changed since. Preview again, then execute the new plan.");
        }
        var items = await store.ItemsAsync(restore.Id, context.CancellationToken);
        RequireDecided(items, BlockedReasons.UnmappedGroup, "reference groups without a mapping in the target",
            "Choose a mapping, skip or leave out for each missing group (SetGroupMappings).");
        RequireDecided(items, BlockedReasons.UndecidedReference, "wait for your decision on a reference",
            "Decide for each (SetReferenceDecisions): see the items' references with decision \"undecided\" and the restore's template_mappings.");
        SecretInput.Validate(secrets, items);
        if (secrets.Count > 0)
        {
            // Held in this process's memory for the execution only (write-only input, never stored).
            vault.Hold(restore.Id, secrets, restore.PlanExpiresAt!.Value);
        }
        if (!await store.QueueAsync(restore.Id, restore.PlanHash!, context.CancellationToken))
        {
            var now = await store.GetAsync(restore.Id, context.CancellationToken);
            throw new FailedPreconditionException($"Restore '{restore.Id}' is {now.Status.ToUpperInvariant()}: its plan can no longer be executed.");
        }
        Run run;
        try
        {
            run = await adapters.ReleaseAsync(restore.ExecuteRunId!.Value, context.ForwardedAuthorization(), context.CancellationToken);
        }
        catch (RpcException e) when (e.StatusCode == StatusCode.FailedPrecondition)
        {
            // The execution run was completed before it was released: cancelled with CancelRun while this service did not
            // hear of it. The restore follows its run (seed 054).
            await store.CancelForRunAsync(restore.ExecuteRunId!.Value, context.CancellationToken);
            throw new FailedPreconditionException(
                $"Restore '{restore.Id}' was cancelled: its execution run {restore.ExecuteRunId} was cancelled (CancelRun) before it ran. Create a new restore.");
        }
        await store.ClearAdapterPendingAsync(restore.Id, RestoreStore.AdapterRelease, context.CancellationToken);
        return (await store.GetAsync(restore.Id, context.CancellationToken), run);
    }

    public async Task<RestoreRunEntity> CancelAsync(Guid restoreId, ServerCallContext context)
    {
        var restore = await VisibleAsync(restoreId, "cancel restores", context);
        await store.CancelAsync(restore.Id, context.CancellationToken);
        if (restore.ExecuteRunId is { } runId)
        {
            await adapters.CancelAsync(runId, context.CancellationToken);
            await store.ClearAdapterPendingAsync(restore.Id, RestoreStore.AdapterCancel, context.CancellationToken);
        }
        return await store.GetAsync(restore.Id, context.CancellationToken);
    }

    /// <summary>The target policies the item's last preview listed as possibly its lost create.</summary>
    private static IEnumerable<string> LostCreateCandidates(RestoreItemEntity? item) =>
        item is null ? [] : StoredJson.Read<List<ReferenceEntry>>(item.References).Where(r => r.Kind == ReferenceKinds.LostCreate).SelectMany(r => r.Candidates);

    /// <summary>FAILED_PRECONDITION listing the items still blocked for want of a choice, so the caller knows what to decide.</summary>
    private static void RequireDecided(IReadOnlyList<RestoreItemEntity> items, string reason, string what, string how)
    {
        var waiting = items.Where(i => i.BlockedReason == reason).Select(i => i.DisplayName).ToList();
        if (waiting.Count > 0)
        {
            throw new FailedPreconditionException(
                $"{waiting.Count} item(s) {what}: {string.Join(", ", waiting.Take(10).Select(n => $"'{n}'"))}{(waiting.Count > 10 ? ", …" : string.Empty)}. {how}");
        }
    }

    /// <summary>The restore, when the caller may act on its target tenant with <paramref name="action"/> (restore.execute's capability).</summary>
    private async Task<RestoreRunEntity> VisibleAsync(Guid restoreId, string action, ServerCallContext context)
    {
        var restore = await queries.RestoreAsync(restoreId, context.CancellationToken);
        await access.RequireForAsync(restore.TargetTenantId, Capabilities.RestoreExecute, action, RestoreQueries.NotFound(restoreId), context);
        return restore;
    }

    /// <summary>One restore.preview run per restore while active: a second request joins it.</summary>
    private async Task<Run> StartPreviewRunAsync(RestoreRunEntity restore, ServerCallContext context)
    {
        var run = (await runs.EnsureRunAsync(new EnsureRunRequest
        {
            WorkspaceId = restore.WorkspaceId.ToString(),
            TenantId = restore.TargetTenantId.ToString(),
            Type = RunTypes.RestorePreview,
            IdentityInputs = { ["restore"] = restore.Id.ToString() },
            Context = RestoreRunContext.For(restore.Id),
        }, context.ForwardedAuthorization(), cancellationToken: context.CancellationToken)).Run;
        await store.ClaimPreviewAsync(restore.Id, Guid.Parse(run.RunId), context.CancellationToken);
        return run;
    }

    private static void RequireStatus(RestoreRunEntity restore, IReadOnlyCollection<string> allowed, string action)
    {
        if (!allowed.Contains(restore.Status))
        {
            throw new FailedPreconditionException($"Restore '{restore.Id}' is {restore.Status.ToUpperInvariant()}: it is not possible to {action}.");
        }
    }
}
