using System.Text.Json.Serialization;

namespace TenantAtlas.GraphEmulator.Tenants;

/// <summary>Which Intune collection a policy lives in.</summary>
public enum PolicyKind
{
    DeviceConfiguration,
    CompliancePolicy,
}

/// <summary>
/// A device configuration or compliance policy as Graph v1.0 serializes it. <c>@odata.type</c> comes first so
/// the SDK's parser picks the derived type; the type-specific settings follow the common properties.
/// </summary>
public sealed record Policy(
    [property: JsonPropertyName("@odata.type")] string ODataType,
    string Id,
    string DisplayName,
    string Description,
    DateTime CreatedDateTime,
    DateTime LastModifiedDateTime,
    int Version)
{
    /// <summary>Type-specific settings (camelCase Graph property names), e.g. <c>passwordRequired</c>.</summary>
    [JsonExtensionData]
    public IDictionary<string, object> Settings { get; init; } = new Dictionary<string, object>();

    /// <summary>The policy's assignments, served by <c>.../{id}/assignments</c> and <c>$expand=assignments</c>.</summary>
    [JsonIgnore]
    public IReadOnlyList<PolicyAssignment> Assignments { get; init; } = [];

    /// <summary>A compliance policy's scheduled actions, served only through <c>$expand</c> (null for configurations).</summary>
    [JsonIgnore]
    public IReadOnlyList<ScheduledActionForRule>? ScheduledActionsForRule { get; init; }

    /// <summary>
    /// Plaintext of the encrypted OMA settings by <c>secretReferenceValueId</c>; only
    /// <c>getOmaSettingPlainTextValue</c> reveals them (the list shows <c>****</c>).
    /// </summary>
    [JsonIgnore]
    public IReadOnlyDictionary<string, string> OmaPlainTextValues { get; init; } = new Dictionary<string, string>();

    /// <summary>
    /// Whether a Graph POST created it (not the generator or the admin API): only those are subject to the list lag
    /// fault (<see cref="FaultSettings.ListLagSeconds"/>), counted from <see cref="CreatedDateTime"/>.
    /// </summary>
    [JsonIgnore]
    public bool CreatedThroughGraph { get; init; }
}

/// <summary>A <c>deviceConfigurationAssignment</c> / <c>deviceCompliancePolicyAssignment</c>.</summary>
public sealed record PolicyAssignment(string Id, AssignmentTarget Target)
{
    /// <summary>An assignment with Intune's id form, <c>{policyId}_{groupId}</c>.</summary>
    public static PolicyAssignment For(string policyId, AssignmentTarget target) =>
        new($"{policyId}_{target.GroupId ?? AssignmentTarget.AllDevicesVirtualGroupId}", target);
}

/// <summary>A polymorphic <c>deviceAndAppManagementAssignmentTarget</c>.</summary>
public sealed record AssignmentTarget(
    [property: JsonPropertyName("@odata.type")] string ODataType,
    string? GroupId)
{
    /// <summary>
    /// The target's other properties (filter id and type, a collection id...), kept verbatim as written through
    /// <c>/assign</c> so a restore's filters survive a round trip.
    /// </summary>
    [JsonExtensionData]
    public IDictionary<string, System.Text.Json.JsonElement>? OtherProperties { get; init; }

    /// <summary>Graph's well-known id of the virtual "All devices" group, used in assignment ids.</summary>
    public const string AllDevicesVirtualGroupId = "adadadad-808e-44e2-905a-0b7873a8a531";

    public static AssignmentTarget Group(string groupId) => new("#microsoft.graph.groupAssignmentTarget", groupId);

    public static AssignmentTarget AllDevices() => new("#microsoft.graph.allDevicesAssignmentTarget", null);
}
