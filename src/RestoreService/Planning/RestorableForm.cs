using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using TenantAtlas.TenantGraph;

namespace TenantAtlas.RestoreService.Planning;

/// <summary>
/// A policy as a restore writes and compares it (INTUNE.md §2.3): without what the server owns (ids, dates, version),
/// without Graph's annotations (but with the root <c>@odata.type</c>, which a polymorphic create needs), without the
/// navigation and report properties Graph refuses in a body, and with ids inside compliance scheduled actions removed
/// (they are the source tenant's). Two policies with the same restorable form are the same policy for a restore,
/// whatever tenant, id or time they carry.
/// </summary>
public static class RestorableForm
{
    public const string Assignments = "assignments";
    public const string ScheduledActions = "scheduledActionsForRule";

    /// <summary>Root properties Graph owns or refuses in a create or update body.</summary>
    private static readonly HashSet<string> ServerOwned = new(StringComparer.Ordinal)
    {
        "id", "createdDateTime", "lastModifiedDateTime", "version", Assignments,
        "deviceStatuses", "userStatuses", "deviceStatusOverview", "userStatusOverview", "deviceSettingStateSummaries",
    };

    /// <summary>
    /// The body of a write: the policy's properties without server-owned ones. With <paramref name="withScheduledActions"/>
    /// false (a PATCH) the compliance actions are left out too: Graph changes them only through scheduleActionsForRules.
    /// </summary>
    public static JsonObject Body(JsonObject policy, bool withScheduledActions)
    {
        var body = new JsonObject();
        foreach (var (name, value) in policy)
        {
            if (ServerOwned.Contains(name) || IsAnnotation(name) || (!withScheduledActions && name == ScheduledActions))
            {
                continue;
            }
            body[name] = name == ScheduledActions ? WithoutIds(value) : WithoutAnnotations(value);
        }
        return body;
    }

    /// <summary>The compliance actions as scheduleActionsForRules takes them (ids removed); null when the policy has none.</summary>
    public static JsonArray? ScheduledActionsOf(JsonObject policy) =>
        policy[ScheduledActions] is JsonArray rules ? (JsonArray)WithoutIds(rules)! : null;

    /// <summary>The assignments as <c>/assign</c> takes them: each one's target only (v1.0's assignment is {id, target}).</summary>
    public static JsonArray AssignTargets(JsonArray? assignments) =>
        new([.. (assignments ?? []).OfType<JsonObject>().Where(a => a["target"] is JsonObject)
            .Select(a => (JsonNode)new JsonObject { ["target"] = WithoutAnnotations(a["target"]) })]);

    /// <summary>
    /// What is compared: the write body with compliance actions and, unless null, the assignment targets. A target read
    /// and a planned write are compared in this form, and its hash is what read-back matches.
    /// </summary>
    public static JsonObject Comparable(JsonObject policy, JsonArray? assignments)
    {
        var form = Body(policy, withScheduledActions: true);
        if (assignments is not null)
        {
            form[Assignments] = AssignTargets(assignments);
        }
        return form;
    }

    /// <summary>SHA-256 (hex) of the canonical comparable form.</summary>
    public static string Hash(JsonObject comparable)
    {
        var canonical = ContentHash.Canonical(comparable, root: true)?.ToJsonString() ?? "null";
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(canonical)));
    }

    /// <summary>True when a value anywhere in the document is a redaction marker: the backup does not hold the secret.</summary>
    public static bool HasRedactedSecrets(JsonNode? node) => node switch
    {
        JsonObject obj => obj.Any(p => HasRedactedSecrets(p.Value)),
        JsonArray array => array.Any(HasRedactedSecrets),
        JsonValue value => value.TryGetValue<string>(out var text) && SecretRedactor.IsMarker(text),
        _ => false,
    };

    private static bool IsAnnotation(string name) => name.Contains("@odata.", StringComparison.Ordinal) && name != "@odata.type";

    private static JsonNode? WithoutAnnotations(JsonNode? node) => Copy(node, dropIds: false);

    private static JsonNode? WithoutIds(JsonNode? node) => Copy(node, dropIds: true);

    private static JsonNode? Copy(JsonNode? node, bool dropIds) => node switch
    {
        JsonObject obj => new JsonObject(obj
            .Where(p => !IsAnnotation(p.Key) && !(dropIds && p.Key == "id"))
            .Select(p => KeyValuePair.Create(p.Key, Copy(p.Value, dropIds)))),
        JsonArray array => new JsonArray([.. array.Select(item => Copy(item, dropIds))]),
        _ => node?.DeepClone(),
    };
}
