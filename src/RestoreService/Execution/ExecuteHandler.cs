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

/// <summary>
/// restore.execute: writes the stored plan into the target tenant, item by item, journaling every step (INTUNE.md R2–R5).
/// A create is journaled "create_sent" before it is POSTed (without the SDK's retry) and "created" after; a create whose
/// answer was lost is read back (display name + type + content) before anything is sent again, so a redelivered job —
/// after a crash or a worker kill — resumes from the journal and creates nothing twice. Updates are re-checked against
/// the target read at preview time before the first write. Assignments go in one /assign with the complete mapped set.
/// </summary>
public sealed partial class ExecuteHandler(
    RestoreStore store,
    TenantGraphClients graph,
    PolicyReader reader,
    WritePacer pacer,
    IOptions<RestoreOptions> options,
    TimeProvider time,
    ILogger<ExecuteHandler> logger) : IRunHandler
{
    /// <summary>Throttled answers a write honours (waiting Retry-After) before the item fails.</summary>
    private const int MaxThrottledAttempts = 8;

    private static readonly TimeSpan DefaultThrottleWait = TimeSpan.FromSeconds(2);

    public async Task HandleAsync(RunWorkContext run, CancellationToken cancellationToken)
    {
        var restoreId = RestoreRunContext.From(run.Context)
            ?? throw new RunFailureException("restore.context_missing", "The run's context names no restore_run_id.");
        // A cancel (CancelRun) lets the item being written finish and stops before the next one, so no write is cut off
        // mid-request; shutdown and the maximum duration still stop an item at once (its journal makes the next attempt
        // read back what it may have written).
        using var itemStop = new CancellationTokenSource();
        await using var stopItems = cancellationToken.Register(() =>
        {
            if (!run.CancelRequested)
            {
                itemStop.Cancel();
            }
        });
        var work = itemStop.Token;
        await StopIfCancelledAsync(run, restoreId, "before its execution began", cancellationToken);
        var status = await store.StartRunningAsync(restoreId, work);
        if (RestoreStatuses.IsEnded(status))
        {
            // Ended before this delivery (cancelled, or finished by an attempt whose completion was lost): the adapter
            // run takes the restore's outcome.
            run.FinalOutcome = RestoreStatuses.AdapterOutcome(status);
            return;
        }
        if (status != RestoreStatuses.Running)
        {
            throw new RunFailureException("restore.not_queued", $"The restore is {status.ToUpperInvariant()}, not queued: it was never executed.");
        }
        var restore = await store.FindAsync(restoreId, work);
        var items = await store.ItemsAsync(restoreId, work);
        run.AddTotal(items.Count);
        var execution = new Execution(restore, graph.For(restore.TargetEntraTenantId));
        execution.Claimed.UnionWith(items.Select(i => i.TargetPolicyId).OfType<string>());

        var done = 0;
        var failed = 0;
        foreach (var item in items)
        {
            await StopIfCancelledAsync(run, restoreId,
                $"after {done + failed} of {items.Count} items; the items after that were not attempted (see each item's result)", cancellationToken);
            var (result, code, message) = await ExecuteAsync(execution, item, work);
            switch (result)
            {
                case RestoreItemResults.Created or RestoreItemResults.Updated:
                    run.Succeeded();
                    done++;
                    break;
                case RestoreItemResults.Unchanged or RestoreItemResults.DryRun:
                    run.Skipped();
                    done++;
                    break;
                default:
                    run.Failed(code ?? $"restore.{result}", message ?? result, $"{item.DisplayName} ({item.ItemId})");
                    failed++;
                    break;
            }
        }
        var final = failed == 0 ? RestoreStatuses.Completed : done > 0 ? RestoreStatuses.Partial : RestoreStatuses.Failed;
        await store.FinishAsync(restoreId, final, failed == 0 ? null : "restore.items_not_restored",
            failed == 0 ? null : $"{failed} of {items.Count} items were not restored; see their results.", CancellationToken.None);
        // Explicit, so a cancel that came during the last item does not turn a finished restore's run into a cancelled one.
        run.FinalOutcome = RestoreStatuses.AdapterOutcome(final);
    }

    /// <summary>CancelRun asked the run to stop: the restore records it (seed 054: cancelled), and the handler stops here.</summary>
    private async Task StopIfCancelledAsync(RunWorkContext run, Guid restoreId, string when, CancellationToken cancellationToken)
    {
        if (!run.CancelRequested)
        {
            return;
        }
        await store.StopCancelledAsync(restoreId, $"Cancelled {when}.", CancellationToken.None);
        LogCancelled(logger, restoreId, when);
        cancellationToken.ThrowIfCancellationRequested();
    }

    /// <summary>What one execution shares across its items: the restore, its Graph client and the target lists read for re-checks.</summary>
    private sealed class Execution(RestoreRunEntity restore, GraphServiceClient client)
    {
        public RestoreRunEntity Restore { get; } = restore;
        public GraphServiceClient Client { get; } = client;
        public Dictionary<string, TargetPolicies> Lists { get; } = [];

        /// <summary>
        /// Target policies this restore's items already stand for (created, reconciled or updated): another item of the same
        /// name and type (the source may hold several) is neither blocked by them nor reconciled onto them.
        /// </summary>
        public HashSet<string> Claimed { get; } = new(StringComparer.OrdinalIgnoreCase);
    }

    private async Task<(string Result, string? Code, string? Message)> ExecuteAsync(Execution execution, RestoreItemEntity item, CancellationToken ct)
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
            return item.Action == RestoreActions.Create ? await CreateAsync(execution, item, ct) : await UpdateAsync(execution, item, ct);
        }
        catch (Exception e) when (GraphFailures.Of(e) is { } graphError && !ct.IsCancellationRequested)
        {
            var message = GraphFailures.Describe(graphError, $"Restoring '{item.DisplayName}'");
            await Record(item, "failed", RestoreItemResults.Failed, GraphJson.RequestIdOf(graphError), detail: message,
                failureCode: "graph.write_failed", failureMessage: message, ct: ct);
            return (RestoreItemResults.Failed, "graph.write_failed", message);
        }
    }

    private async Task<(string, string?, string?)> CreateAsync(Execution execution, RestoreItemEntity item, CancellationToken ct)
    {
        var client = execution.Client;
        var body = (JsonObject)JsonNode.Parse(item.Body!)!;
        var journal = JournalOf(item);
        var targetId = item.TargetPolicyId;
        var fresh = journal.Count == 0;
        var posts = 0;
        while (targetId is null)
        {
            // Sent before without an answer recorded: it may have landed. Read back first, never a blind second POST.
            if (item.Result == RestoreItemResults.NeedsReconcile || journal.Any(s => s.Step == "create_sent"))
            {
                targetId = await ReconcileAsync(execution, item, body, ct);
                if (targetId is not null)
                {
                    break;
                }
            }
            if (posts == 2)
            {
                return (RestoreItemResults.NeedsReconcile, "restore.needs_reconcile",
                    "The create's answer was lost twice and reading back did not find it; execute again later to reconcile.");
            }
            if (fresh && posts == 0
                && (await ListAsync(execution, item.Family, refresh: false, ct)).ByName(item.Family, TargetPolicies.NameOf(body), TargetPolicies.TypeOf(body))
                    .Any(p => !execution.Claimed.Contains(p["id"]!.GetValue<string>())))
            {
                // A policy of this name and type appeared since the preview: creating another would make a duplicate name.
                return await BlockAsync(item, BlockedReasons.TargetChanged,
                    "The target has a policy of this name and type that it did not have at preview time; preview again.", ct);
            }
            await Record(item, "create_sent", RestoreItemResults.Pending, ct: ct);
            journal.Add(new JournalEntry("create_sent", null, null, null, DateTime.UtcNow));
            posts++;
            try
            {
                var created = await WriteAsync(execution, Method.POST, $"/deviceManagement/{PolicyFamilies.GraphCollection(item.Family)}", body, retry: false, ct);
                targetId = created.Body?["id"]?.GetValue<string>()
                    ?? throw new InvalidOperationException("Graph answered a create without the new policy's id.");
                execution.Claimed.Add(targetId);
                await Record(item, "created", RestoreItemResults.Pending, created.RequestId, targetId, ct: ct);
            }
            catch (Exception e) when (IsUncertain(e, ct))
            {
                LogUncertainCreate(logger, item.ItemId, e.GetType().Name);
                var requestId = GraphFailures.Of(e) is { } api ? GraphJson.RequestIdOf(api) : null;
                await Record(item, "create_uncertain", RestoreItemResults.NeedsReconcile, requestId, detail: UncertainDetail(e), ct: ct);
                item.Result = RestoreItemResults.NeedsReconcile;
            }
        }
        await AssignAsync(execution, item, targetId, journal, ct);
        await VerifyAsync(execution, item, targetId, RestoreItemResults.Created, ct);
        return (RestoreItemResults.Created, null, null);
    }

    private async Task<(string, string?, string?)> UpdateAsync(Execution execution, RestoreItemEntity item, CancellationToken ct)
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
        if (item.Body is not null && !journal.Any(s => s.Step == "updated"))
        {
            var patched = await WriteAsync(execution, Method.PATCH, $"/deviceManagement/{collection}/{targetId}", JsonNode.Parse(item.Body)!, retry: true, ct);
            await Record(item, "updated", RestoreItemResults.Pending, patched.RequestId, targetId, ct: ct);
        }
        if (item.ScheduledActions is not null && !journal.Any(s => s.Step == "actions_scheduled"))
        {
            var scheduled = await WriteAsync(execution, Method.POST, $"/deviceManagement/{collection}/{targetId}/scheduleActionsForRules",
                new JsonObject { ["deviceComplianceScheduledActionForRules"] = JsonNode.Parse(item.ScheduledActions) }, retry: true, ct);
            await Record(item, "actions_scheduled", RestoreItemResults.Pending, scheduled.RequestId, targetId, ct: ct);
        }
        await AssignAsync(execution, item, targetId, journal, ct);
        await VerifyAsync(execution, item, targetId, RestoreItemResults.Updated, ct);
        return (RestoreItemResults.Updated, null, null);
    }

    /// <summary>The one /assign with the complete mapped set (replace-all, so it is safe to send again on a resume).</summary>
    private async Task AssignAsync(Execution execution, RestoreItemEntity item, string targetId, List<JournalEntry> journal, CancellationToken ct)
    {
        if (item.Assignments is null || journal.Any(s => s.Step == "assigned"))
        {
            return;
        }
        var assigned = await WriteAsync(execution, Method.POST, $"/deviceManagement/{PolicyFamilies.GraphCollection(item.Family)}/{targetId}/assign",
            new JsonObject { ["assignments"] = JsonNode.Parse(item.Assignments) }, retry: true, ct);
        await Record(item, "assigned", RestoreItemResults.Pending, assigned.RequestId, targetId, ct: ct);
    }

    /// <summary>
    /// Reads the written policy back and says whether it is what the plan meant (with its assignments, or without them when
    /// the plan left them out); the item's result is set here.
    /// </summary>
    private async Task VerifyAsync(Execution execution, RestoreItemEntity item, string targetId, string result, CancellationToken ct)
    {
        var read = await ReadAsync(execution, item.Family, targetId, ct);
        var matches = read is { } policy && (item.IntendedHash == RestorableForm.Hash(RestorableForm.Comparable(policy.Policy, policy.Assignments))
            || item.IntendedHash == RestorableForm.Hash(RestorableForm.Comparable(policy.Policy, null)));
        await Record(item, "verified", result, targetPolicyId: targetId,
            detail: read is null ? "not found on read-back" : matches ? "matches the plan" : "differs from the plan (Graph may have normalized values)", ct: ct);
    }

    /// <summary>
    /// Reads back an uncertain create: the target's policies of the family with the item's name and type whose content
    /// is the body sent. Several reads with a pause, as a new object may take a moment to be listed.
    /// </summary>
    private async Task<string?> ReconcileAsync(Execution execution, RestoreItemEntity item, JsonObject body, CancellationToken ct)
    {
        var sent = RestorableForm.Hash(RestorableForm.Comparable(body, null));
        for (var attempt = 1; attempt <= options.Value.ReconcileAttempts; attempt++)
        {
            await Task.Delay(options.Value.ReconcilePause, time, ct);
            var list = await ListAsync(execution, item.Family, refresh: true, ct);
            var match = list.ByName(item.Family, TargetPolicies.NameOf(body), TargetPolicies.TypeOf(body))
                .FirstOrDefault(p => !execution.Claimed.Contains(p["id"]!.GetValue<string>()) && RestorableForm.Hash(RestorableForm.Comparable(p, null)) == sent);
            if (match is not null)
            {
                var id = match["id"]!.GetValue<string>();
                execution.Claimed.Add(id);
                RestoreTelemetry.Reconciled.Add(1);
                await Record(item, "reconciled", RestoreItemResults.Pending, targetPolicyId: id,
                    detail: $"found on read-back {attempt}: the lost create had landed", ct: ct);
                return id;
            }
        }
        await Record(item, "reconciled", RestoreItemResults.Pending,
            detail: $"not found after {options.Value.ReconcileAttempts} read-backs: the lost create had not landed", ct: ct);
        return null;
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
            policies.Add(family, policy);
        }
        return execution.Lists[family] = policies;
    }

    /// <summary>One target policy with its assignments (compliance with its scheduled actions); null when it no longer exists.</summary>
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
        return ((JsonObject)policy!, assignments.Assignments);
    }

    /// <summary>A paced write; 429s are waited out (Retry-After, else a short pause) and sent again, as a throttled write did not land.</summary>
    private async Task<GraphWriteResult> WriteAsync(Execution execution, Method method, string path, JsonNode body, bool retry, CancellationToken ct)
    {
        for (var attempt = 1; ; attempt++)
        {
            await pacer.WaitAsync(execution.Restore.TargetEntraTenantId, ct);
            try
            {
                return await GraphJson.WriteAsync(execution.Client, method, GraphJson.Url(execution.Client, path), body, retry, ct);
            }
            catch (Exception e) when (GraphFailures.Of(e) is { ResponseStatusCode: 429 } throttled && attempt < MaxThrottledAttempts)
            {
                var wait = GraphJson.RetryAfterOf(throttled) ?? DefaultThrottleWait;
                RestoreTelemetry.Throttled.Add(1);
                LogThrottled(logger, path, wait.TotalSeconds);
                await Task.Delay(wait, time, ct);
            }
        }
    }

    /// <summary>A create that may have landed: a 5xx or 408 answer, a lost connection, or a client-side timeout.</summary>
    private static bool IsUncertain(Exception e, CancellationToken ct) => !ct.IsCancellationRequested && (GraphFailures.Of(e) is { } api
        ? api.ResponseStatusCode is >= 500 or 408
        : e is HttpRequestException or IOException or TaskCanceledException || e.InnerException is HttpRequestException or IOException);

    private static string UncertainDetail(Exception e) => GraphFailures.Of(e) is { } api
        ? $"Graph answered {api.ResponseStatusCode}; the create may have landed"
        : $"no answer ({e.GetType().Name}); the create may have landed";

    private async Task<(string, string?, string?)> BlockAsync(RestoreItemEntity item, string reason, string message, CancellationToken ct)
    {
        var code = $"restore.blocked.{reason}";
        await Record(item, "blocked", RestoreItemResults.Blocked, detail: reason, failureCode: code, failureMessage: message, ct: ct);
        return (RestoreItemResults.Blocked, code, message);
    }

    private Task Record(RestoreItemEntity item, string step, string result, string? requestId = null, string? targetPolicyId = null,
        string? detail = null, string? failureCode = null, string? failureMessage = null, CancellationToken ct = default) =>
        store.RecordAsync(item.RestoreId, item.ItemId, new JournalEntry(step, requestId, targetPolicyId, detail, DateTime.UtcNow), result,
            targetPolicyId, failureCode, failureMessage, ct);

    private static List<JournalEntry> JournalOf(RestoreItemEntity item) =>
        JsonSerializer.Deserialize<List<JournalEntry>>(item.Journal, StoredJson.Options) ?? [];

    private static IEnumerable<string> PlannedCalls(RestoreItemEntity item) =>
        (JsonSerializer.Deserialize<List<PlannedCallEntry>>(item.Calls, StoredJson.Options) ?? []).Select(c => $"{c.Method} {c.Path}");

    [LoggerMessage(Level = LogLevel.Warning, Message = "Create of restore item {ItemId} got no certain answer ({Failure}); reading back before anything is sent again")]
    private static partial void LogUncertainCreate(ILogger logger, Guid itemId, string failure);

    [LoggerMessage(Level = LogLevel.Information, Message = "Restore {RestoreId} cancelled {When}")]
    private static partial void LogCancelled(ILogger logger, Guid restoreId, string when);

    [LoggerMessage(Level = LogLevel.Information, Message = "Write {Path} throttled; waiting {Seconds} s as Graph asked")]
    private static partial void LogThrottled(ILogger logger, string path, double seconds);
}
