using System.Text.RegularExpressions;
using Google.Protobuf;
using TenantAtlas.RunsService.Runs;
using Proto = TenantAtlas.Runs.V1;

namespace TenantAtlas.RunsService.Grpc;

/// <summary>Validates RunsService requests and turns them into domain commands. Limits are part of the contract.</summary>
public static partial class RunRequests
{
    public const int MaxIdentityInputs = 32;
    public const int MaxIdentityValueLength = 1024;
    public const int MaxClickIdLength = 128;
    public const int MaxContextBytes = 16 * 1024;
    public const int MaxFailuresPerUpdate = 100;
    public const int MaxFailureCodeLength = 64;
    public const int MaxFailureMessageLength = 4000;
    public const int MaxFailureItemLength = 256;
    public const int MaxRunTypeLength = 64;
    public const int MaxFilterValues = 32;

    public static EnsureRunCommand ToCommand(Proto.EnsureRunRequest request)
    {
        var v = new RequestValidator();
        var workspaceId = v.RequiredId("workspace_id", request.WorkspaceId);
        var tenantId = v.OptionalId("tenant_id", request.TenantId);
        var type = KnownRunType(v, "type", request.Type);
        if (type is not null)
        {
            if (type.Plane == Proto.RunPlane.Tenant && request.TenantId.Length == 0)
            {
                v.Add("tenant_id", $"is required: {type.Name} runs concern one tenant.");
            }
            else if (type.Plane == Proto.RunPlane.Workspace && request.TenantId.Length > 0)
            {
                v.Add("tenant_id", $"must be empty: {type.Name} runs concern the whole workspace.");
            }
        }

        var policy = v.DefinedEnum("identity_policy", request.IdentityPolicy) switch
        {
            Proto.IdentityPolicy.PerClick => IdentityPolicyName.PerClick,
            Proto.IdentityPolicy.Once => IdentityPolicyName.Once,
            _ => IdentityPolicyName.WhileActive,
        };
        if (policy == IdentityPolicyName.PerClick)
        {
            if (request.ClickId.Length is 0 or > MaxClickIdLength)
            {
                v.Add("click_id", $"is required with IDENTITY_POLICY_PER_CLICK (1-{MaxClickIdLength} characters, one per click).");
            }
        }
        else if (request.ClickId.Length > 0)
        {
            v.Add("click_id", "must be empty unless identity_policy is IDENTITY_POLICY_PER_CLICK.");
        }

        var inputs = IdentityInputs(v, request.IdentityInputs);
        var context = request.Context is null ? "{}" : JsonFormatter.Default.Format(request.Context);
        if (System.Text.Encoding.UTF8.GetByteCount(context) > MaxContextBytes)
        {
            v.Add("context", $"must be at most {MaxContextBytes / 1024} KiB as JSON; store large data in the owning service and reference it.");
        }
        v.ThrowIfInvalid();
        return new EnsureRunCommand(workspaceId, tenantId, type!, policy, request.ClickId, inputs, context, request.HoldDispatch);
    }

    public static RunUpdate ToUpdate(Proto.UpdateRunRequest request)
    {
        var v = new RequestValidator();
        var runId = v.RequiredId("run_id", request.RunId);
        var status = v.DefinedEnum("status", request.Status) switch
        {
            Proto.RunStatus.Unspecified => null,
            Proto.RunStatus.Running => RunStatusName.Running,
            Proto.RunStatus.Completed => RunStatusName.Completed,
            _ => Invalid<RunStatusName>(v, "status", "must be RUN_STATUS_RUNNING, RUN_STATUS_COMPLETED, or unspecified; a run never returns to queued."),
        };
        var outcome = v.DefinedEnum("outcome", request.Outcome) switch
        {
            Proto.RunOutcome.Unspecified => null,
            Proto.RunOutcome.Succeeded or Proto.RunOutcome.PartiallySucceeded or Proto.RunOutcome.Failed or Proto.RunOutcome.Cancelled
                => RunOutcomeName.Of(request.Outcome),
            _ => Invalid<RunOutcomeName>(v, "outcome", "must be a final outcome (SUCCEEDED, PARTIALLY_SUCCEEDED, FAILED, CANCELLED) or unspecified."),
        };
        if (outcome is not null && !RunStateMachine.OutcomeAllowedWith(status))
        {
            v.Add("outcome", "may only be given with status RUN_STATUS_COMPLETED.");
        }

        var set = request.SetCounts ?? new Proto.RunCountsPatch();
        var setCounts = new RunCountsPatch(
            NonNegative(v, "set_counts.total", set.HasTotal ? set.Total : null),
            NonNegative(v, "set_counts.processed", set.HasProcessed ? set.Processed : null),
            NonNegative(v, "set_counts.succeeded", set.HasSucceeded ? set.Succeeded : null),
            NonNegative(v, "set_counts.failed", set.HasFailed ? set.Failed : null),
            NonNegative(v, "set_counts.skipped", set.HasSkipped ? set.Skipped : null));
        var inc = request.IncrementCounts ?? new Proto.RunCounts();
        var incrementCounts = new RunCounts(
            NonNegative(v, "increment_counts.total", inc.Total) ?? 0,
            NonNegative(v, "increment_counts.processed", inc.Processed) ?? 0,
            NonNegative(v, "increment_counts.succeeded", inc.Succeeded) ?? 0,
            NonNegative(v, "increment_counts.failed", inc.Failed) ?? 0,
            NonNegative(v, "increment_counts.skipped", inc.Skipped) ?? 0);

        if (request.Failures.Count > MaxFailuresPerUpdate)
        {
            v.Add("failures", $"at most {MaxFailuresPerUpdate} per call (got {request.Failures.Count}); send the rest in further calls.");
        }
        var failures = request.Failures.Take(MaxFailuresPerUpdate).Select((f, i) => Failure(v, $"failures[{i}]", f)).ToList();
        var attemptId = v.OptionalId("attempt_id", request.AttemptId);
        v.ThrowIfInvalid();
        return new RunUpdate(runId, status, outcome, setCounts, incrementCounts, failures, attemptId);
    }

    public static Guid ToRunId(string runId)
    {
        var v = new RequestValidator();
        var id = v.RequiredId("run_id", runId);
        v.ThrowIfInvalid();
        return id;
    }

    public static (RunFilter Filter, int PageSize) ToFilter(Proto.ListRunsRequest request)
    {
        var v = new RequestValidator();
        var workspaceId = v.RequiredId("workspace_id", request.WorkspaceId);
        var tenantId = v.OptionalId("tenant_id", request.TenantId);
        var types = v.AtMost("types", request.Types_, MaxFilterValues).Select((t, i) => KnownRunType(v, $"types[{i}]", t)?.Name).OfType<string>().Distinct().ToList();
        var buckets = v.AtMost("status_buckets", request.StatusBuckets, MaxFilterValues).Select((b, i) => Bucket(v, $"status_buckets[{i}]", b)).OfType<StatusBucketName>().Distinct().ToList();
        var after = request.CreatedAfter?.ToDateTime();
        var before = request.CreatedBefore?.ToDateTime();
        if (after is not null && before is not null && after >= before)
        {
            v.Add("created_before", "must be later than created_after.");
        }
        var initiator = request.InitiatorSubject.Length == 0 ? null : v.RequiredText("initiator_subject", request.InitiatorSubject, 256);
        var pageSize = v.PageSize("page_size", request.PageSize);
        v.ThrowIfInvalid();
        return (new RunFilter(workspaceId, tenantId, types, buckets, after, before, initiator), pageSize);
    }

    private static RunType? KnownRunType(RequestValidator v, string field, string value)
    {
        if (value.Length is < 3 or > MaxRunTypeLength || !RunTypePattern().IsMatch(value))
        {
            v.Add(field, $"must be 'resource.action' in lowercase (3-{MaxRunTypeLength} characters of a-z, 0-9, _), got {RequestValidator.Quote(value)}.");
            return null;
        }
        var type = RunTypes.Find(value);
        if (type is null)
        {
            v.Add(field, $"unknown run type {RequestValidator.Quote(value)}; known types: {string.Join(", ", RunTypes.All.Keys.Order(StringComparer.Ordinal))}.");
        }
        return type;
    }

    private static Dictionary<string, string> IdentityInputs(RequestValidator v, Google.Protobuf.Collections.MapField<string, string> inputs)
    {
        if (inputs.Count > MaxIdentityInputs)
        {
            v.Add("identity_inputs", $"at most {MaxIdentityInputs} entries (got {inputs.Count}).");
        }
        foreach (var (key, value) in inputs)
        {
            if (!IdentityKeyPattern().IsMatch(key))
            {
                v.Add("identity_inputs", $"key {RequestValidator.Quote(key)} must be 1-64 characters of a-z, 0-9, '_', '.', '-'.");
            }
            if (value.Length > MaxIdentityValueLength)
            {
                v.Add("identity_inputs", $"value of {RequestValidator.Quote(key)} must be at most {MaxIdentityValueLength} characters.");
            }
        }
        return new Dictionary<string, string>(inputs, StringComparer.Ordinal);
    }

    private static RunFailure Failure(RequestValidator v, string field, Proto.RunFailure failure)
    {
        if (failure.Code.Length > MaxFailureCodeLength || !FailureCodePattern().IsMatch(failure.Code))
        {
            v.Add($"{field}.code", $"must be a stable dotted code like 'graph.throttled' (at most {MaxFailureCodeLength} characters), got {RequestValidator.Quote(failure.Code)}.");
        }
        if (string.IsNullOrWhiteSpace(failure.Message) || failure.Message.Length > MaxFailureMessageLength)
        {
            v.Add($"{field}.message", $"is required, at most {MaxFailureMessageLength} characters.");
        }
        if (failure.Item.Length > MaxFailureItemLength)
        {
            v.Add($"{field}.item", $"must be at most {MaxFailureItemLength} characters.");
        }
        return new RunFailure(failure.Code, failure.Message, failure.Item.Length == 0 ? null : failure.Item);
    }

    private static StatusBucketName? Bucket(RequestValidator v, string field, Proto.StatusBucket bucket) =>
        v.DefinedEnum(field, bucket) switch
        {
            Proto.StatusBucket.Queued => StatusBucketName.Queued,
            Proto.StatusBucket.Running => StatusBucketName.Running,
            Proto.StatusBucket.Succeeded => StatusBucketName.Succeeded,
            Proto.StatusBucket.PartiallySucceeded => StatusBucketName.PartiallySucceeded,
            Proto.StatusBucket.Failed => StatusBucketName.Failed,
            Proto.StatusBucket.Cancelled => StatusBucketName.Cancelled,
            Proto.StatusBucket.Unspecified => Invalid<StatusBucketName>(v, field, "must not be STATUS_BUCKET_UNSPECIFIED."),
            _ => null,
        };

    private static long? NonNegative(RequestValidator v, string field, long? value)
    {
        if (value < 0)
        {
            v.Add(field, $"must not be negative (got {value}).");
        }
        return value;
    }

    private static T? Invalid<T>(RequestValidator v, string field, string description) where T : class
    {
        v.Add(field, description);
        return null;
    }

    [GeneratedRegex("^[a-z][a-z0-9_]*\\.[a-z][a-z0-9_]*$", RegexOptions.CultureInvariant)]
    private static partial Regex RunTypePattern();

    [GeneratedRegex("^[a-z0-9_.-]{1,64}$", RegexOptions.CultureInvariant)]
    private static partial Regex IdentityKeyPattern();

    [GeneratedRegex("^[a-z][a-z0-9_]*(\\.[a-z][a-z0-9_]*)+$", RegexOptions.CultureInvariant)]
    private static partial Regex FailureCodePattern();
}
