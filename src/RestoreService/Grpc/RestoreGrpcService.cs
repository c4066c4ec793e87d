using Grpc.Core;
using Microsoft.AspNetCore.Authorization;
using TenantAtlas.Restore.V1;
using TenantAtlas.RestoreService.Execution;
using TenantAtlas.RestoreService.Planning;
using TenantAtlas.Workers;
using Capabilities = TenantAtlas.Contracts.Capabilities;

namespace TenantAtlas.RestoreService.Grpc;

/// <summary>tenantatlas.restore.v1.RestoreService: validates requests, then delegates to <see cref="RestoreCommands"/> and <see cref="RestoreQueries"/>.</summary>
[Authorize]
public sealed class RestoreGrpcService(RestoreCommands commands, RestoreQueries queries, TenantAccess access) : Restore.V1.RestoreService.RestoreServiceBase
{
    public const int MaxItems = 1_000;
    public const int MaxChoices = 1_000;

    public override async Task<CreateRestoreResponse> CreateRestore(CreateRestoreRequest request, ServerCallContext context)
    {
        var v = new RequestValidator();
        var targetTenantId = v.RequiredId("target_tenant_id", request.TargetTenantId);
        var backupSetId = v.RequiredId("backup_set_id", request.BackupSetId);
        var itemIds = v.AtMost("item_ids", request.ItemIds, MaxItems).Select((id, i) => v.RequiredId($"item_ids[{i}]", id)).ToList();
        if (itemIds.Count != itemIds.Distinct().Count())
        {
            v.Add("item_ids", "lists an item more than once; name each item once.");
        }
        v.ThrowIfInvalid();

        var restore = await commands.CreateAsync(targetTenantId, backupSetId, itemIds, request.Options, context);
        return new CreateRestoreResponse { Restore = await queries.ToProtoAsync(restore, context.CancellationToken) };
    }

    public override async Task<PreviewRestoreResponse> PreviewRestore(PreviewRestoreRequest request, ServerCallContext context)
    {
        var restoreId = RestoreId(request.RestoreId);
        var (restore, run) = await commands.PreviewAsync(restoreId, context);
        return new PreviewRestoreResponse { Restore = await queries.ToProtoAsync(restore, context.CancellationToken), Run = run };
    }

    public override async Task<SetGroupMappingsResponse> SetGroupMappings(SetGroupMappingsRequest request, ServerCallContext context)
    {
        var v = new RequestValidator();
        var restoreId = v.RequiredId("restore_id", request.RestoreId);
        var choices = new List<GroupChoiceEntry>();
        var requested = v.AtMost("choices", request.Choices, MaxChoices);
        if (requested.Count == 0 && request.Choices.Count == 0)
        {
            v.Add("choices", "is empty: give at least one choice.");
        }
        for (var i = 0; i < requested.Count; i++)
        {
            var choice = requested[i];
            var sourceGroupId = v.RequiredId($"choices[{i}].source_group_id", choice.SourceGroupId).ToString();
            var kind = v.DefinedEnum($"choices[{i}].choice", choice.Choice) switch
            {
                GroupChoice.Map => GroupChoiceEntry.Map,
                GroupChoice.Skip => GroupChoiceEntry.Skip,
                GroupChoice.OmitAssignments => GroupChoiceEntry.OmitAssignments,
                GroupChoice.Automatic => "automatic",
                _ => null,
            };
            if (kind is null)
            {
                v.Add($"choices[{i}].choice", "is required: GROUP_CHOICE_MAP, GROUP_CHOICE_SKIP, GROUP_CHOICE_OMIT_ASSIGNMENTS or GROUP_CHOICE_AUTOMATIC.");
            }
            string? target = null;
            if (kind == GroupChoiceEntry.Map)
            {
                target = v.RequiredId($"choices[{i}].target_group_id", choice.TargetGroupId).ToString();
            }
            else if (choice.TargetGroupId.Length > 0)
            {
                v.Add($"choices[{i}].target_group_id", "is only for GROUP_CHOICE_MAP; leave it empty.");
            }
            if (choices.Any(c => c.SourceGroupId == sourceGroupId))
            {
                v.Add($"choices[{i}].source_group_id", "names a group chosen for already in this request; give one choice per group.");
            }
            choices.Add(new GroupChoiceEntry(sourceGroupId, kind ?? string.Empty, target));
        }
        v.ThrowIfInvalid();

        var (restore, run) = await commands.SetGroupMappingsAsync(restoreId, choices, context);
        return new SetGroupMappingsResponse { Restore = await queries.ToProtoAsync(restore, context.CancellationToken), Run = run };
    }

    public override async Task<SetReferenceDecisionsResponse> SetReferenceDecisions(SetReferenceDecisionsRequest request, ServerCallContext context)
    {
        var v = new RequestValidator();
        var restoreId = v.RequiredId("restore_id", request.RestoreId);
        var requested = v.AtMost("decisions", request.Decisions, MaxChoices);
        if (request.Decisions.Count == 0)
        {
            v.Add("decisions", "is empty: give at least one decision.");
        }
        var decisions = new List<ReferenceDecisionEntry>();
        for (var i = 0; i < requested.Count; i++)
        {
            var decision = ReferenceDecisionValidation.Read(v, $"decisions[{i}]", requested[i]);
            if (decision is not null && decisions.Any(decision.SameReference))
            {
                v.Add($"decisions[{i}]", "decides a reference already decided in this request; give one decision per reference.");
            }
            if (decision is not null)
            {
                decisions.Add(decision);
            }
        }
        v.ThrowIfInvalid();

        var (restore, run) = await commands.SetReferenceDecisionsAsync(restoreId, decisions, context);
        return new SetReferenceDecisionsResponse { Restore = await queries.ToProtoAsync(restore, context.CancellationToken), Run = run };
    }

    public override async Task<ExecuteRestoreResponse> ExecuteRestore(ExecuteRestoreRequest request, ServerCallContext context)
    {
        var v = new RequestValidator();
        var restoreId = v.RequiredId("restore_id", request.RestoreId);
        if (request.PlanHash.Length != 64 || !request.PlanHash.All(Uri.IsHexDigit))
        {
            v.Add("plan_hash", "is required: the 64-hex-digit plan_hash of the preview you reviewed (GetRestore).");
        }
        var secrets = new List<SecretInput>();
        var given = v.AtMost("secrets", request.Secrets, MaxChoices);
        for (var i = 0; i < given.Count; i++)
        {
            var itemId = v.RequiredId($"secrets[{i}].item_id", given[i].ItemId);
            if (!given[i].Path.StartsWith('/'))
            {
                v.Add($"secrets[{i}].path", "is required: a JSON pointer from the item's secret_paths, e.g. \"/preSharedKey\".");
            }
            if (given[i].Value.Length is 0 or > SecretInput.MaxValueLength)
            {
                v.Add($"secrets[{i}].value", $"is required, at most {SecretInput.MaxValueLength} characters.");
            }
            secrets.Add(new SecretInput(itemId, given[i].Path, given[i].Value));
        }
        v.ThrowIfInvalid();

        var (restore, run) = await commands.ExecuteAsync(restoreId, request.PlanHash, secrets, context);
        return new ExecuteRestoreResponse { Restore = await queries.ToProtoAsync(restore, context.CancellationToken), Run = run };
    }

    public override async Task<CancelRestoreResponse> CancelRestore(CancelRestoreRequest request, ServerCallContext context)
    {
        var restore = await commands.CancelAsync(RestoreId(request.RestoreId), context);
        return new CancelRestoreResponse { Restore = await queries.ToProtoAsync(restore, context.CancellationToken) };
    }

    public override async Task<GetRestoreResponse> GetRestore(GetRestoreRequest request, ServerCallContext context)
    {
        var restore = await VisibleAsync(RestoreId(request.RestoreId), context);
        return new GetRestoreResponse { Restore = await queries.ToProtoAsync(restore, context.CancellationToken) };
    }

    public override async Task<ListRestoresResponse> ListRestores(ListRestoresRequest request, ServerCallContext context)
    {
        var v = new RequestValidator();
        var tenantId = v.RequiredId("tenant_id", request.TenantId);
        var pageSize = v.PageSize("page_size", request.PageSize);
        v.ThrowIfInvalid();

        await access.RequireAsync(tenantId, Capabilities.BackupSetsView, "view restores", context);
        var (restores, next) = await queries.ListAsync(tenantId, pageSize, request.PageToken, context.CancellationToken);
        var response = new ListRestoresResponse { NextPageToken = next ?? string.Empty };
        response.Restores.AddRange(restores);
        return response;
    }

    public override async Task<ListRestoreItemsResponse> ListRestoreItems(ListRestoreItemsRequest request, ServerCallContext context)
    {
        var v = new RequestValidator();
        var restoreId = v.RequiredId("restore_id", request.RestoreId);
        var pageSize = v.PageSize("page_size", request.PageSize, defaultSize: 100, maxSize: 500);
        v.ThrowIfInvalid();

        var restore = await VisibleAsync(restoreId, context);
        var (items, next) = await queries.ListItemsAsync(restore.Id, pageSize, request.PageToken, context.CancellationToken);
        var response = new ListRestoreItemsResponse { NextPageToken = next ?? string.Empty };
        response.Items.AddRange(items);
        return response;
    }

    /// <summary>Reading a restore needs tenant.backup_sets.view on its target tenant.</summary>
    private async Task<Persistence.RestoreRunEntity> VisibleAsync(Guid restoreId, ServerCallContext context)
    {
        var restore = await queries.RestoreAsync(restoreId, context.CancellationToken);
        await access.RequireForAsync(restore.TargetTenantId, Capabilities.BackupSetsView, "view restores", RestoreQueries.NotFound(restoreId), context);
        return restore;
    }

    private static Guid RestoreId(string value)
    {
        var v = new RequestValidator();
        var id = v.RequiredId("restore_id", value);
        v.ThrowIfInvalid();
        return id;
    }
}
