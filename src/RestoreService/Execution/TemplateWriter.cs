using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Options;
using Microsoft.Graph;
using Microsoft.Kiota.Abstractions;
using TenantAtlas.RestoreService.Persistence;
using TenantAtlas.RestoreService.Planning;
using TenantAtlas.RestoreService.Restores;
using TenantAtlas.TenantGraph;

namespace TenantAtlas.RestoreService.Execution;

/// <summary>A template the restore needed could not be made in the target (its create needs reconciling, or failed).</summary>
public sealed class TemplateUnavailableException(string code, string message) : Exception(message)
{
    public string Code { get; } = code;
}

/// <summary>
/// The notification templates an execution creates in the target before the compliance policies that use them (v1.0:
/// POST notificationMessageTemplates, then POST each localized message): once per restore, journaled like an item's create
/// — "create_sent" with the same-named templates the target had, the target id after — so a redelivered job resumes and a
/// lost answer is reconciled by identity (<see cref="LostCreates"/>), never created twice. Only the template's own content
/// is written: its scope tags are the source tenant's and stay behind.
/// </summary>
public sealed partial class TemplateWriter(RestoreStore store, PolicyReader reader, PacedGraphWriter writer, IOptions<RestoreOptions> options,
    TimeProvider time, ILogger<TemplateWriter> logger)
{
    private const string Collection = "/deviceManagement/notificationMessageTemplates";

    /// <summary>The target id of the template <paramref name="mapping"/> stands for, creating it first when the plan says so.</summary>
    public async Task<string> TargetIdAsync(RestoreRunEntity restore, GraphServiceClient client, TemplateMappingEntry mapping, string? content,
        CancellationToken ct)
    {
        if (TemplateMappingStates.IsMapped(mapping.State))
        {
            return mapping.TargetTemplateId!;
        }
        if (mapping.State != TemplateMappingStates.Create || content is null)
        {
            throw new TemplateUnavailableException("restore.template_unavailable",
                $"Notification template '{mapping.SourceDisplayName}' has no target: preview again and decide for it.");
        }
        var source = (JsonObject)JsonNode.Parse(content)!;
        var name = source["displayName"]?.GetValue<string>() ?? mapping.SourceDisplayName;
        var journal = await store.TemplateAsync(restore.Id, mapping.SourceTemplateId, ct);
        var targetId = journal?.TargetTemplateId;
        if (targetId is null && journal is not null)
        {
            // Sent before without an answer recorded: it may have landed. Read back by identity; never a second create.
            var sent = JsonSerializer.Deserialize<List<JournalEntry>>(journal.Journal, StoredJson.Options)!.Last(s => s.Step == "create_sent");
            targetId = await ReconcileAsync(restore, client, mapping, name, sent, ct);
        }
        if (targetId is null)
        {
            var listed = await ListAsync(client, ct);
            var sent = new JournalEntry("create_sent", null, null, null, time.GetUtcNow().UtcDateTime)
            {
                Known = [.. listed.Where(t => t["displayName"]?.GetValue<string>() == name).Select(t => t["id"]!.GetValue<string>())],
            };
            await store.RecordTemplateAsync(restore.Id, mapping.SourceTemplateId, sent, RestoreItemResults.Pending, null, ct);
            try
            {
                var created = await writer.WriteAsync(restore.TargetEntraTenantId, client, Method.POST, Collection, Body(source), retry: false, ct);
                targetId = created.Body?["id"]?.GetValue<string>() ?? throw new InvalidOperationException("Graph answered a template create without its id.");
                await store.RecordTemplateAsync(restore.Id, mapping.SourceTemplateId,
                    new JournalEntry("created", created.RequestId, targetId, null, time.GetUtcNow().UtcDateTime), RestoreItemResults.Pending, targetId, ct);
            }
            catch (Exception e) when (PacedGraphWriter.IsUncertain(e, ct))
            {
                LogUncertain(logger, mapping.SourceTemplateId, e.GetType().Name);
                targetId = await ReconcileAsync(restore, client, mapping, name, sent, ct);
            }
        }
        await EnsureMessagesAsync(restore, client, mapping, source, targetId, ct);
        await store.RecordTemplateAsync(restore.Id, mapping.SourceTemplateId,
            new JournalEntry("messages_written", null, targetId, null, time.GetUtcNow().UtcDateTime), RestoreItemResults.Created, targetId, ct);
        return targetId;
    }

    /// <summary>Read-backs of a lost create: exactly one template of its identity is it; otherwise the template waits for the user.</summary>
    private async Task<string> ReconcileAsync(RestoreRunEntity restore, GraphServiceClient client, TemplateMappingEntry mapping, string name,
        JournalEntry sent, CancellationToken ct)
    {
        var candidates = new List<string>();
        for (var attempt = 1; attempt <= options.Value.ReconcileAttempts; attempt++)
        {
            await Task.Delay(options.Value.ReconcilePause, time, ct);
            candidates = LostCreates.Candidates(await ListAsync(client, ct), name, null, sent, new HashSet<string>());
            if (candidates.Count == 1)
            {
                RestoreTelemetry.Reconciled.Add(1);
                await store.RecordTemplateAsync(restore.Id, mapping.SourceTemplateId, new JournalEntry("reconciled", null, candidates[0],
                    $"found on read-back {attempt}: the lost create had landed", time.GetUtcNow().UtcDateTime), RestoreItemResults.Pending, candidates[0], ct);
                return candidates[0];
            }
        }
        await store.RecordTemplateAsync(restore.Id, mapping.SourceTemplateId, new JournalEntry("needs_reconcile", null, null,
            $"{candidates.Count} candidate(s) after {options.Value.ReconcileAttempts} read-backs", time.GetUtcNow().UtcDateTime), RestoreItemResults.NeedsReconcile, null, ct);
        throw new TemplateUnavailableException("restore.template_needs_reconcile", candidates.Count == 0
            ? $"The create of notification template '{name}' got no answer and the target does not list it yet; it is not created again. Check the target's templates, then map this template to it (SetReferenceDecisions) in a new restore."
            : $"The create of notification template '{name}' got no answer and the target lists {candidates.Count} templates that could be it ({string.Join(", ", candidates)}); it is not created again. Map it to one of them in a new restore.");
    }

    /// <summary>The localized messages the target's template lacks (by locale), written one by one.</summary>
    private async Task EnsureMessagesAsync(RestoreRunEntity restore, GraphServiceClient client, TemplateMappingEntry mapping, JsonObject source, string targetId,
        CancellationToken ct)
    {
        var wanted = (source["localizedNotificationMessages"] as JsonArray ?? []).OfType<JsonObject>().ToList();
        if (wanted.Count == 0)
        {
            return;
        }
        var existing = await GraphJson.GetAsync(client, GraphJson.Url(client, $"{Collection}/{targetId}/localizedNotificationMessages"), ct);
        var locales = (existing?["value"] as JsonArray ?? []).Select(m => m?["locale"]?.GetValue<string>()).OfType<string>().ToHashSet(StringComparer.OrdinalIgnoreCase);
        foreach (var message in wanted.Where(m => m["locale"]?.GetValue<string>() is { } locale && !locales.Contains(locale)))
        {
            var body = new JsonObject();
            foreach (var name in new[] { "locale", "subject", "messageTemplate", "isDefault" })
            {
                body[name] = message[name]?.DeepClone();
            }
            var written = await writer.WriteAsync(restore.TargetEntraTenantId, client, Method.POST, $"{Collection}/{targetId}/localizedNotificationMessages", body,
                retry: true, ct);
            await store.RecordTemplateAsync(restore.Id, mapping.SourceTemplateId, new JournalEntry("message_written", written.RequestId, targetId,
                message["locale"]?.GetValue<string>(), time.GetUtcNow().UtcDateTime), RestoreItemResults.Pending, targetId, ct);
        }
    }

    private async Task<IReadOnlyList<JsonObject>> ListAsync(GraphServiceClient client, CancellationToken ct)
    {
        var list = await reader.ListNotificationTemplatesAsync(client, ct);
        return list.Complete
            ? list.Policies
            : throw new TemplateUnavailableException("graph.list_incomplete", $"The target's notification templates could not be read to the end: {list.Failure}");
    }

    /// <summary>The template's own properties (v1.0 notificationMessageTemplate create): no id, dates, scope tags or messages.</summary>
    private static JsonObject Body(JsonObject source)
    {
        var body = new JsonObject();
        foreach (var name in new[] { "displayName", "description", "defaultLocale", "brandingOptions" })
        {
            if (source[name] is { } value)
            {
                body[name] = value.DeepClone();
            }
        }
        return body;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Create of notification template {TemplateId} got no certain answer ({Failure}); reading back")]
    private static partial void LogUncertain(ILogger logger, string templateId, string failure);
}
