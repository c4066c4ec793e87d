using System.Text.Json.Serialization;

namespace TenantAtlas.GraphEmulator.Tenants;

/// <summary>
/// A <c>notificationMessageTemplate</c> (v1.0 resources/intune-notification-notificationmessagetemplate): what a
/// compliance policy's notification action sends (<c>scheduledActionConfigurations[].notificationTemplateId</c>).
/// Its localized messages are a relationship, served only through <c>$expand</c> or their own collection.
/// </summary>
public sealed record NotificationMessageTemplate(
    string Id,
    string DisplayName,
    string? DefaultLocale,
    string BrandingOptions,
    DateTime LastModifiedDateTime)
{
    public const string ODataTypeName = "#microsoft.graph.notificationMessageTemplate";

    [JsonPropertyName("@odata.type")]
    [JsonPropertyOrder(-1)]
    public string ODataType => ODataTypeName;

    public string? Description { get; init; }

    public IReadOnlyList<string> RoleScopeTagIds { get; init; } = [];

    /// <summary>The <c>localizedNotificationMessages</c> relationship.</summary>
    [JsonIgnore]
    public IReadOnlyList<LocalizedNotificationMessage> LocalizedNotificationMessages { get; init; } = [];
}

/// <summary>
/// A <c>localizedNotificationMessage</c> (v1.0 resources/intune-notification-localizednotificationmessage): the subject
/// and text of a template in one locale; <c>isDefault</c> marks the fallback locale.
/// </summary>
public sealed record LocalizedNotificationMessage(
    string Id,
    DateTime LastModifiedDateTime,
    string Locale,
    string Subject,
    string MessageTemplate,
    bool IsDefault)
{
    public const string ODataTypeName = "#microsoft.graph.localizedNotificationMessage";

    [JsonPropertyName("@odata.type")]
    [JsonPropertyOrder(-1)]
    public string ODataType => ODataTypeName;
}
