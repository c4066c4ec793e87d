using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Logging;
using Microsoft.Graph;

namespace TenantAtlas.TenantGraph;

/// <summary>A collection as read (a policy family, the notification templates): every object as Graph sent it, and whether it was read to its end.</summary>
public sealed record PolicyList(IReadOnlyList<JsonObject> Policies, bool Complete, string? Failure);

/// <summary>
/// A reference a policy makes (a group, a notification template), resolved by id: its name, for a group "dynamic" or
/// "assigned", and for a template its content (the template with its localized messages, raw JSON) so a restore can
/// create it in another tenant.
/// </summary>
public sealed record ResolvedReference(string Kind, string Id, string DisplayName, string Detail, string? Content = null);

/// <summary>One policy's assignments, or why they could not be read.</summary>
public sealed record AssignmentsRead(JsonArray? Assignments, int Status, string? Failure);

/// <summary>
/// The Graph reads of a capture, in few requests (INTUNE.md §2.2, §2.6): lists follow <c>@odata.nextLink</c> verbatim and
/// retry only a failed page; assignments are read 20 to a JSON <c>$batch</c>, honouring the Retry-After of each throttled
/// sub-response; group names come from <c>directoryObjects/getByIds</c> (1,000 ids a request).
/// </summary>
public sealed partial class PolicyReader(IOptions<GraphOptions> graphOptions, TimeProvider time, ILogger<PolicyReader> logger)
{
    /// <summary>Compliance actions come only with this nested $expand; a plain GET omits them and the navigation GET is a 400.</summary>
    public const string ComplianceActionsExpand = "$expand=scheduledActionsForRule($expand=scheduledActionConfigurations)";

    /// <summary>Attempts of one page or one sub-request that the SDK's retry handler did not already retry (e.g. a 500).</summary>
    private const int MaxAttempts = 4;

    /// <summary>The longest a throttled sub-response's Retry-After is waited for at a time.</summary>
    private static readonly TimeSpan LongestWait = TimeSpan.FromSeconds(60);

    public Task<PolicyList> ListAsync(GraphServiceClient client, string family, CancellationToken ct)
    {
        var collection = PolicyFamilies.GraphCollection(family);
        return ListCollectionAsync(client, collection, GraphJson.Url(client, family == PolicyFamilies.CompliancePolicies
            ? $"/deviceManagement/{collection}?{ComplianceActionsExpand}"
            : $"/deviceManagement/{collection}"), ct);
    }

    /// <summary>The tenant's notification message templates (without their messages), read like a policy list.</summary>
    public Task<PolicyList> ListNotificationTemplatesAsync(GraphServiceClient client, CancellationToken ct) =>
        ListCollectionAsync(client, "notificationMessageTemplates", GraphJson.Url(client, "/deviceManagement/notificationMessageTemplates"), ct);

    /// <summary>Every object of a collection under <c>/deviceManagement</c>, page by page, and whether it was read to its end.</summary>
    private async Task<PolicyList> ListCollectionAsync(GraphServiceClient client, string collection, Uri first, CancellationToken ct)
    {
        Uri? next = first;
        var policies = new List<JsonObject>();
        var page = 0;
        while (next is not null)
        {
            page++;
            JsonNode? body;
            try
            {
                body = await WithAttemptsAsync(() => GraphJson.GetAsync(client, next, ct), ct);
            }
            catch (Exception e) when (GraphFailures.Of(e) is { } graph && !ct.IsCancellationRequested)
            {
                if (page == 1 && GraphFailures.IsUnauthorized(graph))
                {
                    throw new Workers.RunFailureException("graph.unauthorized", GraphFailures.Describe(graph, $"Listing {collection}"), e);
                }
                return new PolicyList(policies, Complete: false, GraphFailures.Describe(graph, $"Reading page {page} of {collection}"));
            }
            foreach (var policy in body?["value"]?.AsArray() ?? [])
            {
                if (policy is JsonObject item && item["id"] is not null)
                {
                    policies.Add((JsonObject)item.DeepClone());
                }
            }
            next = body?["@odata.nextLink"]?.GetValue<string>() is { Length: > 0 } link ? new Uri(link) : null;
        }
        return new PolicyList(policies, Complete: true, Failure: null);
    }

    /// <summary>The assignments of each policy, by policy id: 20 to a batch, several batches at a time.</summary>
    public async Task<IReadOnlyDictionary<string, AssignmentsRead>> AssignmentsAsync(GraphServiceClient client, string family,
        IReadOnlyList<string> policyIds, CancellationToken ct)
    {
        var collection = PolicyFamilies.GraphCollection(family);
        var results = new ConcurrentDictionary<string, AssignmentsRead>();
        var pending = new List<(string Id, int Attempts, DateTimeOffset NotBefore)>(policyIds.Select(id => (id, 0, DateTimeOffset.MinValue)));
        var inFlight = Math.Max(1, graphOptions.Value.MaxParallelReads);
        while (pending.Count > 0)
        {
            var now = time.GetUtcNow();
            var ready = pending.Where(p => p.NotBefore <= now).Take(GraphJson.MaxBatchSize * inFlight).ToList();
            if (ready.Count == 0)
            {
                await Task.Delay(pending.Min(p => p.NotBefore) - now, time, ct);
                continue;
            }
            pending.RemoveAll(p => ready.Any(r => r.Id == p.Id));
            var retries = new ConcurrentBag<(string Id, int Attempts, DateTimeOffset NotBefore)>();
            await Task.WhenAll(ready.Chunk(GraphJson.MaxBatchSize).Select(async chunk =>
            {
                IReadOnlyList<GraphBatchResponse> responses;
                try
                {
                    responses = await GraphJson.BatchAsync(client,
                        [.. chunk.Select(p => new GraphBatchRequest(p.Id, $"/deviceManagement/{collection}/{p.Id}/assignments"))], ct);
                }
                catch (Exception e) when (GraphFailures.Of(e) is { } graph && !ct.IsCancellationRequested)
                {
                    // The batch itself failed (after the SDK's own retries): each of its reads counts one failed attempt.
                    foreach (var p in chunk)
                    {
                        Retry(p, (int)graph.ResponseStatusCode, null, GraphFailures.Describe(graph, "Reading assignments in a $batch"));
                    }
                    return;
                }
                foreach (var p in chunk)
                {
                    var response = responses.FirstOrDefault(r => r.Id == p.Id);
                    if (response is { IsSuccess: true })
                    {
                        results[p.Id] = await AllPagesAsync(client, response.Body, ct);
                    }
                    else
                    {
                        Retry(p, response?.Status ?? 0, response?.RetryAfter,
                            response is null ? "Graph's $batch answer lacked this request." : $"Graph answered {response.Status} {GraphJson.ErrorOf(response.Body)}".Trim());
                    }
                }

                void Retry((string Id, int Attempts, DateTimeOffset NotBefore) p, int status, TimeSpan? retryAfter, string failure)
                {
                    if (GraphJson.IsTransient(status) || status == 0)
                    {
                        if (p.Attempts + 1 < MaxAttempts || (status == 429 && p.Attempts + 1 < MaxAttempts * 2))
                        {
                            var wait = retryAfter is { } after ? (after < LongestWait ? after : LongestWait) : TimeSpan.FromSeconds(Math.Pow(2, p.Attempts));
                            retries.Add((p.Id, p.Attempts + 1, time.GetUtcNow() + wait));
                            return;
                        }
                    }
                    results[p.Id] = new AssignmentsRead(null, status, failure);
                }
            }));
            pending.AddRange(retries);
            if (!retries.IsEmpty)
            {
                LogSubRequestsRetried(logger, retries.Count, collection);
            }
        }
        return results;
    }

    /// <summary>Display name and kind of each group id (ids Graph does not know are left out).</summary>
    public async Task<IReadOnlyDictionary<string, ResolvedReference>> GroupsAsync(GraphServiceClient client, IReadOnlyCollection<string> groupIds,
        CancellationToken ct)
    {
        var resolved = new Dictionary<string, ResolvedReference>(StringComparer.OrdinalIgnoreCase);
        foreach (var chunk in groupIds.Chunk(1000))
        {
            try
            {
                var body = new JsonObject { ["ids"] = new JsonArray([.. chunk.Select(id => (JsonNode)id)]), ["types"] = new JsonArray("group") };
                var answer = await WithAttemptsAsync(() => GraphJson.PostAsync(client, GraphJson.Url(client, "/directoryObjects/getByIds"), body, ct), ct);
                foreach (var group in answer?["value"]?.AsArray() ?? [])
                {
                    if (group?["id"]?.GetValue<string>() is { } id)
                    {
                        var dynamic = group["membershipRule"] is JsonValue rule && rule.TryGetValue<string>(out var text) && text.Length > 0;
                        resolved[id] = new ResolvedReference("group", id, group["displayName"]?.GetValue<string>() ?? string.Empty, dynamic ? "dynamic" : "assigned");
                    }
                }
            }
            catch (Exception e) when (GraphFailures.Of(e) is { } graph && !ct.IsCancellationRequested)
            {
                // Names are a convenience beside the ids (which stay authoritative): the capture goes on without them.
                LogReferencesUnresolved(logger, chunk.Length, "group", GraphFailures.Describe(graph, "directoryObjects/getByIds"));
            }
        }
        return resolved;
    }

    /// <summary>The localized messages come only with this $expand (v1.0 notificationMessageTemplate relationship).</summary>
    public const string TemplateMessagesExpand = "$expand=localizedNotificationMessages";

    /// <summary>Notification message templates by id: display name and content with localized messages.</summary>
    public async Task<IReadOnlyDictionary<string, ResolvedReference>> NotificationTemplatesAsync(GraphServiceClient client,
        IReadOnlyCollection<string> templateIds, CancellationToken ct)
    {
        var resolved = new Dictionary<string, ResolvedReference>(StringComparer.OrdinalIgnoreCase);
        foreach (var chunk in templateIds.Chunk(GraphJson.MaxBatchSize))
        {
            try
            {
                var responses = await GraphJson.BatchAsync(client,
                    [.. chunk.Select(id => new GraphBatchRequest(id, $"/deviceManagement/notificationMessageTemplates/{id}?{TemplateMessagesExpand}"))], ct);
                foreach (var response in responses.Where(r => r.IsSuccess && r.Body is JsonObject))
                {
                    var template = (JsonObject)response.Body!.DeepClone();
                    template.Remove("@odata.context");
                    resolved[response.Id] = new ResolvedReference("notificationMessageTemplate", response.Id,
                        template["displayName"]?.GetValue<string>() ?? string.Empty, string.Empty, template.ToJsonString());
                }
            }
            catch (Exception e) when (GraphFailures.Of(e) is { } graph && !ct.IsCancellationRequested)
            {
                LogReferencesUnresolved(logger, chunk.Length, "notificationMessageTemplate", GraphFailures.Describe(graph, "Reading notification templates"));
            }
        }
        return resolved;
    }

    /// <summary>A sub-response's assignments, following its nextLink (more than 25 assignments) page by page.</summary>
    private async Task<AssignmentsRead> AllPagesAsync(GraphServiceClient client, JsonNode? first, CancellationToken ct)
    {
        var assignments = new JsonArray();
        var page = first;
        while (true)
        {
            foreach (var assignment in page?["value"]?.AsArray() ?? [])
            {
                assignments.Add(assignment?.DeepClone());
            }
            if (page?["@odata.nextLink"]?.GetValue<string>() is not { Length: > 0 } next)
            {
                return new AssignmentsRead(assignments, 200, null);
            }
            try
            {
                page = await WithAttemptsAsync(() => GraphJson.GetAsync(client, new Uri(next), ct), ct);
            }
            catch (Exception e) when (GraphFailures.Of(e) is { } graph && !ct.IsCancellationRequested)
            {
                return new AssignmentsRead(null, graph.ResponseStatusCode, GraphFailures.Describe(graph, "Reading the next page of assignments"));
            }
        }
    }

    /// <summary>
    /// A read retried on the failures the SDK's retry handler leaves alone (500, 502, a dropped connection); 429/503/504
    /// were already retried by it, honouring Retry-After.
    /// </summary>
    private async Task<T> WithAttemptsAsync<T>(Func<Task<T>> read, CancellationToken ct)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await read();
            }
            catch (Exception e) when (attempt < MaxAttempts && !ct.IsCancellationRequested
                && (GraphFailures.Of(e) is { } graph ? GraphJson.IsTransient(graph.ResponseStatusCode) : e is HttpRequestException))
            {
                await Task.Delay(TimeSpan.FromSeconds(Math.Pow(2, attempt - 1)), time, ct);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "{Count} {Collection} assignment reads throttled or failed in a $batch; retrying them")]
    private static partial void LogSubRequestsRetried(ILogger logger, int count, string collection);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Count} {Kind} references left unresolved: {Failure}")]
    private static partial void LogReferencesUnresolved(ILogger logger, int count, string kind, string failure);
}
