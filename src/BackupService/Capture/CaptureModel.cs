using TenantAtlas.TenantGraph;
using System.Text.Json.Nodes;

namespace TenantAtlas.BackupService.Capture;

/// <summary>Backup set statuses as stored (see BackupSetStatus in backup.proto).</summary>
public static class SetStatus
{
    public const string Empty = "empty";
    public const string Capturing = "capturing";
    public const string Complete = "complete";
    public const string CompletedWithWarnings = "completed_with_warnings";
    public const string Incomplete = "incomplete";
    public const string Failed = "failed";
}

/// <summary>Item outcomes as stored.</summary>
public static class ItemOutcome
{
    public const string Captured = "captured";
    public const string Failed = "failed";
}

/// <summary>Stable failure codes of backup items and captures.</summary>
public static class CaptureFailures
{
    public const string ItemUnreadable = "graph.item_unreadable";
    public const string NotFound = "graph.not_found";
    public const string IncompleteComplianceActions = "backup.incomplete_compliance_actions";
    public const string ListIncomplete = "graph.list_incomplete";
}

/// <summary>Listed versus captured policies of one family in one capture.</summary>
public sealed record FamilyCoverage(string Family, int Listed, int Captured, bool ListComplete);

/// <summary>One policy's result in a capture: its redacted document and hash, or why it failed.</summary>
public sealed record CapturedPolicy(string Family, string PolicyId, string OdataType, string DisplayName)
{
    public JsonObject? Document { get; init; }
    public string? ContentHash { get; init; }
    public int RedactedSecrets { get; init; }
    public int AssignmentCount { get; init; }
    public IReadOnlyList<ResolvedReference> References { get; init; } = [];
    public string? FailureCode { get; init; }
    public string? FailureMessage { get; init; }

    public bool Captured => Document is not null;
}
