using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using TenantAtlas.RunsService.Persistence;
using TenantAtlas.RunsService.Retention;
using TenantAtlas.ServiceDefaults;
using TenantAtlas.Runs.V1;
using RunRetentionProto = TenantAtlas.Runs.V1.RunRetention;

namespace TenantAtlas.RunsService.Grpc;

public sealed partial class RunsGrpcService
{
    public override async Task<GetRunRetentionResponse> GetRunRetention(GetRunRetentionRequest request, ServerCallContext context)
    {
        var v = new RequestValidator();
        var workspaceId = v.RequiredId("workspace_id", request.WorkspaceId);
        v.ThrowIfInvalid();
        var current = await retention.GetAsync(context.Caller(), workspaceId, context.CancellationToken);
        return new GetRunRetentionResponse { Retention = ToProto(current) };
    }

    public override async Task<UpdateRunRetentionResponse> UpdateRunRetention(UpdateRunRetentionRequest request, ServerCallContext context)
    {
        var v = new RequestValidator();
        var workspaceId = v.RequiredId("workspace_id", request.WorkspaceId);
        if (!RunRetentionSettings.IsValidDays(request.Days))
        {
            v.Add("days", $"must be {WorkspaceEntity.MinRunRetentionDays}-{WorkspaceEntity.MaxRunRetentionDays} days (got {request.Days}).");
        }
        v.ThrowIfInvalid();
        var updated = await retention.UpdateAsync(context.Caller(), workspaceId, request.Days, context.CancellationToken);
        return new UpdateRunRetentionResponse { Retention = ToProto(updated) };
    }

    private static RunRetentionProto ToProto(Retention.RunRetention retention) => new()
    {
        WorkspaceId = retention.WorkspaceId.ToString(),
        Days = retention.Days,
        UpdatedAt = retention.UpdatedAt is { } at ? Timestamp.FromDateTime(DateTime.SpecifyKind(at, DateTimeKind.Utc)) : null,
    };
}
