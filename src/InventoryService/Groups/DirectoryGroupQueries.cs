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

    /// <summary>
    /// Groups by exact id (<c>group_id = ANY</c>, the key) and by exact display name, one query each: the asked names are
    /// trimmed here and lower-cased by the database's own <c>lower()</c>, the function search_name is generated with, so
    /// both sides fold case alike and the (tenant, search_name, id) index serves the match.
    /// </summary>
    public async Task<ResolveDirectoryGroupsResponse> ResolveAsync(Guid tenantId, IReadOnlyList<string> groupIds, IReadOnlyList<string> displayNames,
        bool includeDeleted, CancellationToken ct)
    {
        var groups = db.DirectoryGroups.AsNoTracking().Where(g => g.TenantId == tenantId);
        if (!includeDeleted)
        {
            groups = groups.Where(g => !g.Deleted);
        }
        // Graph serves ids lower-case; the request's are GUIDs in either case.
        var ids = groupIds.Select(id => id.ToLowerInvariant()).Distinct(StringComparer.Ordinal).ToArray();
        var names = displayNames.Select(n => n.Trim()).Distinct(StringComparer.Ordinal).ToArray();
        var response = new ResolveDirectoryGroupsResponse();
        if (ids.Length > 0)
        {
            response.ById.AddRange((await groups.Where(g => ids.Contains(g.GroupId)).ToListAsync(ct)).Select(ToProto));
        }
        if (names.Length > 0)
        {
            // EF.Parameter keeps the lower-casing in SQL (search_name IN (SELECT lower(n) FROM unnest(@names))): left to
            // itself, EF would lower the names in .NET first, which folds some letters differently (İ, for one).
            response.ByName.AddRange((await groups.Where(g => EF.Parameter(names).Select(n => n.ToLower()).Contains(g.SearchName))
                .OrderBy(g => g.SearchName).ThenBy(g => g.GroupId).ToListAsync(ct)).Select(ToProto));
        }
        // Nothing records when a complete sync finished, so: the latest time a sync stored a group still present.
        var seen = await db.DirectoryGroups.Where(g => g.TenantId == tenantId && !g.Deleted).MaxAsync(g => (DateTime?)g.LastSeenAt, ct);
        if (seen is { } at)
        {
            response.SyncedAt = Timestamp.FromDateTime(DateTime.SpecifyKind(at, DateTimeKind.Utc));
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
