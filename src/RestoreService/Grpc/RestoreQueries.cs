using System.Text.Json;
using Google.Protobuf.WellKnownTypes;
using Microsoft.EntityFrameworkCore;
using TenantAtlas.Restore.V1;
using TenantAtlas.RestoreService.Persistence;
using TenantAtlas.RestoreService.Planning;
using TenantAtlas.RestoreService.Restores;
using TenantAtlas.TenantGraph;

namespace TenantAtlas.RestoreService.Grpc;

/// <summary>Reads restores and their items (database only).</summary>
public sealed class RestoreQueries(RestoreDbContext db, PageTokens pageTokens)
{
    private sealed record RestoreCursor(DateTime CreatedAt, Guid Id);

    private sealed record ItemCursor(string Family, string DisplayName, Guid ItemId);

    /// <summary>What a caller hears of a restore that does not exist or that they may not see (the same words for both).</summary>
    public static string NotFound(Guid restoreId) => $"Restore '{restoreId}' does not exist, or you may not see it.";

    public async Task<RestoreRunEntity> RestoreAsync(Guid restoreId, CancellationToken ct) =>
        await db.Restores.AsNoTracking().SingleOrDefaultAsync(r => r.Id == restoreId, ct) ?? throw new NotFoundException(NotFound(restoreId));

    public async Task<Restore.V1.Restore> ToProtoAsync(RestoreRunEntity restore, CancellationToken ct)
    {
        var counts = await db.Items.AsNoTracking().Where(i => i.RestoreId == restore.Id)
            .GroupBy(i => new { i.Action, i.Result }).Select(g => new { g.Key.Action, g.Key.Result, Count = g.Count() }).ToListAsync(ct);
        var proto = ToProto(restore, withMappings: true);
        // A template the execution created: its id in the target, from its journal.
        var created = await db.Templates.AsNoTracking().Where(t => t.RestoreId == restore.Id && t.TargetTemplateId != null)
            .ToDictionaryAsync(t => t.SourceTemplateId, t => t.TargetTemplateId!, StringComparer.OrdinalIgnoreCase, ct);
        foreach (var mapping in proto.TemplateMappings.Where(m => m.TargetTemplateId.Length == 0 && created.ContainsKey(m.SourceTemplateId)))
        {
            mapping.TargetTemplateId = created[mapping.SourceTemplateId];
        }
        int Sum(Func<string, string, bool> where) => counts.Where(c => where(c.Action, c.Result)).Sum(c => c.Count);
        proto.Counts = new RestoreCounts
        {
            Items = Sum((_, _) => true),
            Create = Sum((a, _) => a == RestoreActions.Create),
            Update = Sum((a, _) => a == RestoreActions.Update),
            SkipIdentical = Sum((a, _) => a == RestoreActions.SkipIdentical),
            Blocked = Sum((a, _) => a == RestoreActions.Blocked),
            Created = Sum((_, r) => r == RestoreItemResults.Created),
            Updated = Sum((_, r) => r == RestoreItemResults.Updated),
            Unchanged = Sum((_, r) => r == RestoreItemResults.Unchanged),
            Failed = Sum((_, r) => r == RestoreItemResults.Failed),
            NeedsReconcile = Sum((_, r) => r == RestoreItemResults.NeedsReconcile),
            BlockedAtExecute = Sum((_, r) => r == RestoreItemResults.Blocked),
        };
        return proto;
    }

    public async Task<(IReadOnlyList<Restore.V1.Restore> Restores, string? NextPageToken)> ListAsync(Guid tenantId, int pageSize, string pageToken,
        CancellationToken ct)
    {
        var filters = PageTokens.Fingerprint([tenantId.ToString()]);
        var query = db.Restores.AsNoTracking().Where(r => r.TargetTenantId == tenantId);
        if (pageToken.Length > 0)
        {
            var after = pageTokens.Decode<RestoreCursor>(pageToken, filters);
            query = query.Where(r => r.CreatedAt < after.CreatedAt || (r.CreatedAt == after.CreatedAt && r.Id.CompareTo(after.Id) < 0));
        }
        var rows = await query.OrderByDescending(r => r.CreatedAt).ThenByDescending(r => r.Id).Take(pageSize + 1).ToListAsync(ct);
        string? next = null;
        if (rows.Count > pageSize)
        {
            rows.RemoveAt(rows.Count - 1);
            next = pageTokens.Encode(new RestoreCursor(rows[^1].CreatedAt, rows[^1].Id), filters);
        }
        return ([.. rows.Select(r => ToProto(r, withMappings: false))], next);
    }

    public async Task<(IReadOnlyList<RestoreItem> Items, string? NextPageToken)> ListItemsAsync(Guid restoreId, int pageSize, string pageToken,
        CancellationToken ct)
    {
        var filters = PageTokens.Fingerprint([restoreId.ToString()]);
        var query = db.Items.AsNoTracking().Where(i => i.RestoreId == restoreId);
        if (pageToken.Length > 0)
        {
            var after = pageTokens.Decode<ItemCursor>(pageToken, filters);
            query = query.Where(i => i.Family.CompareTo(after.Family) > 0
                || (i.Family == after.Family && (i.DisplayName.CompareTo(after.DisplayName) > 0
                    || (i.DisplayName == after.DisplayName && i.ItemId.CompareTo(after.ItemId) > 0))));
        }
        var rows = await query.OrderBy(i => i.Family).ThenBy(i => i.DisplayName).ThenBy(i => i.ItemId).Take(pageSize + 1).ToListAsync(ct);
        string? next = null;
        if (rows.Count > pageSize)
        {
            rows.RemoveAt(rows.Count - 1);
            next = pageTokens.Encode(new ItemCursor(rows[^1].Family, rows[^1].DisplayName, rows[^1].ItemId), filters);
        }
        return ([.. rows.Select(ToProto)], next);
    }

    public static Restore.V1.Restore ToProto(RestoreRunEntity r, bool withMappings)
    {
        var proto = new Restore.V1.Restore
        {
            RestoreId = r.Id.ToString(),
            WorkspaceId = r.WorkspaceId.ToString(),
            BackupSetId = r.BackupSetId.ToString(),
            SourceTenantId = r.SourceTenantId.ToString(),
            ItemIds = { r.ItemIds.Select(i => i.ToString()) },
            TargetTenantId = r.TargetTenantId.ToString(),
            CrossTenant = r.CrossTenant,
            Options = new Restore.V1.RestoreOptions { AllowOverwrite = r.AllowOverwrite, AllowBroadTargets = r.AllowBroadTargets, DryRun = r.DryRun },
            Status = RestoreStatuses.ToProto(r.Status),
            PreviewRunId = r.PreviewRunId?.ToString() ?? string.Empty,
            ExecuteRunId = r.ExecuteRunId?.ToString() ?? string.Empty,
            PlanHash = r.PlanHash ?? string.Empty,
            PlanExpiresAt = r.PlanExpiresAt is { } expires ? Timestamp.FromDateTime(DateTime.SpecifyKind(expires, DateTimeKind.Utc)) : null,
            FailureCode = r.FailureCode ?? string.Empty,
            FailureMessage = r.FailureMessage ?? string.Empty,
            CreatedBy = r.CreatedBy,
            CreatedAt = Timestamp.FromDateTime(DateTime.SpecifyKind(r.CreatedAt, DateTimeKind.Utc)),
            UpdatedAt = Timestamp.FromDateTime(DateTime.SpecifyKind(r.UpdatedAt, DateTimeKind.Utc)),
        };
        if (withMappings)
        {
            proto.GroupMappings.AddRange(GroupMappingEntry.Parse(r.GroupMappings).Select(m => m.ToProto()));
            proto.TemplateMappings.AddRange(TemplateMappingEntry.Parse(r.TemplateMappings).Select(m => m.ToProto()));
        }
        return proto;
    }

    public static RestoreItem ToProto(RestoreItemEntity i)
    {
        var item = new RestoreItem
        {
            ItemId = i.ItemId.ToString(),
            SourcePolicyId = i.SourcePolicyId,
            Family = PolicyFamilies.FromName(i.Family),
            OdataType = i.OdataType,
            DisplayName = i.DisplayName,
            Action = RestoreActions.ToProto(i.Action),
            BlockedReason = i.BlockedReason ?? string.Empty,
            TargetPolicyId = i.TargetPolicyId ?? string.Empty,
            Result = RestoreItemResults.ToProto(i.Result),
            FailureCode = i.FailureCode ?? string.Empty,
            FailureMessage = i.FailureMessage ?? string.Empty,
            SecretPaths = { Parse<string>(i.SecretPaths) },
            ReconcileCandidateIds = { Parse<string>(i.ReconcileCandidates) },
        };
        item.Changes.AddRange(Parse<PolicyChange>(i.Changes).Select(c => new PlannedChange
        {
            Path = c.Path, Current = c.Secret ? string.Empty : c.Old ?? "null", Restored = c.Secret ? string.Empty : c.New ?? "null",
        }));
        item.Calls.AddRange(Parse<PlannedCallEntry>(i.Calls).Select(c => new PlannedCall { Method = c.Method, Path = c.Path, Step = c.Step }));
        item.References.AddRange(Parse<ReferenceEntry>(i.References).Select(r => new ReferenceDecision
        {
            Kind = r.Kind, SourceValue = r.SourceValue, Decision = r.Decision, TargetValue = r.TargetValue, Detail = r.Detail,
            Candidates = { r.Candidates },
        }));
        item.Journal.AddRange(Parse<JournalEntry>(i.Journal).Select(j => new JournalStep
        {
            Step = j.Step, RequestId = j.RequestId ?? string.Empty, TargetPolicyId = j.TargetPolicyId ?? string.Empty, Detail = j.Detail ?? string.Empty,
            At = Timestamp.FromDateTime(DateTime.SpecifyKind(j.At, DateTimeKind.Utc)),
        }));
        return item;
    }

    private static List<T> Parse<T>(string json) => JsonSerializer.Deserialize<List<T>>(json, StoredJson.Options) ?? [];
}
