using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using TenantAtlas.RunsService.Access;
using TenantAtlas.RunsService.Persistence;
using TenantAtlas.RunsService.Runs;
using AccessProto = TenantAtlas.Access.V1;
using Proto = TenantAtlas.Runs.V1;

namespace TenantAtlas.RunsService.Grpc;

/// <summary>Domain records to contract messages. The only place that knows both vocabularies.</summary>
public static class ProtoMapping
{
    private static readonly JsonParser ContextParser = new(JsonParser.Settings.Default.WithIgnoreUnknownFields(true));

    public static Proto.Run ToProto(this RunRecord run)
    {
        var message = new Proto.Run
        {
            RunId = run.Id.ToString(),
            WorkspaceId = run.WorkspaceId.ToString(),
            TenantId = run.TenantId?.ToString() ?? string.Empty,
            Type = run.Type,
            Status = ToProto(run.Status),
            Outcome = ToProto(run.Outcome),
            StatusBucket = ToProto(StatusBucketName.Of(run.Status, run.Outcome)),
            IdentityPolicy = ToProto(run.IdentityPolicy),
            RunIdentityHash = run.IdentityHash,
            Initiator = new Proto.RunInitiator { Subject = run.InitiatorSubject ?? string.Empty, Name = run.InitiatorName },
            Counts = new Proto.RunCounts
            {
                Total = run.Counts.Total,
                Processed = run.Counts.Processed,
                Succeeded = run.Counts.Succeeded,
                Failed = run.Counts.Failed,
                Skipped = run.Counts.Skipped,
            },
            FailuresDropped = run.FailuresDropped,
            Context = ContextParser.Parse<Struct>(run.ContextJson),
            TraceId = run.TraceId ?? string.Empty,
            CreatedAt = Timestamp.FromDateTime(run.CreatedAt),
            StartedAt = run.StartedAt is { } started ? Timestamp.FromDateTime(started) : null,
            CompletedAt = run.CompletedAt is { } completed ? Timestamp.FromDateTime(completed) : null,
            UpdatedAt = Timestamp.FromDateTime(run.UpdatedAt),
            DispatchHeld = run.DispatchHeld,
            CancelRequested = run.CancelRequest is not null,
            CancelRequestedAt = run.CancelRequest is { } cancel ? Timestamp.FromDateTime(cancel.At) : null,
            CancelRequestedBy = run.CancelRequest is { } by ? new Proto.RunInitiator { Subject = by.BySubject ?? string.Empty, Name = by.ByName } : null,
        };
        foreach (var (key, value) in run.IdentityInputs)
        {
            message.IdentityInputs[key] = value;
        }
        message.Failures.AddRange(run.Failures.Select(f => new Proto.RunFailure
        {
            Code = f.Code,
            Message = f.Message,
            Item = f.Item ?? string.Empty,
        }));
        return message;
    }

    public static Proto.RunTypeInfo ToProto(this RunType type, bool canStart, bool canView) => new()
    {
        Name = type.Name,
        DisplayName = type.DisplayName,
        Capability = type.Capability,
        Plane = type.Plane,
        OwningService = type.OwningService,
        Available = type.Available,
        CanStart = canStart,
        CanView = canView,
    };

    public static Proto.Notification ToProto(this NotificationEntity notification) => new()
    {
        NotificationId = notification.Id.ToString(System.Globalization.CultureInfo.InvariantCulture),
        Kind = notification.Kind switch
        {
            NotificationKindName.RunQueued => Proto.NotificationKind.RunQueued,
            NotificationKindName.RunCompleted => Proto.NotificationKind.RunCompleted,
            _ => throw new InvalidOperationException($"Unknown notification kind '{notification.Kind}' in the database."),
        },
        RunId = notification.RunId.ToString(),
        WorkspaceId = notification.WorkspaceId.ToString(),
        TenantId = notification.TenantId?.ToString() ?? string.Empty,
        RunType = notification.RunType,
        Outcome = ToProto(RunOutcomeName.Parse(notification.Outcome)),
        Title = notification.Title,
        CreatedAt = Timestamp.FromDateTime(DateTime.SpecifyKind(notification.CreatedAt, DateTimeKind.Utc)),
        ReadAt = notification.ReadAt is { } read ? Timestamp.FromDateTime(DateTime.SpecifyKind(read, DateTimeKind.Utc)) : null,
    };

    public static AccessProto.Workspace ToProto(this WorkspaceEntity workspace) => new()
    {
        WorkspaceId = workspace.Id.ToString(),
        Name = workspace.Name,
        CreatedAt = Timestamp.FromDateTime(DateTime.SpecifyKind(workspace.CreatedAt, DateTimeKind.Utc)),
    };

    public static AccessProto.Tenant ToProto(this TenantEntity tenant) => new()
    {
        TenantId = tenant.Id.ToString(),
        WorkspaceId = tenant.WorkspaceId.ToString(),
        EntraTenantId = tenant.EntraTenantId.ToString(),
        DisplayName = tenant.DisplayName,
        CreatedAt = Timestamp.FromDateTime(DateTime.SpecifyKind(tenant.CreatedAt, DateTimeKind.Utc)),
    };

    public static AccessProto.Member ToProto(this MemberEntity member)
    {
        var role = Role.Parse(member.Role);
        var message = new AccessProto.Member
        {
            WorkspaceId = member.WorkspaceId.ToString(),
            Subject = member.Subject,
            DisplayName = member.DisplayName,
            Role = ToProto(role),
            AllTenants = member.TenantIds is null,
        };
        message.TenantIds.AddRange((member.TenantIds ?? []).Select(t => t.ToString()));
        message.Capabilities.AddRange(role.Capabilities.Order(StringComparer.Ordinal));
        return message;
    }

    public static AccessProto.Role ToProto(Role role) => role.Name switch
    {
        "readonly" => AccessProto.Role.Readonly,
        "operator" => AccessProto.Role.Operator,
        "manager" => AccessProto.Role.Manager,
        _ => AccessProto.Role.Owner,
    };

    public static Role? FromProto(AccessProto.Role role) => role switch
    {
        AccessProto.Role.Readonly => Role.Readonly,
        AccessProto.Role.Operator => Role.Operator,
        AccessProto.Role.Manager => Role.Manager,
        AccessProto.Role.Owner => Role.Owner,
        _ => null,
    };

    private static Proto.RunStatus ToProto(RunStatusName status) => status.Value switch
    {
        "queued" => Proto.RunStatus.Queued,
        "running" => Proto.RunStatus.Running,
        _ => Proto.RunStatus.Completed,
    };

    private static Proto.RunOutcome ToProto(RunOutcomeName outcome) => outcome.Proto;

    private static Proto.StatusBucket ToProto(StatusBucketName bucket) => bucket.Value switch
    {
        "queued" => Proto.StatusBucket.Queued,
        "running" => Proto.StatusBucket.Running,
        "succeeded" => Proto.StatusBucket.Succeeded,
        "partially_succeeded" => Proto.StatusBucket.PartiallySucceeded,
        "failed" => Proto.StatusBucket.Failed,
        _ => Proto.StatusBucket.Cancelled,
    };

    private static Proto.IdentityPolicy ToProto(IdentityPolicyName policy) => policy.Value switch
    {
        "per_click" => Proto.IdentityPolicy.PerClick,
        "once" => Proto.IdentityPolicy.Once,
        _ => Proto.IdentityPolicy.WhileActive,
    };
}
