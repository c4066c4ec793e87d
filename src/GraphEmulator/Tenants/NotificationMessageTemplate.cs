using System.Text.Json.Serialization;

namespace TenantAtlas.GraphEmulator.Tenants;

/// <summary>
/// A <c>notificationMessageTemplate</c>: what a compliance policy's notification action sends
/// (<c>scheduledActionConfigurations[].notificationTemplateId</c>).
/// </summary>
public sealed record NotificationMessageTemplate(
    string Id,
    string DisplayName,
    string DefaultLocale,
    string BrandingOptions,
    DateTime LastModifiedDateTime)
{
    [JsonPropertyName("@odata.type")]
    [JsonPropertyOrder(-1)]
    public string ODataType => "#microsoft.graph.notificationMessageTemplate";
}
