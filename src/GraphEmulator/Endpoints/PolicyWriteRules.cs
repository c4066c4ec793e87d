using System.Text.Json;
using TenantAtlas.GraphEmulator.Tenants;

namespace TenantAtlas.GraphEmulator.Endpoints;

/// <summary>
/// What Graph refuses in a policy create or update body (INTUNE.md §2.3–2.4), so a restore that works against the
/// emulator sends what Graph accepts. Each check answers the message of a 400 naming the property, or null.
/// </summary>
internal static class PolicyWriteRules
{
    /// <summary>
    /// Server-owned properties (id, dates, version) and navigation/report properties Graph does not take in a body:
    /// assignments go through <c>/assign</c>, statuses and overviews are computed by Intune.
    /// </summary>
    private static readonly string[] ReadOnly =
    [
        "id", "createdDateTime", "lastModifiedDateTime", "version", "assignments",
        "deviceStatuses", "userStatuses", "deviceStatusOverview", "userStatusOverview", "deviceSettingStateSummaries",
    ];

    private const string GraphTypePrefix = "#microsoft.graph.";

    /// <summary>Configuration subtypes are named ...Configuration, ...Profile or ...Certificate (v1.0 and beta).</summary>
    private static readonly string[] ConfigurationSuffixes = ["Configuration", "Profile", "Certificate"];

    public const string BlockActionMessage =
        "Compliance policy must have one and only one block scheduled action (property 'scheduledActionsForRule').";

    public static string? CheckCreate(JsonElement body, PolicyKind kind)
    {
        if (body.ValueKind != JsonValueKind.Object)
            return "The request body must be a JSON object.";
        if ((CheckType(body, kind) ?? CheckCommon(body)) is { } error)
            return error;
        if (kind == PolicyKind.DeviceConfiguration
            && body.GetProperty("@odata.type").GetString() == "#microsoft.graph.windows10GeneralConfiguration"
            && body.TryGetProperty("privacyAccessControls", out _))
            return "Property 'privacyAccessControls' is not accepted on create: set it afterwards through windowsPrivacyAccessControls.";
        if (kind == PolicyKind.CompliancePolicy)
            return body.TryGetProperty("scheduledActionsForRule", out var rules) ? CheckScheduledActions(rules) : BlockActionMessage;
        return null;
    }

    public static string? CheckUpdate(JsonElement body, PolicyKind kind)
    {
        if (body.ValueKind != JsonValueKind.Object)
            return "The request body must be a JSON object.";
        if (CheckCommon(body) is { } error)
            return error;
        // Graph changes the scheduled actions only through scheduleActionsForRules, never in a PATCH.
        if (kind == PolicyKind.CompliancePolicy && body.TryGetProperty("scheduledActionsForRule", out _))
            return "Property 'scheduledActionsForRule' cannot be changed by PATCH: use POST .../scheduleActionsForRules.";
        return null;
    }

    /// <summary>Exactly one <c>block</c> action over all rules, as Graph requires of every compliance policy.</summary>
    public static string? CheckScheduledActions(JsonElement rules)
    {
        if (rules.ValueKind != JsonValueKind.Array)
            return "Property 'scheduledActionsForRule' must be an array of rules.";
        var blocks = 0;
        foreach (var rule in rules.EnumerateArray())
        {
            if (rule.ValueKind != JsonValueKind.Object)
                return "Each item of 'scheduledActionsForRule' must be an object.";
            if (!rule.TryGetProperty("scheduledActionConfigurations", out var actions) || actions.ValueKind != JsonValueKind.Array)
                continue;
            blocks += actions.EnumerateArray().Count(action => action.ValueKind == JsonValueKind.Object
                && action.TryGetProperty("actionType", out var type) && type.ValueKind == JsonValueKind.String
                && string.Equals(type.GetString(), ScheduledActionConfiguration.Block, StringComparison.OrdinalIgnoreCase));
        }

        return blocks == 1 ? null : BlockActionMessage;
    }

    /// <summary>The polymorphic create needs a concrete type of the collection's family.</summary>
    private static string? CheckType(JsonElement body, PolicyKind kind)
    {
        var (baseType, family) = kind == PolicyKind.DeviceConfiguration
            ? ("deviceConfiguration", "device configuration")
            : ("deviceCompliancePolicy", "device compliance policy");
        if (!body.TryGetProperty("@odata.type", out var typeValue))
            return $"Property '@odata.type' is required: cannot create an abstract class ('{GraphTypePrefix}{baseType}').";
        if (typeValue.ValueKind != JsonValueKind.String || typeValue.GetString() is not { } type
            || !type.StartsWith(GraphTypePrefix, StringComparison.Ordinal) || type.Length == GraphTypePrefix.Length)
            return $"Property '@odata.type' must name a type, e.g. {GraphTypePrefix}windows10GeneralConfiguration.";
        var name = type[GraphTypePrefix.Length..];
        if (name == baseType)
            return $"Property '@odata.type' is the abstract '{type}': cannot create an abstract class.";
        var isCompliance = name.EndsWith("CompliancePolicy", StringComparison.Ordinal);
        var fits = kind == PolicyKind.CompliancePolicy
            ? isCompliance
            : !isCompliance && ConfigurationSuffixes.Any(suffix => name.EndsWith(suffix, StringComparison.Ordinal));
        return fits ? null : $"Property '@odata.type' ('{type}') is not a {family} type.";
    }

    private static string? CheckCommon(JsonElement body)
    {
        foreach (var property in body.EnumerateObject())
        {
            if (ReadOnly.Contains(property.Name, StringComparer.Ordinal))
                return $"Property '{property.Name}' is read-only and cannot be set.";
        }

        return CheckOmaSettings(body);
    }

    /// <summary>
    /// An OMA setting that still carries <c>secretReferenceValueId</c> was copied from a read (its value is
    /// <c>****</c>): Graph refuses it ("SecretReferenceValueId invalid for create", IBR#39).
    /// </summary>
    private static string? CheckOmaSettings(JsonElement body)
    {
        if (!body.TryGetProperty("omaSettings", out var settings) || settings.ValueKind != JsonValueKind.Array)
            return null;
        var index = 0;
        foreach (var setting in settings.EnumerateArray())
        {
            if (setting.ValueKind == JsonValueKind.Object && setting.TryGetProperty("secretReferenceValueId", out var reference)
                && reference.ValueKind != JsonValueKind.Null)
                return $"Property 'secretReferenceValueId' (omaSettings[{index}]) is invalid for create or update: " +
                    "send the plaintext value with isEncrypted false.";
            index++;
        }

        return null;
    }
}
