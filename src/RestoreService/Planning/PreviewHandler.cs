using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Grpc.Core;
using Microsoft.Extensions.Options;
using TenantAtlas.RestoreService.Persistence;
using TenantAtlas.RestoreService.Restores;
using TenantAtlas.TenantGraph;
using TenantAtlas.Workers;

namespace TenantAtlas.RestoreService.Planning;

/// <summary>
/// restore.preview: read-only. Reads the source from BackupService, maps its groups over the target's directory-group
/// cache and its notification templates over the target's own, re-reads the target tenant from Graph, and stores the plan
/// with its hash and expiry; the restore goes PREVIEWED and its adapter run exists from then on (held until the user executes).
/// </summary>
public sealed class PreviewHandler(
    RestoreStore store,
    SourceReader sources,
    GroupMapper groupMapper,
    TenantGraphClients graph,
    PolicyReader reader,
    AdapterRuns adapters,
    IOptions<RestoreOptions> options,
    TimeProvider time) : IRunHandler
{
    public async Task HandleAsync(RunWorkContext run, CancellationToken cancellationToken)
    {
        var restoreId = RestoreRunContext.From(run.Context)
            ?? throw new RunFailureException("restore.context_missing", "The run's context names no restore_run_id.");
        if (!await store.ClaimPreviewAsync(restoreId, run.RunId, cancellationToken))
        {
            // Previewed by an earlier delivery of this run (whose completion was lost): done. Otherwise cancelled meanwhile.
            var current = await store.FindAsync(restoreId, cancellationToken);
            run.FinalOutcome = current.PreviewRunId == run.RunId && current.Status != RestoreStatuses.Cancelled ? null : Runs.V1.RunOutcome.Cancelled;
            return;
        }
        var restore = await store.FindAsync(restoreId, cancellationToken);

        IReadOnlyList<SourceItem> items;
        try
        {
            items = await sources.ReadAsync(restore.BackupSetId, restore.ItemIds, cancellationToken);
        }
        catch (RpcException e) when (e.StatusCode is StatusCode.NotFound or StatusCode.PermissionDenied)
        {
            throw await FailAsync(restore, run, "restore.source_unreadable", $"The backup set could not be read: {e.Status.Detail}", cancellationToken);
        }
        run.AddTotal(items.Count);

        var mappings = await groupMapper.MapAsync(restore.TargetTenantId, PlanBuilder.GroupsOf(items),
            GroupChoiceEntry.Parse(restore.GroupChoices), cancellationToken);
        var decisions = new ReferenceDecisionSet(ReferenceDecisionEntry.Parse(restore.ReferenceDecisions));

        var client = graph.For(restore.TargetEntraTenantId);
        var sourceTemplates = PlanBuilder.TemplatesOf(items);
        var templates = sourceTemplates.Count == 0 ? [] : TemplateMapper.Map(sourceTemplates, await TargetTemplatesAsync(client, restore, run, cancellationToken), decisions);
        var target = new TargetPolicies();
        var families = items.Select(i => i.Family).Distinct().ToList();
        foreach (var family in families)
        {
            var list = await reader.ListAsync(client, family, cancellationToken);
            if (!list.Complete)
            {
                throw await FailAsync(restore, run, "graph.list_incomplete",
                    $"The target's {family} could not be read to the end, so creates and updates cannot be told apart: {list.Failure}", cancellationToken);
            }
            foreach (var policy in list.Policies)
            {
                target.Add(family, TargetPolicies.AsCaptured(policy, restore.TargetTenantId));
            }
        }
        var assignments = await CandidateAssignmentsAsync(client, restore, items, target, cancellationToken);

        var context = new MappingContext(
            mappings.ToDictionary(m => m.SourceGroupId, StringComparer.OrdinalIgnoreCase),
            templates.ToDictionary(t => t.SourceTemplateId, StringComparer.OrdinalIgnoreCase),
            decisions, restore.CrossTenant, restore.AllowBroadTargets)
        {
            LostCreates = (await store.OpenLostCreatesAsync(restore.TargetTenantId, restore.Id, cancellationToken))
                .ToDictionary(l => (l.Family, l.OdataType, l.DisplayName)),
        };
        var planned = items.Select(i => PlanBuilder.Plan(i, target, assignments, context)).ToList();
        run.Succeeded(planned.Count);

        var adapter = await adapters.EnsureAsync(restore, cancellationToken);
        var now = DateTime.UtcNow;
        var entities = planned.Select(p => ToEntity(restore.Id, p, now)).ToList();
        var stored = await store.StorePlanAsync(restore.Id, run.RunId, Guid.Parse(adapter.RunId), entities, StoredJson.Write(mappings),
            StoredJson.Write(templates), PlanHash(restore, entities, templates), time.GetUtcNow().UtcDateTime + options.Value.PlanLifetime, cancellationToken);
        if (!stored && (await store.FindAsync(restore.Id, cancellationToken)).Status == RestoreStatuses.Cancelled)
        {
            // Cancelled while previewing: the adapter run made just now must not stay queued.
            await adapters.CancelAsync(Guid.Parse(adapter.RunId), cancellationToken);
        }
    }

    /// <summary>The target's notification templates, read to the end (a lost page could make a duplicate template).</summary>
    private async Task<IReadOnlyList<JsonObject>> TargetTemplatesAsync(Microsoft.Graph.GraphServiceClient client, RestoreRunEntity restore, RunWorkContext run,
        CancellationToken ct)
    {
        var list = await reader.ListNotificationTemplatesAsync(client, ct);
        if (!list.Complete)
        {
            throw await FailAsync(restore, run, "graph.list_incomplete",
                $"The target's notification templates could not be read to the end, so they cannot be matched by name: {list.Failure}", ct);
        }
        return list.Policies;
    }

    /// <summary>The current assignments of every target policy an item may be compared with.</summary>
    private async Task<Dictionary<string, JsonArray?>> CandidateAssignmentsAsync(Microsoft.Graph.GraphServiceClient client, RestoreRunEntity restore,
        IReadOnlyList<SourceItem> items, TargetPolicies target, CancellationToken ct)
    {
        var result = new Dictionary<string, JsonArray?>(StringComparer.OrdinalIgnoreCase);
        foreach (var family in items.Select(i => i.Family).Distinct())
        {
            var ids = items.Where(i => i.Family == family && i.Content is not null)
                .SelectMany(i => (restore.CrossTenant ? null : target.ById(i.PolicyId)) is { } same
                    ? [same]
                    : target.ByName(family, TargetPolicies.NameOf(i.Content!), TargetPolicies.TypeOf(i.Content!)))
                .Select(p => p["id"]!.GetValue<string>())
                .Distinct(StringComparer.OrdinalIgnoreCase).ToList();
            if (ids.Count == 0)
            {
                continue;
            }
            foreach (var (id, read) in await reader.AssignmentsAsync(client, family, ids, ct))
            {
                if (read.Assignments is null)
                {
                    throw new RunFailureException("graph.item_unreadable",
                        $"The assignments of target policy {id} could not be read, so its plan cannot be made: {read.Failure}");
                }
                result[id] = read.Assignments;
            }
        }
        return result;
    }

    private async Task<RunFailureException> FailAsync(RestoreRunEntity restore, RunWorkContext run, string code, string message, CancellationToken ct)
    {
        await store.FailPreviewAsync(restore.Id, run.RunId, code, message, ct);
        return new RunFailureException(code, message);
    }

    private static RestoreItemEntity ToEntity(Guid restoreId, PlannedItem plan, DateTime now) => new()
    {
        RestoreId = restoreId,
        ItemId = plan.Source.ItemId,
        Family = plan.Source.Family,
        SourcePolicyId = plan.Source.PolicyId,
        OdataType = plan.Source.OdataType,
        DisplayName = plan.Source.DisplayName,
        Action = plan.Action,
        BlockedReason = plan.BlockedReason,
        TargetPolicyId = plan.TargetPolicyId,
        TargetHash = plan.TargetHash,
        Body = plan.Body?.ToJsonString(StoredJson.Options),
        Assignments = plan.Assignments?.ToJsonString(StoredJson.Options),
        ScheduledActions = plan.ScheduledActions?.ToJsonString(StoredJson.Options),
        IntendedHash = plan.IntendedHash,
        Changes = StoredJson.Write(plan.Changes),
        Calls = StoredJson.Write(plan.Calls),
        References = StoredJson.Write(plan.References),
        SecretPaths = StoredJson.Write(plan.SecretPaths),
        Result = RestoreItemResults.Pending,
        UpdatedAt = now,
    };

    /// <summary>
    /// SHA-256 over what executing would do: the options and, per item in id order, its action, target and the exact bodies.
    /// The user sends it back with ExecuteRestore, so the plan executed is the plan they saw.
    /// </summary>
    private static string PlanHash(RestoreRunEntity restore, IEnumerable<RestoreItemEntity> items, IEnumerable<TemplateMappingEntry> templates)
    {
        var text = new StringBuilder()
            .Append(restore.Id).Append('|').Append(restore.AllowOverwrite).Append(restore.AllowBroadTargets).Append(restore.DryRun).Append('\n');
        foreach (var template in templates.OrderBy(t => t.SourceTemplateId, StringComparer.Ordinal))
        {
            text.AppendJoin('\u001f', template.SourceTemplateId, template.State, template.TargetTemplateId).Append('\n');
        }
        foreach (var item in items.OrderBy(i => i.ItemId))
        {
            text.AppendJoin('\u001f', item.ItemId, item.Action, item.BlockedReason, item.TargetPolicyId, item.TargetHash, item.Body,
                item.Assignments, item.ScheduledActions).Append('\n');
        }
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text.ToString())));
    }
}
