using Google.Protobuf.WellKnownTypes;
using Microsoft.EntityFrameworkCore;
using TenantAtlas.Inventory.V1;
using TenantAtlas.InventoryService.Persistence;

namespace TenantAtlas.InventoryService.Groups;

/// <summary>Searches the directory-group cache (database only: a mapping step renders without calling Graph).</summary>
public sealed class DirectoryGroupQueries(InventoryDbContext db, PageTokens pageTokens)
{
    /// <summary>Who may search (and sync) a tenant's groups.</summary>
    public const string SearchCapability = Contracts.Capabilities.DirectorySync;

    private sealed record Cursor(string SearchName, string GroupId);

    public async Task<(IReadOnlyList<DirectoryGroup> Groups, string? NextPageToken)> SearchAsync(Guid tenantId, string query, GroupMatch match,
        bool includeDeleted, int pageSize, string pageToken, CancellationToken ct)
    {
        var needle = query.ToLowerInvariant();
        var filters = PageTokens.Fingerprint([tenantId.ToString(), needle, match.ToString(), includeDeleted.ToString()]);
        var groups = db.DirectoryGroups.AsNoTracking().Where(g => g.TenantId == tenantId);
        if (!includeDeleted)
        {
            groups = groups.Where(g => !g.Deleted);
        }
        if (needle.Length > 0)
        {
            var escaped = needle.Replace(@"\", @"\\", StringComparison.Ordinal).Replace("%", @"\%", StringComparison.Ordinal).Replace("_", @"\_", StringComparison.Ordinal);
            var pattern = match == GroupMatch.Contains ? $"%{escaped}%" : $"{escaped}%";
            groups = groups.Where(g => EF.Functions.Like(g.SearchName, pattern, @"\"));
        }
        if (pageToken.Length > 0)
        {
            var after = pageTokens.Decode<Cursor>(pageToken, filters);
            groups = groups.Where(g => string.Compare(g.SearchName, after.SearchName) > 0
                || (g.SearchName == after.SearchName && string.Compare(g.GroupId, after.GroupId) > 0));
        }
        var rows = await groups.OrderBy(g => g.SearchName).ThenBy(g => g.GroupId).Take(pageSize + 1).ToListAsync(ct);
        string? next = null;
        if (rows.Count > pageSize)
        {
            rows.RemoveAt(rows.Count - 1);
            next = pageTokens.Encode(new Cursor(rows[^1].SearchName, rows[^1].GroupId), filters);
        }
        return ([.. rows.Select(ToProto)], next);
    }

    /// <summary>Groups by exact id and by exact display name (lower-cased and trimmed, as search_name is), one query each.</summary>
    public async Task<ResolveDirectoryGroupsResponse> ResolveAsync(Guid tenantId, IReadOnlyList<string> groupIds, IReadOnlyList<string> displayNames,
        bool includeDeleted, CancellationToken ct)
    {
        var groups = db.DirectoryGroups.AsNoTracking().Where(g => g.TenantId == tenantId && (includeDeleted || !g.Deleted));
        var ids = groupIds.Select(id => id.ToLowerInvariant()).Distinct().ToList();
        var names = displayNames.Select(n => n.Trim().ToLowerInvariant()).Distinct().ToList();
        var response = new ResolveDirectoryGroupsResponse();
        if (ids.Count > 0)
        {
            response.ById.AddRange((await groups.Where(g => ids.Contains(g.GroupId)).ToListAsync(ct)).Select(ToProto));
        }
        if (names.Count > 0)
        {
            response.ByName.AddRange((await groups.Where(g => names.Contains(g.SearchName)).OrderBy(g => g.SearchName).ThenBy(g => g.GroupId)
                .ToListAsync(ct)).Select(ToProto));
        }
        if (await db.DirectoryGroups.Where(g => g.TenantId == tenantId).MaxAsync(g => (DateTime?)g.LastSeenAt, ct) is { } seen)
        {
            response.SyncedAt = Timestamp.FromDateTime(DateTime.SpecifyKind(seen, DateTimeKind.Utc));
        }
        return response;
    }

    private static DirectoryGroup ToProto(DirectoryGroupEntity group)
    {
        var message = new DirectoryGroup
        {
            GroupId = group.GroupId,
            DisplayName = group.DisplayName,
            MembershipRule = group.MembershipRule ?? string.Empty,
            SecurityEnabled = group.SecurityEnabled,
            Deleted = group.Deleted,
            LastSeenRunId = group.LastSeenRunId.ToString(),
            LastSeenAt = Timestamp.FromDateTime(DateTime.SpecifyKind(group.LastSeenAt, DateTimeKind.Utc)),
        };
        message.GroupTypes.AddRange(group.GroupTypes);
        return message;
    }
}
