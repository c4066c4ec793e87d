using System.Collections.Concurrent;
using Microsoft.Extensions.Options;
using Microsoft.Graph;
using Microsoft.Graph.Models;
using TenantAtlas.TenantGraph;
using TenantAtlas.Workers;

namespace TenantAtlas.InventoryService.Sync;

/// <summary>
/// <c>inventory.sync</c>: enumerates the tenant's device configurations and compliance policies through Graph,
/// following every nextLink, reads each policy's assignments, stores what it saw, and counts every item:
/// succeeded when stored, failed (with a per-item failure entry) when Graph would not give it up.
/// </summary>
public sealed partial class InventorySyncHandler(
    TenantGraphClients graphClients,
    InventoryItemWriter writer,
    IOptions<GraphOptions> graphOptions,
    ILogger<InventorySyncHandler> logger) : IRunHandler
{
    public const string Type = Contracts.RunTypes.InventorySync;
    public const string ItemUnreadableCode = "graph.item_unreadable";

    /// <summary>Items read and stored together: one upsert statement each, and the most a cancel leaves unstored.</summary>
    public const int ItemsPerWrite = 50;

    public async Task HandleAsync(RunWorkContext run, CancellationToken cancellationToken)
    {
        var tenantId = run.TenantId ?? throw new RunFailureException("inventory.no_tenant", "inventory.sync needs a tenant.");
        var entraTenantId = run.Context.Fields.TryGetValue(SyncContext.EntraTenantIdField, out var value) ? value.StringValue : null;
        if (string.IsNullOrEmpty(entraTenantId))
        {
            throw new RunFailureException("inventory.no_entra_tenant", "The run's context names no Entra tenant id; start the sync again.");
        }
        var families = SyncContext.Families(run.Context);
        var client = graphClients.For(entraTenantId);

        foreach (var family in families)
        {
            var items = family == PolicyFamilies.DeviceConfigurations
                ? await ListAsync<DeviceConfiguration, DeviceConfigurationCollectionResponse>(client,
                    c => c.DeviceManagement.DeviceConfigurations.GetAsync(cancellationToken: cancellationToken),
                    p => new ListedPolicy(p.Id!, p.OdataType, p.DisplayName, p.LastModifiedDateTime), cancellationToken)
                : await ListAsync<DeviceCompliancePolicy, DeviceCompliancePolicyCollectionResponse>(client,
                    c => c.DeviceManagement.DeviceCompliancePolicies.GetAsync(cancellationToken: cancellationToken),
                    p => new ListedPolicy(p.Id!, p.OdataType, p.DisplayName, p.LastModifiedDateTime), cancellationToken);
            run.AddTotal(items.Count);
            LogFamilyListed(logger, run.Run.RunId, family, items.Count);

            // Stored and counted a chunk at a time: progress moves while the sync runs, and a cancel (the token) stops it
            // between chunks with the counts of what was stored.
            foreach (var chunk in items.Chunk(ItemsPerWrite))
            {
                var read = new ConcurrentBag<SyncedItem>();
                await Parallel.ForEachAsync(chunk, new ParallelOptions { MaxDegreeOfParallelism = graphOptions.Value.MaxParallelReads, CancellationToken = cancellationToken },
                    async (item, ct) =>
                    {
                        try
                        {
                            var targets = await AssignmentTargetsAsync(client, family, item.Id, ct);
                            read.Add(new SyncedItem(family, item.Id, item.OdataType ?? string.Empty, item.DisplayName ?? string.Empty,
                                item.LastModified?.UtcDateTime, targets));
                        }
                        catch (Exception e) when (GraphFailures.Of(e) is { } graph && !ct.IsCancellationRequested)
                        {
                            run.Failed(ItemUnreadableCode, GraphFailures.Describe(graph, $"Reading the assignments of {family} '{item.DisplayName}'"), item.Id);
                        }
                    });
                await writer.UpsertAsync(tenantId, run.RunId, read, cancellationToken);
                run.Succeeded(read.Count);
            }
        }
    }

    /// <summary>What the sync needs of a listed policy, whatever its family.</summary>
    private sealed record ListedPolicy(string Id, string? OdataType, string? DisplayName, DateTimeOffset? LastModified);

    private static async Task<List<ListedPolicy>> ListAsync<TEntity, TPage>(GraphServiceClient client, Func<GraphServiceClient, Task<TPage?>> firstPage,
        Func<TEntity, ListedPolicy> describe, CancellationToken ct) where TEntity : Entity where TPage : BaseCollectionPaginationCountResponse, new()
    {
        var items = new List<ListedPolicy>();
        try
        {
            var page = await firstPage(client);
            if (page is null)
            {
                return items;
            }
            var iterator = PageIterator<TEntity, TPage>.CreatePageIterator(client, page, item =>
            {
                items.Add(describe(item));
                return true;
            });
            await iterator.IterateAsync(ct);
            return items;
        }
        catch (Exception e) when (GraphFailures.Of(e) is { } graph && !ct.IsCancellationRequested)
        {
            // Without the list there is nothing to sync: the run could not proceed.
            var code = GraphFailures.IsUnauthorized(graph) ? "graph.unauthorized" : "graph.list_failed";
            throw new RunFailureException(code, GraphFailures.Describe(graph, $"Listing {typeof(TEntity).Name} policies"), e);
        }
    }

    private static async Task<IReadOnlyList<string>> AssignmentTargetsAsync(GraphServiceClient client, string family, string id, CancellationToken ct)
    {
        IEnumerable<DeviceAndAppManagementAssignmentTarget?> targets = family == PolicyFamilies.DeviceConfigurations
            ? ((await client.DeviceManagement.DeviceConfigurations[id].Assignments.GetAsync(cancellationToken: ct))?.Value ?? []).Select(a => a.Target)
            : ((await client.DeviceManagement.DeviceCompliancePolicies[id].Assignments.GetAsync(cancellationToken: ct))?.Value ?? []).Select(a => a.Target);
        return [.. targets.OfType<DeviceAndAppManagementAssignmentTarget>().Select(Describe)];
    }

    private static string Describe(DeviceAndAppManagementAssignmentTarget target) => target switch
    {
        ExclusionGroupAssignmentTarget group => $"exclude-group:{group.GroupId}",
        GroupAssignmentTarget group => $"group:{group.GroupId}",
        AllDevicesAssignmentTarget => "allDevices",
        AllLicensedUsersAssignmentTarget => "allLicensedUsers",
        _ => target.OdataType ?? "unknown",
    };

    [LoggerMessage(Level = LogLevel.Information, Message = "Run {RunId}: {Family} listed, {Count} items")]
    private static partial void LogFamilyListed(ILogger logger, string runId, string family, int count);
}
