using Grpc.Core;
using Microsoft.AspNetCore.Authorization;
using TenantAtlas.RunsService.Access;
using TenantAtlas.RunsService.Notifications;
using TenantAtlas.RunsService.Retention;
using TenantAtlas.RunsService.Runs;
using TenantAtlas.RunsService.Watch;
using TenantAtlas.Runs.V1;

namespace TenantAtlas.RunsService.Grpc;

/// <summary>tenantatlas.runs.v1.RunsService: translates requests to <see cref="OperationRunService"/> calls.</summary>
[Authorize]
public sealed partial class RunsGrpcService(
    OperationRunService runs,
    WorkspaceAccess access,
    NotificationInbox inbox,
    RunWatchHub watches,
    Microsoft.Extensions.Options.IOptions<WatchOptions> watchOptions,
    RunRetentionSettings retention) : TenantAtlas.Runs.V1.RunsService.RunsServiceBase
{
    /// <summary>Notification ids marked read in one call: a page of them at most (the page size cap).</summary>
    public const int MaxMarkedIds = 200;

    public override async Task<EnsureRunResponse> EnsureRun(EnsureRunRequest request, ServerCallContext context)
    {
        var command = RunRequests.ToCommand(request);
        var (run, created) = await runs.EnsureAsync(context.Caller(), command, context.CancellationToken);
        return new EnsureRunResponse { Run = run.ToProto(), Created = created };
    }

    public override async Task<UpdateRunResponse> UpdateRun(UpdateRunRequest request, ServerCallContext context)
    {
        var update = RunRequests.ToUpdate(request);
        var run = await runs.UpdateAsync(context.Caller(), update, context.CancellationToken);
        return new UpdateRunResponse { Run = run.ToProto() };
    }

    public override async Task<ReleaseRunResponse> ReleaseRun(ReleaseRunRequest request, ServerCallContext context)
    {
        var v = new RequestValidator();
        var runId = v.RequiredId("run_id", request.RunId);
        v.ThrowIfInvalid();
        var (run, released) = await runs.ReleaseAsync(context.Caller(), runId, context.CancellationToken);
        return new ReleaseRunResponse { Run = run.ToProto(), Released = released };
    }

    public override async Task<GetRunResponse> GetRun(GetRunRequest request, ServerCallContext context)
    {
        var run = await runs.GetAsync(context.Caller(), RunRequests.ToRunId(request.RunId), context.CancellationToken);
        return new GetRunResponse { Run = run.ToProto() };
    }

    public override async Task<ListRunsResponse> ListRuns(ListRunsRequest request, ServerCallContext context)
    {
        var (filter, pageSize) = RunRequests.ToFilter(request);
        var (page, next) = await runs.ListAsync(context.Caller(), filter, pageSize, request.PageToken, context.CancellationToken);
        var response = new ListRunsResponse { NextPageToken = next ?? string.Empty };
        response.Runs.AddRange(page.Select(r => r.ToProto()));
        return response;
    }

    public override async Task<ListRunTypesResponse> ListRunTypes(ListRunTypesRequest request, ServerCallContext context)
    {
        var v = new RequestValidator();
        var workspaceId = v.RequiredId("workspace_id", request.WorkspaceId);
        v.ThrowIfInvalid();
        var rights = await access.RunTypeRightsAsync(context.Caller(), workspaceId, context.CancellationToken);
        var response = new ListRunTypesResponse();
        response.RunTypes.AddRange(rights.Select(r => r.Type.ToProto(r.MayStart, r.MayView)));
        return response;
    }

    public override async Task<ListNotificationsResponse> ListNotifications(ListNotificationsRequest request, ServerCallContext context)
    {
        var v = new RequestValidator();
        var pageSize = v.PageSize("page_size", request.PageSize);
        v.ThrowIfInvalid();
        var (notifications, next, unread) = await inbox.ListAsync(context.Caller(), request.UnreadOnly, pageSize,
            request.PageToken, context.CancellationToken);
        var response = new ListNotificationsResponse { NextPageToken = next ?? string.Empty, UnreadCount = unread };
        response.Notifications.AddRange(notifications.Select(n => n.ToProto()));
        return response;
    }

    public override async Task<MarkNotificationsReadResponse> MarkNotificationsRead(MarkNotificationsReadRequest request,
        ServerCallContext context)
    {
        var v = new RequestValidator();
        var ids = new List<long>();
        foreach (var (id, i) in v.AtMost("notification_ids", request.NotificationIds, MaxMarkedIds).Select((id, i) => (id, i)))
        {
            if (long.TryParse(id, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var parsed))
            {
                ids.Add(parsed);
            }
            else
            {
                v.Add($"notification_ids[{i}]", $"is not a notification id (got {RequestValidator.Quote(id)}).");
            }
        }
        if (!request.All && ids.Count == 0 && request.NotificationIds.Count == 0)
        {
            v.Add("notification_ids", "give the ids to mark, or set all = true.");
        }
        v.ThrowIfInvalid();
        var (marked, unread) = await inbox.MarkReadAsync(context.Caller(), ids, request.All, context.CancellationToken);
        return new MarkNotificationsReadResponse { Marked = marked, UnreadCount = unread };
    }
}
