using TenantAtlas.Inventory.V1;
using TenantAtlas.Workers;
using InventoryClient = TenantAtlas.Inventory.V1.InventoryService.InventoryServiceClient;

namespace TenantAtlas.RestoreService.Planning;

/// <summary>A group the source references: its id there, its name when the backup resolved it, and how many items use it.</summary>
public sealed record SourceGroup(string Id, string DisplayName, int ItemCount);

/// <summary>
/// Maps source groups into the target tenant over the target's directory-group cache (InventoryService, database only,
/// never Graph): by id (a restore into the same tenant), then by display name; a missing or ambiguous group is never mapped
/// silently (INTUNE.md R5, R8). The user's choices win over both.
/// </summary>
public sealed class GroupMapper(InventoryClient inventory, ServiceToken token)
{
    /// <summary>Most ids or names one ResolveDirectoryGroups call takes.</summary>
    private const int MaxPerCall = 1_000;

    public async Task<List<GroupMappingEntry>> MapAsync(Guid targetTenantId, IReadOnlyCollection<SourceGroup> groups,
        IReadOnlyList<GroupChoiceEntry> choices, CancellationToken ct)
    {
        var choiceOf = choices.ToDictionary(c => c.SourceGroupId, StringComparer.OrdinalIgnoreCase);
        var ids = groups.Select(g => g.Id).Concat(choices.Where(c => c.TargetGroupId is not null).Select(c => c.TargetGroupId!))
            .Distinct(StringComparer.OrdinalIgnoreCase).ToList();
        var names = groups.Select(g => g.DisplayName.Trim()).Where(n => n.Length > 0).Distinct(StringComparer.OrdinalIgnoreCase).ToList();
        var (byId, byName) = await ResolveAsync(targetTenantId, ids, names, ct);

        var mappings = new List<GroupMappingEntry>(groups.Count);
        foreach (var group in groups.OrderBy(g => g.DisplayName, StringComparer.OrdinalIgnoreCase).ThenBy(g => g.Id, StringComparer.Ordinal))
        {
            GroupMappingEntry Entry(string state, DirectoryGroup? target = null, IReadOnlyList<string>? candidates = null) =>
                new(group.Id, group.DisplayName, state, target?.GroupId, target?.DisplayName, candidates ?? [], group.ItemCount);

            if (choiceOf.TryGetValue(group.Id, out var choice))
            {
                mappings.Add(choice.Choice switch
                {
                    GroupChoiceEntry.Skip => Entry(GroupMappingStates.Skipped),
                    GroupChoiceEntry.OmitAssignments => Entry(GroupMappingStates.AssignmentsOmitted),
                    // A chosen group deleted since the choice is missing again: never written blindly.
                    _ => byId.GetValueOrDefault(choice.TargetGroupId ?? string.Empty) is { } chosen
                        ? Entry(GroupMappingStates.Chosen, chosen)
                        : Entry(GroupMappingStates.Missing),
                });
                continue;
            }
            if (byId.GetValueOrDefault(group.Id) is { } sameId)
            {
                mappings.Add(Entry(GroupMappingStates.MappedById, sameId));
                continue;
            }
            var named = group.DisplayName.Trim().Length == 0 ? [] : byName.GetValueOrDefault(group.DisplayName.Trim()) ?? [];
            mappings.Add(named.Count switch
            {
                1 => Entry(GroupMappingStates.MappedByName, named[0]),
                0 => Entry(GroupMappingStates.Missing),
                _ => Entry(GroupMappingStates.Ambiguous, candidates: [.. named.Select(g => g.GroupId).Order(StringComparer.Ordinal)]),
            });
        }
        return mappings;
    }

    private async Task<(Dictionary<string, DirectoryGroup> ById, Dictionary<string, List<DirectoryGroup>> ByName)> ResolveAsync(
        Guid tenantId, List<string> ids, List<string> names, CancellationToken ct)
    {
        var byId = new Dictionary<string, DirectoryGroup>(StringComparer.OrdinalIgnoreCase);
        var byName = new Dictionary<string, List<DirectoryGroup>>(StringComparer.OrdinalIgnoreCase);
        for (var offset = 0; offset < Math.Max(ids.Count, names.Count); offset += MaxPerCall)
        {
            var request = new ResolveDirectoryGroupsRequest { TenantId = tenantId.ToString() };
            request.GroupIds.AddRange(ids.Skip(offset).Take(MaxPerCall));
            request.DisplayNames.AddRange(names.Skip(offset).Take(MaxPerCall));
            var answer = await inventory.ResolveDirectoryGroupsAsync(request, await token.HeadersAsync(), cancellationToken: ct);
            foreach (var group in answer.ById)
            {
                byId[group.GroupId] = group;
            }
            foreach (var group in answer.ByName)
            {
                var list = byName.TryGetValue(group.DisplayName.Trim(), out var found) ? found : byName[group.DisplayName.Trim()] = [];
                if (!list.Any(g => g.GroupId == group.GroupId))
                {
                    list.Add(group);
                }
            }
        }
        return (byId, byName);
    }
}
