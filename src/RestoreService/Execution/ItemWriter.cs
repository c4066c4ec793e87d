using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Options;
using Microsoft.Graph;
using Microsoft.Kiota.Abstractions;
using TenantAtlas.RestoreService.Persistence;
using TenantAtlas.RestoreService.Planning;
using TenantAtlas.RestoreService.Restores;
using TenantAtlas.TenantGraph;
using TenantAtlas.Workers;

namespace TenantAtlas.RestoreService.Execution;

/// <summary>What one execution shares across its items: the restore, its Graph client, target lists read for re-checks, and templates made.</summary>
public sealed class Execution(RestoreRunEntity restore, GraphServiceClient client)
{
    public RestoreRunEntity Restore { get; } = restore;
    public GraphServiceClient Client { get; } = client;
    public Dictionary<string, TargetPolicies> Lists { get; } = [];

    /// <summary>The plan's template mappings by source id; the created ones' target ids once made.</summary>
    public Dictionary<string, TemplateMappingEntry> Templates { get; } =
        TemplateMappingEntry.Parse(restore.TemplateMappings).ToDictionary(t => t.SourceTemplateId, StringComparer.OrdinalIgnoreCase);

    public Dictionary<string, string> TemplateIds { get; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>
    /// Target policies this restore's items already stand for (created, reconciled or updated): another item of the same
    /// name and type (the source may hold several) is neither blocked by them nor reconciled onto them.
    /// </summary>
    public HashSet<string> Claimed { get; } = new(StringComparer.OrdinalIgnoreCase);
}

/// <summary>
/// The writes of one restore item. A create is journaled "create_sent" (with the same-named policies the target already
/// had) before it is POSTed without the SDK's retry, and "created" after; a create whose answer was lost is read back by
/// identity (<see cref="LostCreates"/>) — exactly one candidate is it, none or several leave the item NEEDS_RECONCILE with
/// the candidates, and it is never POSTed again. Updates are re-checked against the target read at preview time before the
/// first write. Assignments go in one /assign with the complete planned set. Right before each write the plan's
/// placeholders are resolved (<see cref="PlannedValues"/>): templates are made, secrets taken from <see cref="SecretVault"/>;
/// a body still holding either is never sent.
/// </summary>
public sealed partial class ItemWriter(
    RestoreStore store,
    PolicyReader reader,
    PacedGraphWriter writer,
    TemplateWriter templates,
    SecretVault vault,
    IOptions<RestoreOptions> options,
    TimeProvider time,
    ILogger<ItemWriter> logger)
{
    public async Task<(string Result, string? Code, string? Message)> ExecuteAsync(Execution execution, RestoreItemEntity item, CancellationToken ct)
    {
        if (RestoreItemResults.IsFinal(item.Result))
        {
            return (item.Result, item.FailureCode, item.FailureMessage);
        }
        var restore = execution.Restore;
        switch (item.Action)
        {
            case RestoreActions.Blocked:
                return await BlockAsync(item, item.BlockedReason ?? "blocked", "Blocked by the plan.", ct);
            case RestoreActions.SkipIdentical:
                await Record(item, "unchanged", RestoreItemResults.Unchanged, ct: ct);
                return (RestoreItemResults.Unchanged, null, null);
        }
        if (restore.DryRun)
        {
            await Record(item, "dry_run", RestoreItemResults.DryRun, detail: $"Would {item.Action}: {string.Join("; ", PlannedCalls(item))}", ct: ct);
            return (RestoreItemResults.DryRun, null, null);
        }
        try
        {
            var writes = await ResolveAsync(execution, item, ct);
            if (writes.MissingSecrets.Count > 0)
            {
                return await BlockAsync(item, BlockedReasons.SecretRequired, vault.Holds(restore.Id)
                    ? $"Its writes need the secret value(s) {string.Join(", ", writes.MissingSecrets)}, which the execution was not given; restore it again with them, or decide to restore it without them."
                    : $"Its writes need the secret value(s) {string.Join(", ", writes.MissingSecrets)}: none were given to this execution, or the RestoreService process that held them (in memory only) is gone. Restore it again with them, or decide to restore it without them.",
                    ct);
            }
            return item.Action == RestoreActions.Create ? await CreateAsync(execution, item, writes, ct) : await UpdateAsync(execution, item, writes, ct);
        }
        catch (TemplateUnavailableException e)
        {
            await Record(item, "failed", RestoreItemResults.Failed, detail: e.Message, failureCode: e.Code, failureMessage: e.Message, ct: ct);
            return (RestoreItemResults.Failed, e.Code, e.Message);
        }
        catch (Exception e) when (GraphFailures.Of(e) is { } graphError && !ct.IsCancellationRequested)
        {
            var message = GraphFailures.Describe(graphError, $"Restoring '{item.DisplayName}'");
            await Record(item, "failed", RestoreItemResults.Failed, GraphJson.RequestIdOf(graphError), detail: message,
                failureCode: "graph.write_failed", failureMessage: message, ct: ct);
            return (RestoreItemResults.Failed, "graph.write_failed", message);
        }
    }

    /// <summary>An item's planned writes with their placeholders resolved, and the secrets it still lacks.</summary>
    private sealed record ResolvedWrites(JsonNode? Body, JsonNode? ScheduledActions, JsonNode? Assignments, IReadOnlyList<string> MissingSecrets);

    private async Task<ResolvedWrites> ResolveAsync(Execution execution, RestoreItemEntity item, CancellationToken ct)
    {
        var body = item.Body is null ? null : JsonNode.Parse(item.Body);
        var actions = item.ScheduledActions is null ? null : JsonNode.Parse(item.ScheduledActions);
        foreach (var source in new[] { body, actions }.SelectMany(TemplatesIn).Distinct(StringComparer.OrdinalIgnoreCase))
        {
            if (!execution.TemplateIds.ContainsKey(source))
            {
                var mapping = execution.Templates.GetValueOrDefault(source)
                    ?? throw new TemplateUnavailableException("restore.template_unavailable", $"The plan names template {source} without a mapping; preview again.");
                execution.TemplateIds[source] = await templates.TargetIdAsync(execution.Restore, execution.Client, mapping, mapping.Content, ct);
            }
        }
        var secrets = vault.For(execution.Restore.Id, item.ItemId);
        var (resolvedBody, missingSecrets, bodyTemplates) = PlannedValues.Resolve(body, execution.TemplateIds, secrets);
        var (resolvedActions, _, actionTemplates) = PlannedValues.Resolve(actions, execution.TemplateIds, secrets);
        if (bodyTemplates.Count + actionTemplates.Count > 0)
        {
            // Never reached while every placeholder has a mapping (made just above); a guard, so nothing foreign is ever sent.
            throw new TemplateUnavailableException("restore.unresolved_reference",
                $"The plan holds template references it cannot resolve at {string.Join(", ", bodyTemplates.Concat(actionTemplates))}; preview again.");
        }
        return new ResolvedWrites(resolvedBody, resolvedActions, item.Assignments is null ? null : JsonNode.Parse(item.Assignments), missingSecrets);
    }

    private static IEnumerable<string> TemplatesIn(JsonNode? node) => node switch
    {
        JsonObject obj => obj.SelectMany(p => TemplatesIn(p.Value)),
        JsonArray array => array.SelectMany(TemplatesIn),
        JsonValue value when value.TryGetValue<string>(out var text) && PlannedValues.TemplateOf(text) is { } source => [source],
        _ => [],
    };

    private async Task<(string, string?, string?)> CreateAsync(Execution execution, RestoreItemEntity item, ResolvedWrites writes, CancellationToken ct)
    {
        var body = (JsonObject)writes.Body!;
        var journal = JournalOf(item);
        var targetId = item.TargetPolicyId;
        if (targetId is null && journal.LastOrDefault(s => s.Step == "create_sent") is { } sent)
        {
            // Sent before without an answer recorded: it may have landed. Read back by identity, never a second POST.
            var found = await ReconcileAsync(execution, item, body, sent, ct);
            if (found.TargetId is null)
            {
                return found.Outcome!.Value;
            }
            targetId = found.TargetId;
        }
        if (targetId is null)
        {
            var sameIdentity = (await ListAsync(execution, item.Family, refresh: false, ct))
                .ByName(item.Family, TargetPolicies.NameOf(body), TargetPolicies.TypeOf(body)).Select(p => p["id"]!.GetValue<string>()).ToList();
            if (journal.Count == 0 && sameIdentity.Any(id => !execution.Claimed.Contains(id)))
            {
                // A policy of this name and type appeared since the preview: creating another would make a duplicate name.
                return await BlockAsync(item, BlockedReasons.TargetChanged,
                    "The target has a policy of this name and type that it did not have at preview time; preview again.", ct);
            }
            var sending = new JournalEntry("create_sent", null, null, null, time.GetUtcNow().UtcDateTime) { Known = sameIdentity };
            await store.RecordAsync(item.RestoreId, item.ItemId, sending, RestoreItemResults.Pending, null, ct: ct);
            try
            {
                var created = await writer.WriteAsync(execution.Restore.TargetEntraTenantId, execution.Client, Method.POST,
                    $"/deviceManagement/{PolicyFamilies.GraphCollection(item.Family)}", body, retry: false, ct);
                targetId = created.Body?["id"]?.GetValue<string>()
                    ?? throw new InvalidOperationException("Graph answered a create without the new policy's id.");
                execution.Claimed.Add(targetId);
                await Record(item, "created", RestoreItemResults.Pending, created.RequestId, targetId, ct: ct);
            }
            catch (Exception e) when (PacedGraphWriter.IsUncertain(e, ct))
            {
                LogUncertainCreate(logger, item.ItemId, e.GetType().Name);
                var requestId = GraphFailures.Of(e) is { } api ? GraphJson.RequestIdOf(api) : null;
                await Record(item, "create_uncertain", RestoreItemResults.NeedsReconcile, requestId, detail: PacedGraphWriter.UncertainDetail(e), ct: ct);
                var found = await ReconcileAsync(execution, item, body, sending, ct);
                if (found.TargetId is null)
                {
                    return found.Outcome!.Value;
                }
                targetId = found.TargetId;
            }
        }
        await AssignAsync(execution, item, targetId, writes, journal, ct);
        await VerifyAsync(execution, item, targetId, writes, RestoreItemResults.Created, ct);
        return (RestoreItemResults.Created, null, null);
    }

    private async Task<(string, string?, string?)> UpdateAsync(Execution execution, RestoreItemEntity item, ResolvedWrites writes, CancellationToken ct)
    {
        var targetId = item.TargetPolicyId!;
        var collection = PolicyFamilies.GraphCollection(item.Family);
        var journal = JournalOf(item);
        if (!journal.Any(s => s.Step is "updated" or "actions_scheduled" or "assigned") && !execution.Restore.AllowOverwrite)
        {
            // Right before the first write: is the target still what the preview compared with? (A resumed item skips
            // this: its own writes changed it.)
            var current = await ReadAsync(execution, item.Family, targetId, ct);
            if (current is null || RestorableForm.Hash(RestorableForm.Comparable(current.Value.Policy, current.Value.Assignments)) != item.TargetHash)
            {
                return await BlockAsync(item, BlockedReasons.TargetChanged, current is null
                    ? "The target policy was deleted since the preview; preview again."
                    : "The target policy changed since the preview; preview again, or create the restore with allow_overwrite.", ct);
            }
        }
        if (writes.Body is not null && !journal.Any(s => s.Step == "updated"))
        {
            var patched = await writer.WriteAsync(execution.Restore.TargetEntraTenantId, execution.Client, Method.PATCH,
                $"/deviceManagement/{collection}/{targetId}", writes.Body, retry: true, ct);
            await Record(item, "updated", RestoreItemResults.Pending, patched.RequestId, targetId, ct: ct);
        }
        if (writes.ScheduledActions is not null && !journal.Any(s => s.Step == "actions_scheduled"))
        {
            var scheduled = await writer.WriteAsync(execution.Restore.TargetEntraTenantId, execution.Client, Method.POST,
                $"/deviceManagement/{collection}/{targetId}/scheduleActionsForRules",
                new JsonObject { ["deviceComplianceScheduledActionForRules"] = writes.ScheduledActions.DeepClone() }, retry: true, ct);
            await Record(item, "actions_scheduled", RestoreItemResults.Pending, scheduled.RequestId, targetId, ct: ct);
        }
        await AssignAsync(execution, item, targetId, writes, journal, ct);
        await VerifyAsync(execution, item, targetId, writes, RestoreItemResults.Updated, ct);
        return (RestoreItemResults.Updated, null, null);
    }

    /// <summary>The one /assign with the complete planned set (replace-all, so it is safe to send again on a resume).</summary>
    private async Task AssignAsync(Execution execution, RestoreItemEntity item, string targetId, ResolvedWrites writes, List<JournalEntry> journal, CancellationToken ct)
    {
        if (writes.Assignments is null || journal.Any(s => s.Step == "assigned"))
        {
            return;
        }
        var assigned = await writer.WriteAsync(execution.Restore.TargetEntraTenantId, execution.Client, Method.POST,
            $"/deviceManagement/{PolicyFamilies.GraphCollection(item.Family)}/{targetId}/assign",
            new JsonObject { ["assignments"] = writes.Assignments.DeepClone() }, retry: true, ct);
        await Record(item, "assigned", RestoreItemResults.Pending, assigned.RequestId, targetId, ct: ct);
    }

    /// <summary>
    /// Reads the written policy back and says whether it is what the plan meant, compared as captures compare (secrets
    /// redacted on both sides with the target's salt), with its assignments or without them when the plan left them out;
    /// the item's result is set here.
    /// </summary>
    private async Task VerifyAsync(Execution execution, RestoreItemEntity item, string targetId, ResolvedWrites writes, string result, CancellationToken ct)
    {
        var read = await ReadAsync(execution, item.Family, targetId, ct);
        var matches = read is { } policy && writes.Body is JsonObject written
            && Intended(written, execution.Restore.TargetTenantId) is var intended
            && SubsetOf(intended, RestorableForm.Body(policy.Policy, withScheduledActions: true));
        await Record(item, "verified", result, targetPolicyId: targetId,
            detail: read is null ? "not found on read-back" : writes.Body is null || matches ? "matches the plan" : "differs from the plan (Graph may have normalized values)", ct: ct);
    }

    /// <summary>What was written, as a capture of the target would store it (its secrets redacted with the target's salt).</summary>
    private static JsonObject Intended(JsonObject written, Guid targetTenantId) => TargetPolicies.AsCaptured((JsonObject)written.DeepClone(), targetTenantId);

    /// <summary>Every property written is read back with the same value (Graph may add defaults the body did not send).</summary>
    private static bool SubsetOf(JsonObject written, JsonObject read) =>
        written.All(p => (ContentHash.Canonical(p.Value)?.ToJsonString() ?? "null") == (ContentHash.Canonical(read[p.Key])?.ToJsonString() ?? "null"));

    /// <summary>
    /// Read-backs of an uncertain create, by identity: exactly one candidate is the lost create (reconciled); none or
    /// several leave the item NEEDS_RECONCILE with the candidates, and nothing is POSTed again.
    /// </summary>
    private async Task<(string? TargetId, (string, string?, string?)? Outcome)> ReconcileAsync(Execution execution, RestoreItemEntity item, JsonObject body,
        JournalEntry sent, CancellationToken ct)
    {
        var candidates = new List<string>();
        for (var attempt = 1; attempt <= options.Value.ReconcileAttempts; attempt++)
        {
            await Task.Delay(options.Value.ReconcilePause, time, ct);
            var list = await ListAsync(execution, item.Family, refresh: true, ct);
            candidates = LostCreates.Candidates(list.ByName(item.Family, TargetPolicies.NameOf(body), TargetPolicies.TypeOf(body)),
                TargetPolicies.NameOf(body), TargetPolicies.TypeOf(body), sent, execution.Claimed);
            if (candidates.Count == 1)
            {
                execution.Claimed.Add(candidates[0]);
                RestoreTelemetry.Reconciled.Add(1);
                await Record(item, "reconciled", RestoreItemResults.Pending, targetPolicyId: candidates[0],
                    detail: $"found on read-back {attempt}: the lost create had landed", ct: ct);
                return (candidates[0], null);
            }
        }
        await store.SetReconcileCandidatesAsync(item.RestoreId, item.ItemId, candidates, ct);
        var message = candidates.Count == 0
            ? $"The create got no answer and the target does not list a policy of its name and type created since ({options.Value.ReconcileAttempts} read-backs; Graph may list it later). It is not created again: check the target, and restore it again if it is not there."
            : $"The create got no answer and the target lists {candidates.Count} policies of its name and type created since ({string.Join(", ", candidates)}); it is not created again. Check them in the target.";
        await Record(item, "needs_reconcile", RestoreItemResults.NeedsReconcile, detail: $"{candidates.Count} candidate(s)",
            failureCode: "restore.needs_reconcile", failureMessage: message, ct: ct);
        return (null, (RestoreItemResults.NeedsReconcile, "restore.needs_reconcile", message));
    }

    private async Task<TargetPolicies> ListAsync(Execution execution, string family, bool refresh, CancellationToken ct)
    {
        if (!refresh && execution.Lists.TryGetValue(family, out var cached))
        {
            return cached;
        }
        var list = await reader.ListAsync(execution.Client, family, ct);
        if (!list.Complete)
        {
            throw new RunFailureException("graph.list_incomplete", $"The target's {family} could not be read to the end: {list.Failure}");
        }
        var policies = new TargetPolicies();
        foreach (var policy in list.Policies)
        {
            policies.Add(family, TargetPolicies.AsCaptured(policy, execution.Restore.TargetTenantId));
        }
        return execution.Lists[family] = policies;
    }

    /// <summary>One target policy as captured, with its assignments (compliance with its scheduled actions); null when it no longer exists.</summary>
    private async Task<(JsonObject Policy, JsonArray Assignments)?> ReadAsync(Execution execution, string family, string policyId, CancellationToken ct)
    {
        var collection = PolicyFamilies.GraphCollection(family);
        var query = family == PolicyFamilies.CompliancePolicies ? "?" + PolicyReader.ComplianceActionsExpand : string.Empty;
        JsonNode? policy;
        try
        {
            policy = await GraphJson.GetAsync(execution.Client, GraphJson.Url(execution.Client, $"/deviceManagement/{collection}/{policyId}{query}"), ct);
        }
        catch (Exception e) when (GraphFailures.Of(e) is { ResponseStatusCode: 404 })
        {
            return null;
        }
        var assignments = (await reader.AssignmentsAsync(execution.Client, family, [policyId], ct)).GetValueOrDefault(policyId);
        if (assignments?.Assignments is null)
        {
            throw new RunFailureException("graph.item_unreadable", $"The assignments of {policyId} could not be read: {assignments?.Failure}");
        }
        return (TargetPolicies.AsCaptured((JsonObject)policy!, execution.Restore.TargetTenantId), assignments.Assignments);
    }

    private async Task<(string, string?, string?)> BlockAsync(RestoreItemEntity item, string reason, string message, CancellationToken ct)
    {
        var code = $"restore.blocked.{reason}";
        await Record(item, "blocked", RestoreItemResults.Blocked, detail: reason, failureCode: code, failureMessage: message, ct: ct);
        return (RestoreItemResults.Blocked, code, message);
    }

    private Task Record(RestoreItemEntity item, string step, string result, string? requestId = null, string? targetPolicyId = null,
        string? detail = null, string? failureCode = null, string? failureMessage = null, CancellationToken ct = default) =>
        store.RecordAsync(item.RestoreId, item.ItemId, new JournalEntry(step, requestId, targetPolicyId, detail, time.GetUtcNow().UtcDateTime), result,
            targetPolicyId, failureCode, failureMessage, ct);

    private static List<JournalEntry> JournalOf(RestoreItemEntity item) =>
        JsonSerializer.Deserialize<List<JournalEntry>>(item.Journal, StoredJson.Options) ?? [];

    private static IEnumerable<string> PlannedCalls(RestoreItemEntity item) =>
        (JsonSerializer.Deserialize<List<PlannedCallEntry>>(item.Calls, StoredJson.Options) ?? []).Select(c => $"{c.Method} {c.Path}");

    [LoggerMessage(Level = LogLevel.Warning, Message = "Create of restore item {ItemId} got no certain answer ({Failure}); reading back before anything is sent again")]
    private static partial void LogUncertainCreate(ILogger logger, Guid itemId, string failure);
}
