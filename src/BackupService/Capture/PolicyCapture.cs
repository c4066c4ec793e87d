using System.Text.Json.Nodes;
using TenantAtlas.TenantGraph;
using TenantAtlas.Workers;

namespace TenantAtlas.BackupService.Capture;

/// <summary>
/// Captures selected policies of a tenant into a backup set, itemized (every capturing run type does it this way).
/// Each policy is one item with its own outcome: captured (raw Graph JSON with its assignments, secrets redacted,
/// stored by content hash) or failed with a stable code. The run's counts and outcome follow from the items; the
/// set's status says whether every list was read to its end (never "complete" when a page was lost).
/// </summary>
public sealed partial class PolicyCapture(
    TenantGraphClients graphClients,
    PolicyReader reader,
    CaptureWriter writer,
    ILogger<PolicyCapture> logger)
{
    /// <summary>"No notification template": Graph's zero GUID.</summary>
    private const string NoTemplate = "00000000-0000-0000-0000-000000000000";

    /// <summary>Captures into the set the context names, marking it capturing first and failed if the run cannot proceed or is cancelled.</summary>
    public async Task RunAsync(RunWorkContext run, Guid tenantId, CaptureContext capture, CancellationToken cancellationToken)
    {
        await writer.BeginAsync(capture.BackupSetId, run.RunId, cancellationToken);
        try
        {
            await CaptureAsync(run, tenantId, capture, cancellationToken);
        }
        catch (Exception e) when (e is RunFailureException || run.CancelRequested)
        {
            // Could not proceed, or stopped by CancelRun: the set must not stay "capturing".
            await writer.FailAsync(capture.BackupSetId, run.RunId, CancellationToken.None);
            throw;
        }
    }

    private async Task CaptureAsync(RunWorkContext run, Guid tenantId, CaptureContext capture, CancellationToken ct)
    {
        var client = graphClients.For(capture.EntraTenantId);
        var coverage = new List<FamilyCoverage>();
        var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        var newContents = 0;
        foreach (var family in capture.FamiliesToList)
        {
            var (list, captured) = await ReadFamilyAsync(client, tenantId, family, id => capture.Takes(family, id), ct);
            var selected = captured.Count;
            seen.UnionWith(list.Policies.Select(Id));
            run.AddTotal(selected);
            if (!list.Complete)
            {
                // Policies on the pages that could not be read are missing: the set says so, and so does the run.
                run.AddTotal(1);
                run.Failed(CaptureFailures.ListIncomplete, list.Failure ?? $"The {family} list could not be read to its end.", family);
            }
            LogFamilyListed(logger, run.Run.RunId, family, list.Policies.Count, selected, list.Complete);
            foreach (var policy in captured)
            {
                if (policy.Captured)
                {
                    run.Succeeded();
                }
                else
                {
                    run.Failed(policy.FailureCode!, policy.FailureMessage!, policy.PolicyId);
                }
            }
            newContents += await writer.StoreAsync(tenantId, capture.BackupSetId, run.RunId, captured, ct);
            coverage.Add(new FamilyCoverage(family, selected, captured.Count(p => p.Captured), list.Complete));
        }

        // Chosen ids that no list had: an item failure each, not a run failure.
        var allListed = coverage.All(c => c.ListComplete);
        var missing = capture.PolicyIds.Where(id => !seen.Contains(id)).Select(id => new CapturedPolicy("unknown", id, string.Empty, string.Empty)
        {
            FailureCode = CaptureFailures.NotFound,
            FailureMessage = allListed
                ? $"Policy '{id}' is not among the tenant's device configurations or compliance policies."
                : $"Policy '{id}' was not on the pages Graph returned (a list could not be read to its end).",
        }).ToList();
        run.AddTotal(missing.Count);
        foreach (var policy in missing)
        {
            run.Failed(policy.FailureCode!, policy.FailureMessage!, policy.PolicyId);
        }
        await writer.StoreAsync(tenantId, capture.BackupSetId, run.RunId, missing, ct);

        await writer.CompleteAsync(capture.BackupSetId, run.RunId, coverage, capture.Families, ct);
        var capturedCount = coverage.Sum(c => c.Captured);
        LogCaptured(logger, run.Run.RunId, capturedCount, newContents);
    }

    /// <summary>
    /// Lists a family and reads the policies <paramref name="takes"/> chooses, each as a redacted, hashed document (or a
    /// failure) — what a capture stores and what drift compares. Nothing is written.
    /// </summary>
    public async Task<(PolicyList List, List<CapturedPolicy> Policies)> ReadFamilyAsync(Microsoft.Graph.GraphServiceClient client, Guid tenantId,
        string family, Func<string, bool> takes, CancellationToken ct)
    {
        var list = await reader.ListAsync(client, family, ct);
        var selected = list.Policies.Where(p => takes(Id(p))).ToList();
        return (list, await CapturePoliciesAsync(client, tenantId, family, selected, ct));
    }

    private async Task<List<CapturedPolicy>> CapturePoliciesAsync(Microsoft.Graph.GraphServiceClient client, Guid tenantId, string family,
        List<JsonObject> policies, CancellationToken ct)
    {
        var assignments = await reader.AssignmentsAsync(client, family, [.. policies.Select(Id)], ct);
        var groupIds = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        var templateIds = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (var policy in policies)
        {
            if (assignments.GetValueOrDefault(Id(policy))?.Assignments is { } read)
            {
                groupIds.UnionWith(read.Select(a => Text(a?["target"]?["groupId"])).OfType<string>());
            }
            foreach (var action in Actions(policy))
            {
                groupIds.UnionWith(action["notificationMessageCCList"]?.AsArray().Select(Text).OfType<string>() ?? []);
                if (Text(action["notificationTemplateId"]) is { } template && template != NoTemplate)
                {
                    templateIds.Add(template);
                }
            }
        }
        var groups = await reader.GroupsAsync(client, groupIds, ct);
        var templates = await reader.NotificationTemplatesAsync(client, templateIds, ct);

        var captured = new List<CapturedPolicy>(policies.Count);
        foreach (var policy in policies)
        {
            var item = new CapturedPolicy(family, Id(policy), Text(policy["@odata.type"]) ?? string.Empty, Text(policy["displayName"]) ?? string.Empty);
            var read = assignments.GetValueOrDefault(item.PolicyId);
            if (read?.Assignments is not { } itemAssignments)
            {
                captured.Add(item with
                {
                    FailureCode = read?.Status == 404 ? CaptureFailures.NotFound : CaptureFailures.ItemUnreadable,
                    FailureMessage = $"Reading the assignments of '{item.DisplayName}' failed: {read?.Failure ?? "no answer"}",
                });
                continue;
            }
            if (family == PolicyFamilies.CompliancePolicies && !Actions(policy).Any(a => Text(a["actionType"]) == "block"))
            {
                // Graph refuses to create a compliance policy without its one block action: such a copy could never be restored.
                captured.Add(item with
                {
                    FailureCode = CaptureFailures.IncompleteComplianceActions,
                    FailureMessage = $"Compliance policy '{item.DisplayName}' came without its block action (scheduledActionsForRule); it could not be restored from this copy.",
                });
                continue;
            }
            var document = (JsonObject)policy.DeepClone();
            document.Remove("assignments@odata.context");
            document["assignments"] = itemAssignments.DeepClone();
            var redacted = SecretRedactor.Redact(document, tenantId);
            var references = References(document, groups, templates);
            captured.Add(item with
            {
                Document = document,
                ContentHash = ContentHash.Of(document),
                RedactedSecrets = redacted,
                AssignmentCount = itemAssignments.Count,
                References = references,
            });
        }
        return captured;
    }

    /// <summary>The references a document makes, with what was resolved for them (unresolved ones keep an empty name).</summary>
    private static List<ResolvedReference> References(JsonObject document, IReadOnlyDictionary<string, ResolvedReference> groups,
        IReadOnlyDictionary<string, ResolvedReference> templates)
    {
        var references = new Dictionary<(string, string), ResolvedReference>();
        foreach (var assignment in document["assignments"]?.AsArray() ?? [])
        {
            if (Text(assignment?["target"]?["groupId"]) is { } groupId)
            {
                references[("group", groupId)] = groups.GetValueOrDefault(groupId) ?? new ResolvedReference("group", groupId, string.Empty, string.Empty);
            }
        }
        foreach (var action in Actions(document))
        {
            foreach (var groupId in action["notificationMessageCCList"]?.AsArray().Select(Text).OfType<string>() ?? [])
            {
                references[("group", groupId)] = groups.GetValueOrDefault(groupId) ?? new ResolvedReference("group", groupId, string.Empty, string.Empty);
            }
            if (Text(action["notificationTemplateId"]) is { } template && template != NoTemplate)
            {
                references[("notificationMessageTemplate", template)] = templates.GetValueOrDefault(template)
                    ?? new ResolvedReference("notificationMessageTemplate", template, string.Empty, string.Empty);
            }
        }
        return [.. references.Values.OrderBy(r => r.Kind, StringComparer.Ordinal).ThenBy(r => r.Id, StringComparer.Ordinal)];
    }

    /// <summary>A compliance policy's scheduled action configurations (none for other families).</summary>
    private static IEnumerable<JsonObject> Actions(JsonObject policy) =>
        (policy["scheduledActionsForRule"] as JsonArray ?? [])
            .SelectMany(rule => rule?["scheduledActionConfigurations"] as JsonArray ?? [])
            .OfType<JsonObject>();

    private static string Id(JsonObject policy) => Text(policy["id"]) ?? string.Empty;

    private static string? Text(JsonNode? node) => node is JsonValue value && value.TryGetValue<string>(out var text) && text.Length > 0 ? text : null;

    [LoggerMessage(Level = LogLevel.Information, Message = "Run {RunId}: {Family} listed {Listed} policies ({Selected} selected; list complete: {Complete})")]
    private static partial void LogFamilyListed(ILogger logger, string runId, string family, int listed, int selected, bool complete);

    [LoggerMessage(Level = LogLevel.Information, Message = "Run {RunId}: {Captured} policies captured, {NewContents} new versions stored")]
    private static partial void LogCaptured(ILogger logger, string runId, int captured, int newContents);
}
