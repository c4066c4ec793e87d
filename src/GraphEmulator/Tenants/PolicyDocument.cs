using System.Text.Json;

namespace TenantAtlas.GraphEmulator.Tenants;

/// <summary>
/// Builds policies from raw Graph JSON for the admin API: a new one (POST) or one with properties merged in
/// (PATCH, top-level properties replace the old values, as Graph's PATCH does). <c>@odata.type</c> and
/// <c>displayName</c> are the policy's own; <c>assignments</c> (<c>[{"target":{...}}]</c>) and, for compliance
/// policies, <c>scheduledActionsForRule</c> become what the Graph endpoints serve for them; <c>omaSettings</c> string
/// values are stored encrypted, as Intune stores them (<see cref="GraphSecretPropertyTable"/>); every other property is
/// kept verbatim. Server-owned properties (id, dates, version) are set here: ignored in a new policy, refused
/// in a change.
/// </summary>
internal static class PolicyDocument
{
    private static readonly HashSet<string> ServerOwned =
        new(["id", "createdDateTime", "lastModifiedDateTime", "version"], StringComparer.Ordinal);

    public static Dictionary<string, string[]> TryCreate(JsonElement body, PolicyKind kind, DateTime now, out Policy? policy)
    {
        var id = Guid.NewGuid().ToString();
        var draft = new Policy("", id, "", "", now, now, 1)
        {
            ScheduledActionsForRule = kind == PolicyKind.CompliancePolicy
                ? [new ScheduledActionForRule(Guid.NewGuid().ToString(), null, [ComplianceActionGenerator.Block(Guid.NewGuid().ToString())])]
                : null,
        };
        var errors = Apply(draft, body, kind, isNew: true, out policy);
        if (errors.Count == 0 && string.IsNullOrEmpty(policy!.ODataType))
            errors["@odata.type"] = ["@odata.type is required, e.g. #microsoft.graph.windows10GeneralConfiguration."];
        if (errors.Count == 0 && string.IsNullOrEmpty(policy!.DisplayName))
            errors["displayName"] = ["displayName is required."];
        return errors;
    }

    /// <summary>Merges <paramref name="patch"/> into <paramref name="existing"/>, bumping its modified date and version.</summary>
    public static Dictionary<string, string[]> TryMerge(Policy existing, JsonElement patch, PolicyKind kind, DateTime now, out Policy? policy)
    {
        var modified = now > existing.LastModifiedDateTime ? now : existing.LastModifiedDateTime.AddSeconds(1);
        var draft = existing with
        {
            Settings = new Dictionary<string, object>(existing.Settings, StringComparer.Ordinal),
            LastModifiedDateTime = modified,
            Version = existing.Version + 1,
        };
        return Apply(draft, patch, kind, isNew: false, out policy);
    }

    private static Dictionary<string, string[]> Apply(Policy draft, JsonElement body, PolicyKind kind, bool isNew, out Policy? policy)
    {
        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        policy = null;
        if (body.ValueKind != JsonValueKind.Object)
        {
            errors["body"] = ["The body must be a JSON object of policy properties."];
            return errors;
        }

        foreach (var property in body.EnumerateObject())
        {
            var (name, value) = (property.Name, property.Value);
            if (ServerOwned.Contains(name))
            {
                if (!isNew)
                    errors[name] = [$"{name} is server-owned and cannot be changed."];
            }
            else if (name == "@odata.type")
            {
                if (value.ValueKind != JsonValueKind.String || value.GetString() is not { } type
                    || !type.StartsWith("#microsoft.graph.", StringComparison.Ordinal))
                    errors[name] = ["@odata.type must be a string like #microsoft.graph.windows10GeneralConfiguration."];
                else if (!isNew && type != draft.ODataType)
                    errors[name] = [$"@odata.type cannot change (the policy is a {draft.ODataType})."];
                else
                    draft = draft with { ODataType = type };
            }
            else if (name.StartsWith('@') || name.Contains("@odata.", StringComparison.Ordinal))
            {
                // Annotations (@odata.context, prop@odata.navigationLink...) are Graph's, not the policy's.
            }
            else if (name == "displayName")
            {
                if (value.ValueKind != JsonValueKind.String || string.IsNullOrWhiteSpace(value.GetString()))
                    errors[name] = ["displayName must be a non-empty string."];
                else
                    draft = draft with { DisplayName = value.GetString()! };
            }
            else if (name == "description")
            {
                if (value.ValueKind is not (JsonValueKind.String or JsonValueKind.Null))
                    errors[name] = ["description must be a string or null."];
                else
                    draft = draft with { Description = value.GetString() ?? "" };
            }
            else if (name == "assignments")
            {
                if (ReadAssignments(draft.Id, value, errors) is { } assignments)
                    draft = draft with { Assignments = assignments };
            }
            else if (name == "scheduledActionsForRule" && kind == PolicyKind.CompliancePolicy)
            {
                if (ReadScheduledActions(value, errors) is { } rules)
                    draft = draft with { ScheduledActionsForRule = rules };
            }
            else if (name == "omaSettings")
            {
                // Intune stores string values encrypted (GraphSecretPropertyTable); PATCH replaces the array, and with
                // it the plaintexts of the settings it no longer has.
                var plainTexts = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
                draft.Settings[name] = GraphSecretPropertyTable.EncryptOmaSettings(value, draft.OmaPlainTextValues, plainTexts);
                draft = draft with { OmaPlainTextValues = plainTexts };
            }
            else
            {
                draft.Settings[name] = value.Clone();
            }
        }

        if (errors.Count == 0)
            policy = draft;
        return errors;
    }

    private static PolicyAssignment[]? ReadAssignments(string policyId, JsonElement value, Dictionary<string, string[]> errors)
    {
        if (value.ValueKind != JsonValueKind.Array)
        {
            errors["assignments"] = ["assignments must be an array of {\"target\":{\"@odata.type\":...,\"groupId\":...}}."];
            return null;
        }

        var assignments = new List<PolicyAssignment>();
        var index = 0;
        foreach (var item in value.EnumerateArray())
        {
            if (item.ValueKind != JsonValueKind.Object || !item.TryGetProperty("target", out var target)
                || target.ValueKind != JsonValueKind.Object
                || !target.TryGetProperty("@odata.type", out var type) || type.ValueKind != JsonValueKind.String)
            {
                errors[$"assignments[{index}].target"] = ["Each assignment needs a target with an @odata.type."];
                return null;
            }

            var groupId = target.TryGetProperty("groupId", out var group) && group.ValueKind == JsonValueKind.String
                ? group.GetString()
                : null;
            assignments.Add(PolicyAssignment.For(policyId, new AssignmentTarget(type.GetString()!, groupId)));
            index++;
        }

        return [.. assignments];
    }

    private static ScheduledActionForRule[]? ReadScheduledActions(JsonElement value, Dictionary<string, string[]> errors)
    {
        try
        {
            var rules = value.Deserialize<ScheduledActionForRule[]>(JsonSerializerOptions.Web);
            if (rules is null)
                throw new JsonException("null");
            // Graph assigns the ids of actions created without them.
            return [.. rules.Select(rule => rule with
            {
                Id = rule.Id ?? Guid.NewGuid().ToString(),
                ScheduledActionConfigurations = [.. (rule.ScheduledActionConfigurations ?? []).Select(action => action with
                {
                    Id = action.Id ?? Guid.NewGuid().ToString(),
                    NotificationTemplateId = action.NotificationTemplateId ?? ScheduledActionConfiguration.NoTemplateId,
                    NotificationMessageCCList = action.NotificationMessageCCList ?? [],
                })],
            })];
        }
        catch (JsonException)
        {
            errors["scheduledActionsForRule"] =
                ["scheduledActionsForRule must be an array of {\"ruleName\",\"scheduledActionConfigurations\":[{\"actionType\",\"gracePeriodHours\",...}]}."];
            return null;
        }
    }
}
