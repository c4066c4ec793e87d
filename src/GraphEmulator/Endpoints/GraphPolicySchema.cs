using System.Collections.Frozen;
using TenantAtlas.GraphEmulator.Tenants;

namespace TenantAtlas.GraphEmulator.Endpoints;

/// <summary>
/// The emulator's own reading of Graph's documentation of the two policy families: what a create or update body
/// may carry. Each entry cites the page it comes from (learn.microsoft.com/graph/api/… ; the source of each page is
/// microsoftgraph/microsoft-graph-docs-contrib, api-reference/{v1.0|beta}/…). Never derived from the product's code:
/// the emulator is the oracle the product is tested against, so a property the product gets wrong must show here.
/// Anything not named here is an ordinary setting and is kept verbatim, whatever its name or subtype.
/// </summary>
internal static class GraphPolicySchema
{
    /// <summary>A property the documentation gives a role in a write body, with why and where it says so.</summary>
    public sealed record DocumentedProperty(string Name, string Rule, string Page);

    /// <summary>
    /// The entity key and the service-maintained values, <b>accepted and ignored</b> in a create or update body: the
    /// service sets them (a new id; the tenant's clock for the dates; version 1, then one more per update). Accepted,
    /// not refused, because the docs present them as body properties: every create and update page lists them in its
    /// "Request body" table, and the example requests send <c>version</c> (e.g. v1.0
    /// <c>intune-deviceconfig-windows10compliancepolicy-create</c>: <c>"version": 7</c> in the request, 201; and
    /// <c>intune-deviceconfig-windows10generalconfiguration-update</c>, 200), while the responses carry the
    /// service's id and dates.
    /// </summary>
    public static readonly FrozenDictionary<string, DocumentedProperty> ServiceMaintained = ByName(
        new("id", "Key of the entity.", "v1.0 resources/intune-deviceconfig-deviceconfiguration, intune-deviceconfig-devicecompliancepolicy"),
        new("createdDateTime", "DateTime the object was created.", "v1.0 resources/intune-deviceconfig-deviceconfiguration"),
        new("lastModifiedDateTime", "DateTime the object was last modified.", "v1.0 resources/intune-deviceconfig-deviceconfiguration"),
        new("version", "Version of the device configuration.", "v1.0 resources/intune-deviceconfig-deviceconfiguration; api/intune-deviceconfig-windows10compliancepolicy-create"));

    /// <summary>
    /// The "Relationships" table of v1.0 <c>resources/intune-deviceconfig-deviceconfiguration</c> (and beta's
    /// <c>groupAssignments</c>, beta <c>resources/intune-shared-deviceconfiguration</c>): navigation properties, written
    /// through their own endpoints or computed by Intune, so refused in a create or update body.
    /// </summary>
    private static readonly DocumentedProperty[] ConfigurationRelationships =
    [
        new("assignments", "written through POST .../{id}/assign (v1.0 api/intune-deviceconfig-deviceconfiguration-assign)",
            "v1.0 resources/intune-deviceconfig-deviceconfiguration#relationships"),
        new("deviceStatuses", "installation status by device, reported by Intune", "v1.0 resources/intune-deviceconfig-deviceconfiguration#relationships"),
        new("userStatuses", "installation status by user, reported by Intune", "v1.0 resources/intune-deviceconfig-deviceconfiguration#relationships"),
        new("deviceStatusOverview", "devices status overview, reported by Intune", "v1.0 resources/intune-deviceconfig-deviceconfiguration#relationships"),
        new("userStatusOverview", "users status overview, reported by Intune", "v1.0 resources/intune-deviceconfig-deviceconfiguration#relationships"),
        new("deviceSettingStateSummaries", "setting state device summary, reported by Intune",
            "v1.0 resources/intune-deviceconfig-deviceconfiguration#relationships"),
        new("groupAssignments", "beta group assignments, written through assign", "beta resources/intune-shared-deviceconfiguration#relationships"),
    ];

    /// <summary>
    /// The "Relationships" table of v1.0 <c>resources/intune-deviceconfig-devicecompliancepolicy</c>.
    /// <c>scheduledActionsForRule</c> is the exception on create: the same table calls it "a required property when
    /// creating any individual per-platform compliance policies", and Graph refuses a create without exactly one block
    /// action (microsoftgraph/microsoft-graph-docs-contrib#7391); on update it is a relationship like the others,
    /// written through <c>scheduleActionsForRules</c> (v1.0 api/intune-deviceconfig-devicecompliancepolicy-scheduleactionsforrules).
    /// </summary>
    private static readonly DocumentedProperty[] ComplianceRelationships =
    [
        new(ScheduledActionsForRule, "written through POST .../{id}/scheduleActionsForRules after the create",
            "v1.0 resources/intune-deviceconfig-devicecompliancepolicy#relationships; api/intune-deviceconfig-devicecompliancepolicy-scheduleactionsforrules"),
        new("deviceStatuses", "compliance status by device, reported by Intune", "v1.0 resources/intune-deviceconfig-devicecompliancepolicy#relationships"),
        new("userStatuses", "compliance status by user, reported by Intune", "v1.0 resources/intune-deviceconfig-devicecompliancepolicy#relationships"),
        new("deviceStatusOverview", "devices status overview, reported by Intune", "v1.0 resources/intune-deviceconfig-devicecompliancepolicy#relationships"),
        new("userStatusOverview", "users status overview, reported by Intune", "v1.0 resources/intune-deviceconfig-devicecompliancepolicy#relationships"),
        new("deviceSettingStateSummaries", "setting state device summary, reported by Intune",
            "v1.0 resources/intune-deviceconfig-devicecompliancepolicy#relationships"),
        new("assignments", "written through POST .../{id}/assign (v1.0 api/intune-deviceconfig-devicecompliancepolicy-assign)",
            "v1.0 resources/intune-deviceconfig-devicecompliancepolicy#relationships"),
    ];

    /// <summary>
    /// Relationships a subtype adds to its family's (the "Relationships" table of the subtype's own page). Only
    /// these names: a subtype's other properties are settings, even where another subtype has a relationship of the
    /// same name (beta <c>macOSGeneralDeviceConfiguration.privacyAccessControls</c> is a plain property).
    /// </summary>
    private static readonly FrozenDictionary<string, DocumentedProperty[]> SubtypeRelationships = new Dictionary<string, DocumentedProperty[]>
    {
        ["#microsoft.graph.windows10GeneralConfiguration"] =
        [
            new("privacyAccessControls",
                "written after the create through the beta action POST .../{id}/windowsPrivacyAccessControls (beta api/intune-shared-deviceconfiguration-windowsprivacyaccesscontrols)",
                "beta resources/intune-deviceconfig-windows10generalconfiguration#relationships"),
        ],
        ["#microsoft.graph.windowsUpdateForBusinessConfiguration"] =
        [
            new("deviceUpdateStates", "update states by device, reported by Intune",
                "beta resources/intune-deviceconfig-windowsupdateforbusinessconfiguration#relationships"),
        ],
    }.ToFrozenDictionary(StringComparer.Ordinal);

    public const string ScheduledActionsForRule = "scheduledActionsForRule";

    public const string OmaSettings = "omaSettings";

    /// <summary>
    /// An OMA setting's <c>secretReferenceValueId</c>: "ReferenceId for looking up secret for decryption. This property
    /// is read-only." (beta resources/intune-deviceconfig-omasetting; v1.0's page has neither property, yet v1.0 serves
    /// both). Refused when not null: Graph answers "SecretReferenceValueId invalid for create"
    /// (jseerden/IntuneBackupAndRestore#39), since a copied reference points into the tenant it was read from.
    /// </summary>
    public static readonly DocumentedProperty OmaSecretReference = new(
        "secretReferenceValueId", "read-only; refused when not null", "beta resources/intune-deviceconfig-omasetting");

    /// <summary>
    /// An OMA setting's <c>isEncrypted</c>: "Indicates whether the value field is encrypted. This property is
    /// read-only." (same page). <c>false</c> is accepted and ignored (the service decides, see
    /// <see cref="GraphSecretPropertyTable"/>); <c>true</c> is refused, because it claims the value is already
    /// cipher text: a write sends the plaintext with isEncrypted false (Microsoft365DSC/Microsoft365DSC pull 4084).
    /// </summary>
    public static readonly DocumentedProperty OmaIsEncrypted = new(
        "isEncrypted", "read-only; true refused, false accepted and ignored", "beta resources/intune-deviceconfig-omasetting");

    /// <summary>
    /// The compliance one-block rule: a compliance policy has exactly one <c>block</c> scheduled action over all its
    /// rules, in Graph's own words (microsoftgraph/microsoft-graph-docs-contrib#7391, #7912; v1.0
    /// resources/intune-deviceconfig-devicecompliancepolicy: scheduledActionsForRule is required on create).
    /// </summary>
    public const string BlockActionMessage =
        "Compliance policy must have one and only one block scheduled action (property 'scheduledActionsForRule').";

    /// <summary>The relationship this property is for a policy of this family and type, or null when it is a setting.</summary>
    public static DocumentedProperty? Relationship(PolicyKind kind, string? odataType, string property)
    {
        var family = kind == PolicyKind.DeviceConfiguration ? ConfigurationRelationships : ComplianceRelationships;
        if (Array.Find(family, r => r.Name == property) is { } inherited)
            return inherited;
        return odataType is not null && SubtypeRelationships.TryGetValue(odataType, out var own)
            ? Array.Find(own, r => r.Name == property)
            : null;
    }

    /// <summary>Whether a name is a relationship of any policy type the table knows (for settings that must not be one).</summary>
    public static bool IsAnyRelationship(string property) =>
        ConfigurationRelationships.Any(r => r.Name == property) || ComplianceRelationships.Any(r => r.Name == property)
        || SubtypeRelationships.Values.Any(own => own.Any(r => r.Name == property));

    private static FrozenDictionary<string, DocumentedProperty> ByName(params DocumentedProperty[] properties) =>
        properties.ToFrozenDictionary(p => p.Name, StringComparer.Ordinal);
}
