using System.Text.Json;
using System.Text.Json.Nodes;
using TenantAtlas.GraphEmulator.Tenants;

namespace TenantAtlas.GraphEmulator.Endpoints;

/// <summary>
/// Applies <see cref="GraphPolicySchema"/> to a Graph create or update body: each check answers the message of a
/// 400 naming the property, or null. Properties the schema does not name are settings and pass, whatever they are
/// called; the service-maintained ones pass too and are dropped (<see cref="WithoutServiceMaintained"/>).
/// </summary>
internal static class PolicyWriteRules
{
    private const string GraphTypePrefix = "#microsoft.graph.";

    /// <summary>
    /// Configuration subtypes are named ...Configuration, ...Profile or ...Certificate (v1.0 and beta), and beta's
    /// windows10DeviceFirmwareConfigurationInterface ...Interface.
    /// </summary>
    private static readonly string[] ConfigurationSuffixes = ["Configuration", "Profile", "Certificate", "Interface"];

    public static string? CheckCreate(JsonElement body, PolicyKind kind)
    {
        if (body.ValueKind != JsonValueKind.Object)
            return "The request body must be a JSON object.";
        if (CheckType(body, kind) is { } typeError)
            return typeError;
        var type = body.GetProperty("@odata.type").GetString();
        if (CheckProperties(body, kind, type, isCreate: true) is { } error)
            return error;
        if (kind == PolicyKind.CompliancePolicy)
        {
            return body.TryGetProperty(GraphPolicySchema.ScheduledActionsForRule, out var rules)
                ? CheckScheduledActions(rules)
                : GraphPolicySchema.BlockActionMessage;
        }

        return null;
    }

    /// <param name="existingType">The stored policy's <c>@odata.type</c>, for its subtype's relationships.</param>
    public static string? CheckUpdate(JsonElement body, PolicyKind kind, string? existingType)
    {
        if (body.ValueKind != JsonValueKind.Object)
            return "The request body must be a JSON object.";
        return CheckProperties(body, kind, existingType, isCreate: false);
    }

    /// <summary>Exactly one <c>block</c> action over all rules (<see cref="GraphPolicySchema.BlockActionMessage"/>).</summary>
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

        return blocks == 1 ? null : GraphPolicySchema.BlockActionMessage;
    }

    /// <summary>The body without the service-maintained properties, which the service ignores (it sets them itself).</summary>
    public static JsonElement WithoutServiceMaintained(JsonElement body)
    {
        if (!body.EnumerateObject().Any(p => GraphPolicySchema.ServiceMaintained.ContainsKey(p.Name)))
            return body;
        var copy = new JsonObject();
        foreach (var property in body.EnumerateObject().Where(p => !GraphPolicySchema.ServiceMaintained.ContainsKey(p.Name)))
            copy[property.Name] = JsonNode.Parse(property.Value.GetRawText());
        return JsonSerializer.SerializeToElement(copy);
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

    private static string? CheckProperties(JsonElement body, PolicyKind kind, string? type, bool isCreate)
    {
        foreach (var property in body.EnumerateObject())
        {
            // The compliance actions are the one relationship a create carries (GraphPolicySchema.ComplianceRelationships).
            if (isCreate && kind == PolicyKind.CompliancePolicy && property.Name == GraphPolicySchema.ScheduledActionsForRule)
                continue;
            if (GraphPolicySchema.Relationship(kind, type, property.Name) is { } relationship)
                return $"Property '{property.Name}' is a relationship and cannot be set in a {(isCreate ? "create" : "update")} body: " +
                    $"{relationship.Rule} ({relationship.Page}).";
        }

        return CheckOmaSettings(body);
    }

    /// <summary>The read-only properties of each <c>omaSettings[]</c> item (<see cref="GraphPolicySchema.OmaSecretReference"/>).</summary>
    private static string? CheckOmaSettings(JsonElement body)
    {
        if (!body.TryGetProperty(GraphPolicySchema.OmaSettings, out var settings) || settings.ValueKind != JsonValueKind.Array)
            return null;
        var index = 0;
        foreach (var setting in settings.EnumerateArray())
        {
            if (setting.ValueKind == JsonValueKind.Object)
            {
                if (setting.TryGetProperty(GraphPolicySchema.OmaSecretReference.Name, out var reference) && reference.ValueKind != JsonValueKind.Null)
                    return $"Property 'secretReferenceValueId' (omaSettings[{index}]) is invalid for create or update: it is read-only " +
                        $"({GraphPolicySchema.OmaSecretReference.Page}); send the plaintext value with isEncrypted false.";
                if (setting.TryGetProperty(GraphPolicySchema.OmaIsEncrypted.Name, out var encrypted) && encrypted.ValueKind == JsonValueKind.True)
                    return $"Property 'isEncrypted' (omaSettings[{index}]) is read-only ({GraphPolicySchema.OmaIsEncrypted.Page}): " +
                        "send the plaintext value with isEncrypted false; the service encrypts it.";
            }

            index++;
        }

        return null;
    }
}
