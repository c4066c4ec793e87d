using System.Text.Json;
using TenantAtlas.GraphEmulator.Tenants;

namespace TenantAtlas.GraphEmulator.Endpoints;

/// <summary>
/// Reads the bodies of the v1.0 notification template creates, as their pages document them:
/// <c>api/intune-notification-notificationmessagetemplate-create</c> (displayName, description, defaultLocale,
/// brandingOptions, roleScopeTagIds) and <c>api/intune-notification-localizednotificationmessage-create</c> (locale,
/// subject, messageTemplate, isDefault). Both types have a fixed set of properties (resources/…notificationmessagetemplate,
/// …localizednotificationmessage), so another name is a 400, as Graph answers for a property its type lacks. The key and
/// <c>lastModifiedDateTime</c> are accepted and ignored, as for policies (<see cref="GraphPolicySchema.ServiceMaintained"/>:
/// the create pages list them in the body table, the responses carry the service's values). Each method answers the
/// message of a 400 naming the property, or null.
/// </summary>
internal static class NotificationMessageTemplateBody
{
    private static readonly string[] ServiceMaintained = ["id", "lastModifiedDateTime"];

    /// <summary>The members of notificationTemplateBrandingOptions (v1.0 resources/intune-notification-notificationtemplatebrandingoptions), a flags enum.</summary>
    private static readonly string[] BrandingFlags =
    [
        "none", "includeCompanyLogo", "includeCompanyName", "includeContactInformation", "includeCompanyPortalLink",
        "includeDeviceDetails", "unknownFutureValue",
    ];

    private const string LocalizedMessages = "localizedNotificationMessages";

    public static string? TryReadTemplate(JsonElement body, string id, DateTime now, out NotificationMessageTemplate? template)
    {
        template = null;
        if (CheckObject(body, NotificationMessageTemplate.ODataTypeName) is { } error)
            return error;

        string? displayName = null, description = null, defaultLocale = null;
        // The documentation gives no default; "none" is the enum's own "no branding" member.
        var branding = "none";
        IReadOnlyList<string> scopeTags = [];
        foreach (var property in Settable(body))
        {
            var value = property.Value;
            switch (property.Name)
            {
                case "displayName":
                    displayName = value.ValueKind == JsonValueKind.String ? value.GetString() : null;
                    break;
                case "description" when value.ValueKind is JsonValueKind.String or JsonValueKind.Null:
                    description = value.GetString();
                    break;
                case "defaultLocale" when value.ValueKind is JsonValueKind.String or JsonValueKind.Null:
                    defaultLocale = value.GetString();
                    break;
                case "brandingOptions":
                    if (value.ValueKind != JsonValueKind.String || !IsBranding(value.GetString()!))
                        return $"Property 'brandingOptions' must be a comma-separated list of {string.Join(", ", BrandingFlags)}.";
                    branding = value.GetString()!;
                    break;
                case "roleScopeTagIds" when value.ValueKind == JsonValueKind.Null:
                    break;
                case "roleScopeTagIds":
                    if (value.ValueKind != JsonValueKind.Array || value.EnumerateArray().Any(t => t.ValueKind != JsonValueKind.String))
                        return "Property 'roleScopeTagIds' must be an array of scope tag ids (strings).";
                    scopeTags = [.. value.EnumerateArray().Select(t => t.GetString()!)];
                    break;
                case LocalizedMessages:
                    return $"Property '{LocalizedMessages}' is a relationship and cannot be set in a create body: POST each message to " +
                        ".../notificationMessageTemplates/{id}/localizedNotificationMessages (v1.0 resources/intune-notification-notificationmessagetemplate#relationships).";
                case "description" or "defaultLocale":
                    return $"Property '{property.Name}' must be a string or null.";
                default:
                    return Unknown(property.Name, "microsoft.graph.notificationMessageTemplate");
            }
        }

        if (string.IsNullOrWhiteSpace(displayName))
            return "Property 'displayName' is required and must be a non-empty string.";
        template = new NotificationMessageTemplate(id, displayName, defaultLocale, branding, now)
        {
            Description = description,
            RoleScopeTagIds = scopeTags,
        };
        return null;
    }

    public static string? TryReadMessage(JsonElement body, string id, DateTime now, out LocalizedNotificationMessage? message)
    {
        message = null;
        if (CheckObject(body, LocalizedNotificationMessage.ODataTypeName) is { } error)
            return error;

        var texts = new Dictionary<string, string?>(StringComparer.Ordinal) { ["locale"] = null, ["subject"] = null, ["messageTemplate"] = null };
        var isDefault = false;
        foreach (var property in Settable(body))
        {
            if (texts.ContainsKey(property.Name))
            {
                if (property.Value.ValueKind != JsonValueKind.String || string.IsNullOrWhiteSpace(property.Value.GetString()))
                    return $"Property '{property.Name}' must be a non-empty string.";
                texts[property.Name] = property.Value.GetString();
            }
            else if (property.Name == "isDefault")
            {
                if (property.Value.ValueKind is not (JsonValueKind.True or JsonValueKind.False))
                    return "Property 'isDefault' must be a boolean.";
                isDefault = property.Value.GetBoolean();
            }
            else
            {
                return Unknown(property.Name, "microsoft.graph.localizedNotificationMessage");
            }
        }

        if (texts.FirstOrDefault(t => t.Value is null) is { Key: { } missing })
            return $"Property '{missing}' is required.";
        message = new LocalizedNotificationMessage(id, now, texts["locale"]!, texts["subject"]!, texts["messageTemplate"]!, isDefault);
        return null;
    }

    private static string? CheckObject(JsonElement body, string odataType)
    {
        if (body.ValueKind != JsonValueKind.Object)
            return "The request body must be a JSON object.";
        if (body.TryGetProperty("@odata.type", out var type) && !(type.ValueKind == JsonValueKind.String && type.ValueEquals(odataType)))
            return $"Property '@odata.type' must be '{odataType}'.";
        return null;
    }

    /// <summary>The body's properties less annotations and the service-maintained ones.</summary>
    private static IEnumerable<JsonProperty> Settable(JsonElement body) =>
        body.EnumerateObject().Where(p => !p.Name.Contains('@', StringComparison.Ordinal) && !ServiceMaintained.Contains(p.Name, StringComparer.Ordinal));

    private static bool IsBranding(string value) =>
        value.Split(',', StringSplitOptions.TrimEntries).All(flag => BrandingFlags.Contains(flag, StringComparer.Ordinal));

    private static string Unknown(string property, string type) =>
        $"Property '{property}' does not exist on type '{type}'.";
}
