using System.Text.Json;
using TenantAtlas.GraphEmulator.Endpoints;

namespace TenantAtlas.GraphEmulator.Tenants;

/// <summary>
/// What a tenant's generated data set looks like: the body of <c>PUT /emulator/tenants/{tenantId}</c> and the
/// fields of an <c>Emulator:Tenants:N</c> configuration entry. The same values (seed included) always generate
/// the same policies, ids and names.
/// </summary>
public class TenantDefinition
{
    public const int MaxPageSize = 999;
    public const int MaxPolicies = 100_000;
    public const int MaxAssignmentsPerPolicy = 500;
    public const int MaxGroups = 10_000;
    public const int MaxNotificationMessageTemplates = 1_000;
    public const int DefaultGroupPoolSize = 16;

    /// <summary>Application (client) id accepted by the token endpoint.</summary>
    public string ClientId { get; set; } = "";

    /// <summary>Client secret accepted by the token endpoint.</summary>
    public string ClientSecret { get; set; } = "";

    /// <summary>Number of device configurations to generate.</summary>
    public int DeviceConfigurations { get; set; } = 10;

    /// <summary>Number of device compliance policies to generate.</summary>
    public int CompliancePolicies { get; set; } = 5;

    /// <summary>
    /// Assignments per policy (the first one of every fourth policy targets all devices); past 25 the
    /// <c>/assignments</c> reads page, as Graph's do.
    /// </summary>
    public int AssignmentsPerPolicy { get; set; } = 2;

    /// <summary>Items per page when the caller sends no <c>$top</c> (Graph's default is 100).</summary>
    public int PageSize { get; set; } = 100;

    /// <summary>Seed of the generator.</summary>
    public int Seed { get; set; } = 1;

    /// <summary>
    /// Groups in the tenant, the pool assignment targets and notification CC lists draw from; 0 keeps the
    /// original pool of max(16, <see cref="AssignmentsPerPolicy"/>). Every third group is dynamic.
    /// </summary>
    public int Groups { get; set; }

    /// <summary>Notification message templates the compliance policies' notification actions use.</summary>
    public int NotificationMessageTemplates { get; set; } = 3;

    /// <summary>
    /// Every Nth device configuration is a <c>windows10CustomConfiguration</c> with an encrypted OMA setting
    /// (0 = none). Ids and the other policies stay as without it.
    /// </summary>
    public int EncryptedOmaSettingsEvery { get; set; }

    /// <summary>Every Nth device configuration is a Wi-Fi profile with a plaintext <c>preSharedKey</c> (0 = none).</summary>
    public int WifiEvery { get; set; }

    /// <summary>Every Nth compliance policy lacks the block scheduled action Graph requires on create (0 = none).</summary>
    public int ComplianceWithoutBlockActionEvery { get; set; }

    /// <summary>Graph requests allowed per <see cref="BudgetWindowSeconds"/>, as Intune's service limit (0 = unlimited).</summary>
    public int RequestBudget { get; set; }

    /// <summary>The window <see cref="RequestBudget"/> counts over (Intune's is 20 s).</summary>
    public int BudgetWindowSeconds { get; set; } = 20;

    /// <summary>
    /// Graph writes (POST/PATCH/PUT/DELETE, read-only POSTs such as <c>getByIds</c> and the <c>$batch</c> envelope
    /// excepted) allowed per <see cref="WriteBudgetWindowSeconds"/>: Intune's device configuration limit is 100
    /// writes / 20 s per app and tenant, so that is the default (0 = unlimited).
    /// </summary>
    public int WriteBudget { get; set; } = 100;

    /// <summary>The window <see cref="WriteBudget"/> counts over.</summary>
    public int WriteBudgetWindowSeconds { get; set; } = 20;

    /// <summary>
    /// Server-side defaults of a Graph create: property → value, added to a policy created through Graph's POST (either
    /// collection) when the body lacks the property, as Graph stores and returns properties a create did not send. Null
    /// or empty = none, so a created policy is the body sent plus the service-maintained values.
    /// </summary>
    public Dictionary<string, JsonElement>? CreateDefaults { get; set; }

    /// <summary>Validation errors keyed by field name (camelCase); empty when the definition is usable.</summary>
    public Dictionary<string, string[]> Validate()
    {
        var errors = new Dictionary<string, string[]>();
        if (string.IsNullOrWhiteSpace(ClientId))
            errors["clientId"] = ["clientId is required."];
        if (string.IsNullOrWhiteSpace(ClientSecret))
            errors["clientSecret"] = ["clientSecret is required."];
        if (DeviceConfigurations is < 0 or > MaxPolicies)
            errors["deviceConfigurations"] = [$"deviceConfigurations must be between 0 and {MaxPolicies}."];
        if (CompliancePolicies is < 0 or > MaxPolicies)
            errors["compliancePolicies"] = [$"compliancePolicies must be between 0 and {MaxPolicies}."];
        if (AssignmentsPerPolicy is < 0 or > MaxAssignmentsPerPolicy)
            errors["assignmentsPerPolicy"] = [$"assignmentsPerPolicy must be between 0 and {MaxAssignmentsPerPolicy}."];
        if (PageSize is < 1 or > MaxPageSize)
            errors["pageSize"] = [$"pageSize must be between 1 and {MaxPageSize}."];
        Range(errors, "groups", Groups, 0, MaxGroups);
        Range(errors, "notificationMessageTemplates", NotificationMessageTemplates, 0, MaxNotificationMessageTemplates);
        Range(errors, "encryptedOmaSettingsEvery", EncryptedOmaSettingsEvery, 0, MaxPolicies);
        Range(errors, "wifiEvery", WifiEvery, 0, MaxPolicies);
        Range(errors, "complianceWithoutBlockActionEvery", ComplianceWithoutBlockActionEvery, 0, MaxPolicies);
        Range(errors, "requestBudget", RequestBudget, 0, 1_000_000);
        Range(errors, "budgetWindowSeconds", BudgetWindowSeconds, 1, 3_600);
        Range(errors, "writeBudget", WriteBudget, 0, 1_000_000);
        Range(errors, "writeBudgetWindowSeconds", WriteBudgetWindowSeconds, 1, 3_600);
        foreach (var name in (CreateDefaults ?? []).Keys)
        {
            // A default is a setting the service fills in: not Graph's annotations, the values it maintains anyway, or a
            // relationship (written through its own endpoint).
            if (string.IsNullOrWhiteSpace(name) || name.Contains('@', StringComparison.Ordinal)
                || GraphPolicySchema.ServiceMaintained.ContainsKey(name) || GraphPolicySchema.IsAnyRelationship(name))
                errors[$"createDefaults.{name}"] = [$"'{name}' cannot be a create default: name a policy setting."];
        }

        return errors;
    }

    /// <summary>The group pool size: <see cref="Groups"/>, or the original default, never fewer than a policy's assignments.</summary>
    public int GroupPoolSize() => Math.Max(Groups > 0 ? Groups : DefaultGroupPoolSize, AssignmentsPerPolicy);

    private static void Range(Dictionary<string, string[]> errors, string field, int value, int min, int max)
    {
        if (value < min || value > max)
            errors[field] = [$"{field} must be between {min} and {max}."];
    }
}
