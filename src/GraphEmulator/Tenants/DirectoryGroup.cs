using System.Text.Json.Serialization;

namespace TenantAtlas.GraphEmulator.Tenants;

/// <summary>
/// An Entra group as Graph v1.0 serializes it (the properties a backup resolves assignment targets with).
/// <c>membershipRule</c> is written even when null, as Graph does for assigned (static) groups.
/// </summary>
public sealed record DirectoryGroup(
    string Id,
    string DisplayName,
    string Description,
    IReadOnlyList<string> GroupTypes,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.Never)] string? MembershipRule,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.Never)] string? MembershipRuleProcessingState,
    string MailNickname,
    bool MailEnabled = false,
    bool SecurityEnabled = true)
{
    public const string ODataTypeName = "#microsoft.graph.group";

    /// <summary>The properties <c>$select</c> can name (the ones the emulator models).</summary>
    public static readonly string[] SelectableProperties =
    [
        "id", "displayName", "description", "groupTypes", "membershipRule", "membershipRuleProcessingState",
        "mailNickname", "mailEnabled", "securityEnabled", "deletedDateTime",
    ];

    /// <summary>When the group was soft-deleted; always null for the live groups <c>/groups</c> lists.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.Never)]
    public DateTime? DeletedDateTime { get; init; }

    /// <summary>First, so polymorphic <c>directoryObject</c> readers (getByIds) pick the group type.</summary>
    [JsonPropertyName("@odata.type")]
    [JsonPropertyOrder(-1)]
    public string ODataType => ODataTypeName;
}
