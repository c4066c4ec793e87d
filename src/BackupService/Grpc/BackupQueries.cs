using System.Text.Json;
using Google.Protobuf.WellKnownTypes;
using Microsoft.EntityFrameworkCore;
using TenantAtlas.Backup.V1;
using TenantAtlas.BackupService.Capture;
using TenantAtlas.BackupService.Persistence;
using TenantAtlas.TenantGraph;
using FamilyCoverage = TenantAtlas.Backup.V1.FamilyCoverage;
using ResolvedReference = TenantAtlas.Backup.V1.ResolvedReference;

namespace TenantAtlas.BackupService.Grpc;

/// <summary>Reads backup sets and items (database only: no Graph call when a page renders).</summary>
public sealed class BackupQueries(BackupDbContext db, PageTokens pageTokens)
{
    private sealed record SetCursor(DateTime CreatedAt, Guid Id);

    private sealed record ItemCursor(string Family, string DisplayName, string PolicyId);

    /// <summary>The set, or NOT_FOUND.</summary>
    public async Task<BackupSetEntity> SetAsync(Guid backupSetId, CancellationToken ct) =>
        await db.Sets.AsNoTracking().SingleOrDefaultAsync(s => s.Id == backupSetId, ct)
        ?? throw new NotFoundException(SetNotFound(backupSetId));

    /// <summary>What a caller hears of a set that does not exist or that they may not see (the same words for both).</summary>
    public static string SetNotFound(Guid backupSetId) => $"Backup set '{backupSetId}' does not exist, or you may not see it.";

    public async Task<int> ItemCountAsync(Guid backupSetId, CancellationToken ct) =>
        await db.Items.CountAsync(i => i.BackupSetId == backupSetId, ct);

    public async Task<(IReadOnlyList<Backup.V1.BackupSet> Sets, string? NextPageToken)> ListSetsAsync(Guid tenantId, int pageSize, string pageToken,
        CancellationToken ct)
    {
        var filters = PageTokens.Fingerprint([tenantId.ToString()]);
        var query = db.Sets.AsNoTracking().Where(s => s.TenantId == tenantId);
        if (pageToken.Length > 0)
        {
            var after = pageTokens.Decode<SetCursor>(pageToken, filters);
            query = query.Where(s => s.CreatedAt < after.CreatedAt || (s.CreatedAt == after.CreatedAt && s.Id.CompareTo(after.Id) < 0));
        }
        var rows = await query.OrderByDescending(s => s.CreatedAt).ThenByDescending(s => s.Id).Take(pageSize + 1)
            .Select(s => new { Set = s, Items = db.Items.Count(i => i.BackupSetId == s.Id) })
            .ToListAsync(ct);
        string? next = null;
        if (rows.Count > pageSize)
        {
            rows.RemoveAt(rows.Count - 1);
            next = pageTokens.Encode(new SetCursor(rows[^1].Set.CreatedAt, rows[^1].Set.Id), filters);
        }
        return ([.. rows.Select(r => ToProto(r.Set, r.Items))], next);
    }

    public async Task<(IReadOnlyList<BackupItem> Items, string? NextPageToken)> ListItemsAsync(Guid backupSetId, string? outcome, int pageSize,
        string pageToken, CancellationToken ct)
    {
        var filters = PageTokens.Fingerprint([backupSetId.ToString(), outcome]);
        var query = db.Items.AsNoTracking().Where(i => i.BackupSetId == backupSetId);
        if (outcome is not null)
        {
            query = query.Where(i => i.Outcome == outcome);
        }
        if (pageToken.Length > 0)
        {
            var after = pageTokens.Decode<ItemCursor>(pageToken, filters);
            query = query.Where(i => string.Compare(i.Family, after.Family) > 0
                || (i.Family == after.Family && string.Compare(i.DisplayName, after.DisplayName) > 0)
                || (i.Family == after.Family && i.DisplayName == after.DisplayName && string.Compare(i.PolicyId, after.PolicyId) > 0));
        }
        var rows = await query.OrderBy(i => i.Family).ThenBy(i => i.DisplayName).ThenBy(i => i.PolicyId).Take(pageSize + 1).ToListAsync(ct);
        string? next = null;
        if (rows.Count > pageSize)
        {
            rows.RemoveAt(rows.Count - 1);
            next = pageTokens.Encode(new ItemCursor(rows[^1].Family, rows[^1].DisplayName, rows[^1].PolicyId), filters);
        }
        return ([.. rows.Select(ToProto)], next);
    }

    /// <summary>The item with its stored content and references, or NOT_FOUND.</summary>
    public async Task<GetBackupItemResponse> ItemAsync(BackupSetEntity set, Guid itemId, CancellationToken ct)
    {
        var item = await db.Items.AsNoTracking().SingleOrDefaultAsync(i => i.Id == itemId && i.BackupSetId == set.Id, ct)
            ?? throw new NotFoundException($"Backup set '{set.Id}' has no item '{itemId}'.");
        var content = item.ContentHash is null ? null : await db.Contents.AsNoTracking()
            .Where(c => c.TenantId == set.TenantId && c.ContentHash == item.ContentHash).Select(c => c.Content).SingleOrDefaultAsync(ct);
        var response = new GetBackupItemResponse { Item = ToProto(item), ContentJson = content ?? string.Empty };
        response.References.AddRange(JsonSerializer.Deserialize<List<TenantGraph.ResolvedReference>>(item.References, CaptureWriter.StoredJson)!
            .Select(r => new ResolvedReference { Kind = r.Kind, Id = r.Id, DisplayName = r.DisplayName, Detail = r.Detail, ContentJson = r.Content ?? string.Empty }));
        return response;
    }

    public static Backup.V1.BackupSet ToProto(BackupSetEntity set, int itemCount)
    {
        var message = new Backup.V1.BackupSet
        {
            BackupSetId = set.Id.ToString(),
            WorkspaceId = set.WorkspaceId.ToString(),
            TenantId = set.TenantId.ToString(),
            DisplayName = set.DisplayName,
            Status = set.Status switch
            {
                SetStatus.Empty => BackupSetStatus.Empty,
                SetStatus.Capturing => BackupSetStatus.Capturing,
                SetStatus.Complete => BackupSetStatus.Complete,
                SetStatus.CompletedWithWarnings => BackupSetStatus.CompletedWithWarnings,
                SetStatus.Incomplete => BackupSetStatus.Incomplete,
                SetStatus.Failed => BackupSetStatus.Failed,
                _ => BackupSetStatus.Unspecified,
            },
            ItemCount = itemCount,
            LastRunId = set.LastRunId?.ToString() ?? string.Empty,
            CreatedBy = set.CreatedBy,
            CreatedAt = Utc(set.CreatedAt),
            CapturedAt = set.CapturedAt is { } captured ? Utc(captured) : null,
            ScheduleId = set.ScheduleId?.ToString() ?? string.Empty,
        };
        message.Coverage.AddRange(JsonSerializer.Deserialize<List<Capture.FamilyCoverage>>(set.Coverage, CaptureWriter.StoredJson)!
            .Select(c => new FamilyCoverage { Family = PolicyFamilies.FromName(c.Family), Listed = c.Listed, Captured = c.Captured, ListComplete = c.ListComplete }));
        return message;
    }

    private static BackupItem ToProto(BackupItemEntity item) => new()
    {
        ItemId = item.Id.ToString(),
        PolicyId = item.PolicyId,
        Family = PolicyFamilies.FromName(item.Family),
        OdataType = item.OdataType,
        DisplayName = item.DisplayName,
        Outcome = item.Outcome == ItemOutcome.Captured ? BackupItemOutcome.Captured : BackupItemOutcome.Failed,
        ContentHash = item.ContentHash ?? string.Empty,
        FailureCode = item.FailureCode ?? string.Empty,
        FailureMessage = item.FailureMessage ?? string.Empty,
        RedactedSecrets = item.RedactedSecrets,
        AssignmentCount = item.AssignmentCount,
        RunId = item.RunId.ToString(),
        CapturedAt = Utc(item.CapturedAt),
    };

    private static Timestamp Utc(DateTime value) => Timestamp.FromDateTime(DateTime.SpecifyKind(value, DateTimeKind.Utc));
}
