using TenantAtlas.Workers;
using System.Security.Cryptography;
using System.Text;
using Grpc.Core;
using Microsoft.AspNetCore.Authorization;
using TenantAtlas.Backup.V1;
using TenantAtlas.BackupService.Capture;
using TenantAtlas.BackupService.Drift;
using TenantAtlas.BackupService.Persistence;
using TenantAtlas.BackupService.Schedules;
using TenantAtlas.Inventory.V1;
using TenantAtlas.Runs.V1;
using TenantAtlas.TenantGraph;
using Capabilities = TenantAtlas.Contracts.Capabilities;

namespace TenantAtlas.BackupService.Grpc;

/// <summary>
/// tenantatlas.backup.v1.BackupService. Starting a capture acts with the caller's own token toward RunsService, so
/// RunsService decides access and records the caller as the initiator; reads check the caller's access the same way.
/// </summary>
[Authorize]
public sealed class BackupGrpcService(
    RunsService.RunsServiceClient runs,
    TenantAccess access,
    BackupQueries queries,
    BackupDbContext db,
    CaptureWriter captureWriter,
    ScheduleCommands schedules,
    DriftCommands drift,
    SetComparison comparison) : Backup.V1.BackupService.BackupServiceBase
{
    public const int MaxDisplayName = 200;

    public override async Task<CreateBackupSetResponse> CreateBackupSet(CreateBackupSetRequest request, ServerCallContext context)
    {
        var v = new RequestValidator();
        var tenantId = v.RequiredId("tenant_id", request.TenantId);
        var displayName = v.RequiredText("display_name", request.DisplayName, MaxDisplayName);
        v.ThrowIfInvalid();

        var tenant = await access.RequireAsync(tenantId, Capabilities.BackupSetsManage, "create backup sets", context);
        var set = new BackupSetEntity
        {
            Id = Guid.CreateVersion7(),
            WorkspaceId = Guid.Parse(tenant.WorkspaceId),
            TenantId = tenantId,
            DisplayName = displayName,
            CreatedBy = context.Caller().Subject,
            CreatedAt = DateTime.UtcNow,
            Status = SetStatus.Empty,
        };
        db.Sets.Add(set);
        await db.SaveChangesAsync(context.CancellationToken);
        return new CreateBackupSetResponse { BackupSet = BackupQueries.ToProto(set, 0) };
    }

    public override async Task<AddPoliciesResponse> AddPolicies(AddPoliciesRequest request, ServerCallContext context)
    {
        var v = new RequestValidator();
        var backupSetId = v.RequiredId("backup_set_id", request.BackupSetId);
        var selection = SelectionValidation.Validate(v, "selection", request.Selection);
        v.ThrowIfInvalid();

        var set = await queries.SetAsync(backupSetId, context.CancellationToken);
        var tenant = await access.RequireAsync(set.TenantId, Capabilities.BackupSetsManage, "add policies to a backup set", context);
        var ensured = await runs.EnsureRunAsync(new EnsureRunRequest
        {
            WorkspaceId = tenant.WorkspaceId,
            TenantId = tenant.TenantId,
            Type = AddPoliciesHandler.Type,
            // The set and the selection are the identity: the same selection into the same set while it is being captured is the same work.
            IdentityInputs = { ["backup_set"] = set.Id.ToString(), ["selection"] = selection.Fingerprint },
            Context = new CaptureContext(set.Id, tenant.EntraTenantId, selection.Families, selection.PolicyIds).ToStruct(),
        }, context.ForwardedAuthorization(), cancellationToken: context.CancellationToken);
        await captureWriter.BeginAsync(set.Id, Guid.Parse(ensured.Run.RunId), context.CancellationToken);
        return new AddPoliciesResponse { Run = ensured.Run, Created = ensured.Created };
    }

    public override async Task<GetBackupSetResponse> GetBackupSet(GetBackupSetRequest request, ServerCallContext context)
    {
        var v = new RequestValidator();
        var backupSetId = v.RequiredId("backup_set_id", request.BackupSetId);
        v.ThrowIfInvalid();

        var set = await VisibleSetAsync(backupSetId, context);
        return new GetBackupSetResponse { BackupSet = BackupQueries.ToProto(set, await queries.ItemCountAsync(set.Id, context.CancellationToken)) };
    }

    public override async Task<ListBackupSetsResponse> ListBackupSets(ListBackupSetsRequest request, ServerCallContext context)
    {
        var v = new RequestValidator();
        var tenantId = v.RequiredId("tenant_id", request.TenantId);
        var pageSize = v.PageSize("page_size", request.PageSize);
        v.ThrowIfInvalid();

        await access.RequireAsync(tenantId, Capabilities.BackupSetsView, "view backup sets", context);
        var (sets, next) = await queries.ListSetsAsync(tenantId, pageSize, request.PageToken, context.CancellationToken);
        var response = new ListBackupSetsResponse { NextPageToken = next ?? string.Empty };
        response.BackupSets.AddRange(sets);
        return response;
    }

    public override async Task<ListBackupItemsResponse> ListBackupItems(ListBackupItemsRequest request, ServerCallContext context)
    {
        var v = new RequestValidator();
        var backupSetId = v.RequiredId("backup_set_id", request.BackupSetId);
        var outcome = v.DefinedEnum("outcome", request.Outcome) switch
        {
            BackupItemOutcome.Captured => ItemOutcome.Captured,
            BackupItemOutcome.Failed => ItemOutcome.Failed,
            _ => null,
        };
        var pageSize = v.PageSize("page_size", request.PageSize, defaultSize: 100, maxSize: 500);
        v.ThrowIfInvalid();

        var set = await VisibleSetAsync(backupSetId, context);
        var (items, next) = await queries.ListItemsAsync(set.Id, outcome, pageSize, request.PageToken, context.CancellationToken);
        var response = new ListBackupItemsResponse { NextPageToken = next ?? string.Empty };
        response.Items.AddRange(items);
        return response;
    }

    public override async Task<GetBackupItemResponse> GetBackupItem(GetBackupItemRequest request, ServerCallContext context)
    {
        var v = new RequestValidator();
        var backupSetId = v.RequiredId("backup_set_id", request.BackupSetId);
        var itemId = v.RequiredId("item_id", request.ItemId);
        v.ThrowIfInvalid();

        var set = await VisibleSetAsync(backupSetId, context);
        return await queries.ItemAsync(set, itemId, context.CancellationToken);
    }

    public override Task<CompareBackupSetsResponse> CompareBackupSets(CompareBackupSetsRequest request, ServerCallContext context) =>
        comparison.CompareAsync(request, context);

    public override async Task<GenerateDriftResponse> GenerateDrift(GenerateDriftRequest request, ServerCallContext context)
    {
        var ensured = await drift.GenerateAsync(request, context);
        return new GenerateDriftResponse { Run = ensured.Run, Created = ensured.Created };
    }

    public override Task<ListDriftFindingsResponse> ListDriftFindings(ListDriftFindingsRequest request, ServerCallContext context) =>
        drift.ListAsync(request, context);

    public override async Task<CreateBackupScheduleResponse> CreateBackupSchedule(CreateBackupScheduleRequest request, ServerCallContext context) =>
        new() { Schedule = await schedules.CreateAsync(request.TenantId, request.Definition, context) };

    public override async Task<UpdateBackupScheduleResponse> UpdateBackupSchedule(UpdateBackupScheduleRequest request, ServerCallContext context) =>
        new() { Schedule = await schedules.UpdateAsync(request.ScheduleId, request.Definition, context) };

    public override async Task<DeleteBackupScheduleResponse> DeleteBackupSchedule(DeleteBackupScheduleRequest request, ServerCallContext context)
    {
        await schedules.DeleteAsync(request.ScheduleId, context);
        return new DeleteBackupScheduleResponse();
    }

    public override async Task<GetBackupScheduleResponse> GetBackupSchedule(GetBackupScheduleRequest request, ServerCallContext context) =>
        new() { Schedule = await schedules.GetAsync(request.ScheduleId, context) };

    public override async Task<ListBackupSchedulesResponse> ListBackupSchedules(ListBackupSchedulesRequest request, ServerCallContext context) =>
        new() { Schedules = { await schedules.ListAsync(request.TenantId, context) } };

    public override async Task<RunBackupScheduleNowResponse> RunBackupScheduleNow(RunBackupScheduleNowRequest request, ServerCallContext context)
    {
        var ensured = await schedules.RunNowAsync(request.ScheduleId, request.ClickId, context);
        return new RunBackupScheduleNowResponse { Run = ensured.Run, Created = ensured.Created };
    }

    public override async Task<RetryBackupScheduleRunResponse> RetryBackupScheduleRun(RetryBackupScheduleRunRequest request, ServerCallContext context)
    {
        var ensured = await schedules.RetryAsync(request.ScheduleId, request.RunId, request.ClickId, context);
        return new RetryBackupScheduleRunResponse { Run = ensured.Run, Created = ensured.Created };
    }

    /// <summary>A set the caller may view; NOT_FOUND for a set of a tenant they are not entitled to, as for one that does not exist.</summary>
    private async Task<BackupSetEntity> VisibleSetAsync(Guid backupSetId, ServerCallContext context)
    {
        var set = await queries.SetAsync(backupSetId, context.CancellationToken);
        await access.RequireForAsync(set.TenantId, Capabilities.BackupSetsView, "view backup sets", BackupQueries.SetNotFound(backupSetId), context);
        return set;
    }
}
