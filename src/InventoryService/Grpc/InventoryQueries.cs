using Google.Protobuf.WellKnownTypes;
using Microsoft.EntityFrameworkCore;
using TenantAtlas.TenantGraph;
using TenantAtlas.Inventory.V1;
using TenantAtlas.InventoryService.Persistence;
using TenantAtlas.InventoryService.Sync;

namespace TenantAtlas.InventoryService.Grpc;

/// <summary>Reads the stored inventory (database only: no Graph call when a page renders).</summary>
public sealed class InventoryQueries(InventoryDbContext db, PageTokens pageTokens)
{
    /// <summary>Who may view a tenant's inventory: whoever may run its sync.</summary>
    public const string ViewCapability = Contracts.Capabilities.InventorySyncRun;

    private sealed record Cursor(string Family, string DisplayName, string ItemId);

    public async Task<(IReadOnlyList<InventoryItem> Items, string? NextPageToken)> ListAsync(Guid tenantId, string? family, Guid? runId,
        int pageSize, string pageToken, CancellationToken ct)
    {
        var filters = PageTokens.Fingerprint([tenantId.ToString(), family, runId?.ToString()]);
        var query = db.Items.AsNoTracking().Where(i => i.TenantId == tenantId);
        if (family is not null)
        {
            query = query.Where(i => i.Family == family);
        }
        if (runId is { } run)
        {
            query = query.Where(i => i.LastSeenRunId == run);
        }
        if (pageToken.Length > 0)
        {
            var after = pageTokens.Decode<Cursor>(pageToken, filters);
            query = query.Where(i => string.Compare(i.Family, after.Family) > 0
                || (i.Family == after.Family && string.Compare(i.DisplayName, after.DisplayName) > 0)
                || (i.Family == after.Family && i.DisplayName == after.DisplayName && string.Compare(i.ItemId, after.ItemId) > 0));
        }
        var rows = await query.OrderBy(i => i.Family).ThenBy(i => i.DisplayName).ThenBy(i => i.ItemId).Take(pageSize + 1).ToListAsync(ct);
        string? next = null;
        if (rows.Count > pageSize)
        {
            rows.RemoveAt(rows.Count - 1);
            var last = rows[^1];
            next = pageTokens.Encode(new Cursor(last.Family, last.DisplayName, last.ItemId), filters);
        }
        return ([.. rows.Select(ToProto)], next);
    }

    private static InventoryItem ToProto(InventoryItemEntity item)
    {
        var message = new InventoryItem
        {
            ItemId = item.ItemId,
            Family = PolicyFamilies.FromName(item.Family),
            OdataType = item.OdataType,
            DisplayName = item.DisplayName,
            LastModifiedAt = item.LastModifiedAt is { } modified ? Timestamp.FromDateTime(DateTime.SpecifyKind(modified, DateTimeKind.Utc)) : null,
            LastSeenRunId = item.LastSeenRunId.ToString(),
            LastSeenAt = Timestamp.FromDateTime(DateTime.SpecifyKind(item.LastSeenAt, DateTimeKind.Utc)),
        };
        message.AssignmentTargets.AddRange(item.AssignmentTargets);
        return message;
    }
}
