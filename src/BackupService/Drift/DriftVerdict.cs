using System.Text.Json.Nodes;
using TenantAtlas.TenantGraph;

namespace TenantAtlas.BackupService.Drift;

/// <summary>What a drift finding says of one policy found both in the baseline and now.</summary>
public sealed record PolicyDrift(string Kind, IReadOnlyList<PolicyChange> Changes);

/// <summary>
/// The one rule of drift between two versions of a policy, for drift runs and set comparisons alike: a different content
/// hash is "changed" (its changed values as JSON pointers, secrets only as changed); the same hash is no finding — unless
/// the policy holds secrets Graph answers only masked, in either version: their equal markers prove nothing, so the
/// finding is "unknown" and lists them, and a "changed" finding lists them too. A rotated secret never reads "unchanged".
/// </summary>
public static class DriftVerdict
{
    public const string Added = "added";
    public const string Removed = "removed";
    public const string Changed = "changed";
    public const string Unknown = "unknown";

    /// <summary>The finding for a policy in both versions, or null when nothing changed and nothing is unknown.</summary>
    public static PolicyDrift? Of(string baselineHash, string baselineContent, string currentHash, JsonNode current)
    {
        var baseline = JsonNode.Parse(baselineContent);
        var masked = SecretRedactor.Markers(baseline).Concat(SecretRedactor.Markers(current)).Where(m => m.Masked)
            .Select(m => m.Path).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal)
            .Select(path => new PolicyChange(path, null, null, Secret: true, Unknown: true)).ToList();
        if (baselineHash != currentHash)
        {
            var changes = JsonDiff.Changes(baselineContent, current);
            changes.AddRange(masked.Where(m => !changes.Any(c => c.Path == m.Path)));
            return new PolicyDrift(Changed, changes);
        }
        return masked.Count > 0 ? new PolicyDrift(Unknown, masked) : null;
    }
}
