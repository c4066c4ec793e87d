using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using TenantAtlas.Backup.V1;
using TenantAtlas.TenantGraph;
using TenantAtlas.Workers;
using BackupClient = TenantAtlas.Backup.V1.BackupService.BackupServiceClient;
using ResolvedReference = TenantAtlas.TenantGraph.ResolvedReference;

namespace TenantAtlas.RestoreService.Planning;

/// <summary>One item of the source: its stored content (raw Graph JSON with assignments, secrets redacted) and its references.</summary>
public sealed record SourceItem(Guid ItemId, string Family, string PolicyId, string OdataType, string DisplayName, JsonObject? Content,
    IReadOnlyList<ResolvedReference> References);

/// <summary>Reads a restore's source from BackupService (as the restore service, after the user's access was checked when it was created).</summary>
public sealed class SourceReader(BackupClient backup, ServiceToken token)
{
    private const int PageSize = 500;
    private const int ParallelReads = 8;

    /// <summary>The chosen items of the set (every item when <paramref name="itemIds"/> is empty), content included.</summary>
    public async Task<IReadOnlyList<SourceItem>> ReadAsync(Guid backupSetId, IReadOnlyCollection<Guid> itemIds, CancellationToken ct)
    {
        var listed = await ListAsync(backupSetId, await token.HeadersAsync(), ct);
        var chosen = itemIds.Count == 0 ? listed : [.. listed.Where(i => itemIds.Contains(Guid.Parse(i.ItemId)))];
        var read = new ConcurrentBag<SourceItem>();
        await Parallel.ForEachAsync(chosen, new ParallelOptions { MaxDegreeOfParallelism = ParallelReads, CancellationToken = ct }, async (item, itemCt) =>
        {
            var family = TenantGraph.PolicyFamilies.Name(item.Family);
            if (item.Outcome != BackupItemOutcome.Captured && item.ContentHash.Length == 0)
            {
                read.Add(new SourceItem(Guid.Parse(item.ItemId), family, item.PolicyId, item.OdataType, item.DisplayName, null, []));
                return;
            }
            var answer = await backup.GetBackupItemAsync(new GetBackupItemRequest { BackupSetId = backupSetId.ToString(), ItemId = item.ItemId },
                await token.HeadersAsync(), cancellationToken: itemCt);
            var content = answer.ContentJson.Length == 0 ? null : JsonNode.Parse(answer.ContentJson) as JsonObject;
            read.Add(new SourceItem(Guid.Parse(item.ItemId), family, item.PolicyId, item.OdataType, item.DisplayName, content,
                [.. answer.References.Select(r => new ResolvedReference(r.Kind, r.Id, r.DisplayName, r.Detail, r.ContentJson.Length == 0 ? null : r.ContentJson))]));
        });
        return [.. read.OrderBy(i => i.ItemId)];
    }

    /// <summary>Every item of the set (without content), read with <paramref name="headers"/> (the caller's token, or the service's).</summary>
    public async Task<List<BackupItem>> ListAsync(Guid backupSetId, global::Grpc.Core.Metadata headers, CancellationToken ct)
    {
        var items = new List<BackupItem>();
        var pageToken = string.Empty;
        do
        {
            var page = await backup.ListBackupItemsAsync(new ListBackupItemsRequest
            {
                BackupSetId = backupSetId.ToString(), PageSize = PageSize, PageToken = pageToken,
            }, headers, cancellationToken: ct);
            items.AddRange(page.Items);
            pageToken = page.NextPageToken;
        }
        while (pageToken.Length > 0);
        return items;
    }
}
