using TenantAtlas.Contracts;
using ProtoOutcome = TenantAtlas.Runs.V1.RunOutcome;

namespace TenantAtlas.RunsService.Runs;

/// <summary>A run status as stored (<c>operation_runs.status</c>).</summary>
public sealed record RunStatusName(string Value, bool IsTerminal)
{
    public static readonly RunStatusName Queued = new("queued", false);
    public static readonly RunStatusName Running = new("running", false);
    public static readonly RunStatusName Completed = new("completed", true);

    public static readonly IReadOnlyList<RunStatusName> All = [Queued, Running, Completed];

    /// <summary>Statuses a run is "active" in: the ones a while-active identity is unique within.</summary>
    public static readonly IReadOnlyList<RunStatusName> Active = [Queued, Running];

    public static RunStatusName Parse(string value) =>
        All.FirstOrDefault(s => s.Value == value) ?? throw new InvalidOperationException($"Unknown run status '{value}' in the database.");

    public override string ToString() => Value;
}

/// <summary>A run outcome as stored (<c>operation_runs.outcome</c>), with its contract value.</summary>
public sealed record RunOutcomeName(string Value, ProtoOutcome Proto)
{
    public static readonly RunOutcomeName Pending = new("pending", ProtoOutcome.Pending);
    public static readonly RunOutcomeName Succeeded = new("succeeded", ProtoOutcome.Succeeded);
    public static readonly RunOutcomeName PartiallySucceeded = new("partially_succeeded", ProtoOutcome.PartiallySucceeded);
    public static readonly RunOutcomeName Failed = new("failed", ProtoOutcome.Failed);
    public static readonly RunOutcomeName Cancelled = new("cancelled", ProtoOutcome.Cancelled);

    public static readonly IReadOnlyList<RunOutcomeName> All = [Pending, Succeeded, PartiallySucceeded, Failed, Cancelled];

    public static RunOutcomeName Parse(string value) =>
        All.FirstOrDefault(o => o.Value == value) ?? throw new InvalidOperationException($"Unknown run outcome '{value}' in the database.");

    /// <summary>The stored name of a final contract outcome.</summary>
    public static RunOutcomeName Of(ProtoOutcome proto) =>
        All.FirstOrDefault(o => o.Proto == proto) ?? throw new ArgumentOutOfRangeException(nameof(proto), proto, "Not a stored outcome.");

    /// <summary>The outcome the counts imply: the suite's one rule (<see cref="RunOutcomes.FromCounts"/>).</summary>
    public static RunOutcomeName DeriveFrom(long succeeded, long failed, long skipped) => Of(RunOutcomes.FromCounts(succeeded, failed, skipped));

    public override string ToString() => Value;
}

/// <summary>An identity policy as stored (<c>operation_runs.identity_policy</c>) and hashed.</summary>
public sealed record IdentityPolicyName(string Value)
{
    public static readonly IdentityPolicyName WhileActive = new("while_active");
    public static readonly IdentityPolicyName PerClick = new("per_click");
    public static readonly IdentityPolicyName Once = new("once");

    public static readonly IReadOnlyList<IdentityPolicyName> All = [WhileActive, PerClick, Once];

    /// <summary>True when the identity stays taken after the run completes.</summary>
    public bool IsLasting => this != WhileActive;

    public static IdentityPolicyName Parse(string value) =>
        All.FirstOrDefault(p => p.Value == value) ?? throw new InvalidOperationException($"Unknown identity policy '{value}' in the database.");

    public override string ToString() => Value;
}

/// <summary>A notification kind as stored (<c>run_notifications.kind</c>). Constants: the write statements embed them.</summary>
public static class NotificationKindName
{
    public const string RunQueued = "run_queued";
    public const string RunCompleted = "run_completed";

    public static readonly IReadOnlyList<string> All = [RunQueued, RunCompleted];
}

/// <summary>The stored vocabularies as SQL, for the check constraints that hold the database to them.</summary>
public static class VocabularySql
{
    /// <summary><c>column IN ('a', 'b')</c>.</summary>
    public static string In(string column, IEnumerable<string> values) => $"{column} IN ({string.Join(", ", values.Select(v => $"'{v}'"))})";
}
