using System.Text.Json.Nodes;

namespace TenantAtlas.PolicyCorpus;

/// <summary>
/// Assignments of every v1.0 target kind (INTUNE.md §2.5), as the body of <c>/assign</c> takes them: a group, an exclusion
/// group, all devices, all licensed users, and a group with an assignment filter. The filter fields are beta schema (absent
/// from the v1.0 model), so they are raw JSON here, as a v1.0 read shows them.
/// </summary>
public static class CorpusAssignments
{
    public static JsonArray EveryKind(string includedGroupId, string excludedGroupId, string filteredGroupId, string filterId) =>
    [
        Target("#microsoft.graph.groupAssignmentTarget", includedGroupId),
        Target("#microsoft.graph.exclusionGroupAssignmentTarget", excludedGroupId),
        Target("#microsoft.graph.allDevicesAssignmentTarget", null),
        Target("#microsoft.graph.allLicensedUsersAssignmentTarget", null),
        new JsonObject
        {
            ["target"] = new JsonObject
            {
                ["@odata.type"] = "#microsoft.graph.groupAssignmentTarget",
                ["groupId"] = filteredGroupId,
                ["deviceAndAppManagementAssignmentFilterId"] = filterId,
                ["deviceAndAppManagementAssignmentFilterType"] = "include",
            },
        },
    ];

    private static JsonObject Target(string type, string? groupId)
    {
        var target = new JsonObject { ["@odata.type"] = type };
        if (groupId is not null)
        {
            target["groupId"] = groupId;
        }
        return new JsonObject { ["target"] = target };
    }
}
