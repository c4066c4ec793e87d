using System.Text.Json;
using TenantAtlas.GraphEmulator.Tenants;

namespace TenantAtlas.GraphEmulator.Endpoints;

/// <summary>
/// Reads the body of <c>POST .../{id}/assign</c>, <c>{"assignments":[{"target":{"@odata.type":...,"groupId":...}}]}</c>:
/// the complete new assignment set. Assignment ids (and beta-only <c>source</c>/<c>sourceId</c>) are ignored, as the
/// service makes its own ids; a repeated target is dropped, as Intune ignores the second of two equal targets.
/// </summary>
internal static class AssignmentBody
{
    private static readonly string[] GroupTargets =
        ["#microsoft.graph.groupAssignmentTarget", "#microsoft.graph.exclusionGroupAssignmentTarget"];

    private static readonly string[] OtherTargets =
    [
        "#microsoft.graph.allDevicesAssignmentTarget", "#microsoft.graph.allLicensedUsersAssignmentTarget",
        "#microsoft.graph.configurationManagerCollectionAssignmentTarget",
    ];

    /// <summary>The assignments, or the message of a 400 naming the property at fault.</summary>
    public static string? TryRead(JsonElement body, string policyId, out IReadOnlyList<PolicyAssignment> assignments)
    {
        assignments = [];
        if (body.ValueKind != JsonValueKind.Object || !body.TryGetProperty("assignments", out var items)
            || items.ValueKind != JsonValueKind.Array)
            return "Property 'assignments' is required and must be an array (an empty array removes every assignment).";

        var read = new List<PolicyAssignment>();
        var index = 0;
        foreach (var item in items.EnumerateArray())
        {
            if (TryReadTarget(item, out var target) is { } error)
                return $"assignments[{index}]: {error}";
            if (!read.Any(a => a.Target.ODataType == target!.ODataType
                && string.Equals(a.Target.GroupId, target.GroupId, StringComparison.OrdinalIgnoreCase)))
                read.Add(PolicyAssignment.For(policyId, target!));
            index++;
        }

        assignments = read;
        return null;
    }

    private static string? TryReadTarget(JsonElement item, out AssignmentTarget? target)
    {
        target = null;
        if (item.ValueKind != JsonValueKind.Object || !item.TryGetProperty("target", out var json) || json.ValueKind != JsonValueKind.Object)
            return "property 'target' is required.";
        if (!json.TryGetProperty("@odata.type", out var typeValue) || typeValue.ValueKind != JsonValueKind.String
            || typeValue.GetString() is not { } type)
            return "property 'target.@odata.type' is required.";
        var isGroupTarget = GroupTargets.Contains(type, StringComparer.Ordinal);
        if (!isGroupTarget && !OtherTargets.Contains(type, StringComparer.Ordinal))
            return $"property 'target.@odata.type' ('{type}') is not an assignment target type.";

        string? groupId = null;
        if (isGroupTarget)
        {
            if (!json.TryGetProperty("groupId", out var group) || group.ValueKind != JsonValueKind.String
                || !Guid.TryParse(group.GetString(), out _))
                return "property 'target.groupId' must be a group id (GUID).";
            groupId = group.GetString();
        }

        var others = json.EnumerateObject()
            .Where(p => p.Name is not ("@odata.type" or "groupId"))
            .ToDictionary(p => p.Name, p => p.Value.Clone(), StringComparer.Ordinal);
        target = new AssignmentTarget(type, groupId) { OtherProperties = others.Count > 0 ? others : null };
        return null;
    }
}
