using Microsoft.Graph;
using Microsoft.Graph.Models;
using TenantAtlas.InventoryService.Sync;
using TenantAtlas.TenantGraph;
using TenantAtlas.Workers;

namespace TenantAtlas.InventoryService.Groups;

/// <summary>
/// <c>directory_groups.sync</c>: pages the tenant's groups from Graph (only the fields the cache keeps), storing each
/// page as it arrives and counting its groups; once the listing is complete, groups it did not see are marked
/// deleted. A listing that breaks off fails the run and marks nothing deleted: an unread page is not an empty one.
/// </summary>
public sealed partial class DirectoryGroupsSyncHandler(
    TenantGraphClients graphClients,
    DirectoryGroupWriter writer,
    ILogger<DirectoryGroupsSyncHandler> logger) : IRunHandler
{
    public const string Type = Contracts.RunTypes.DirectoryGroupsSync;

    /// <summary>The most Graph serves of groups per page.</summary>
    private const int PageSize = 999;

    private static readonly string[] Fields = ["id", "displayName", "groupTypes", "membershipRule", "securityEnabled"];

    public async Task HandleAsync(RunWorkContext run, CancellationToken cancellationToken)
    {
        var tenantId = run.TenantId ?? throw new RunFailureException("directory_groups.no_tenant", $"{Type} needs a tenant.");
        var entraTenantId = run.Context.Fields.TryGetValue(SyncContext.EntraTenantIdField, out var value) ? value.StringValue : null;
        if (string.IsNullOrEmpty(entraTenantId))
        {
            throw new RunFailureException("directory_groups.no_entra_tenant", "The run's context names no Entra tenant id; start the sync again.");
        }
        var client = graphClients.For(entraTenantId);

        var page = await ReadPageAsync(() => client.Groups.GetAsync(request =>
        {
            request.QueryParameters.Select = Fields;
            request.QueryParameters.Top = PageSize;
        }, cancellationToken), cancellationToken);
        var pages = 0;
        while (page is not null)
        {
            var groups = (page.Value ?? []).Where(g => g.Id is not null).Select(ToSynced).ToList();
            run.AddTotal(groups.Count);
            await writer.UpsertAsync(tenantId, run.RunId, groups, cancellationToken);
            run.Succeeded(groups.Count);
            pages++;
            page = page.OdataNextLink is { Length: > 0 } next
                ? await ReadPageAsync(() => client.Groups.WithUrl(next).GetAsync(cancellationToken: cancellationToken), cancellationToken)
                : null;
        }
        var deleted = await writer.MarkUnseenDeletedAsync(tenantId, run.RunId, cancellationToken);
        LogSynced(logger, run.Run.RunId, pages, deleted);
    }

    private static SyncedGroup ToSynced(Group group) => new(group.Id!, group.DisplayName ?? string.Empty,
        [.. (group.GroupTypes ?? []).OfType<string>()], string.IsNullOrEmpty(group.MembershipRule) ? null : group.MembershipRule,
        group.SecurityEnabled ?? false);

    /// <summary>A page, or the run's failure: without the whole list there is no telling which groups are gone.</summary>
    private static async Task<GroupCollectionResponse?> ReadPageAsync(Func<Task<GroupCollectionResponse?>> read, CancellationToken ct)
    {
        try
        {
            return await read();
        }
        catch (Exception e) when (GraphFailures.Of(e) is { } graph && !ct.IsCancellationRequested)
        {
            var code = GraphFailures.IsUnauthorized(graph) ? "graph.unauthorized" : "graph.list_failed";
            throw new RunFailureException(code, GraphFailures.Describe(graph, "Listing the tenant's groups"), e);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Run {RunId}: directory groups synced from {Pages} pages, {Deleted} marked deleted")]
    private static partial void LogSynced(ILogger logger, string runId, int pages, int deleted);
}
