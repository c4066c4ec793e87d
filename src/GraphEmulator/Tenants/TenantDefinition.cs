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
    public const int MaxAssignmentsPerPolicy = 50;

    /// <summary>Application (client) id accepted by the token endpoint.</summary>
    public string ClientId { get; set; } = "";

    /// <summary>Client secret accepted by the token endpoint.</summary>
    public string ClientSecret { get; set; } = "";

    /// <summary>Number of device configurations to generate.</summary>
    public int DeviceConfigurations { get; set; } = 10;

    /// <summary>Number of device compliance policies to generate.</summary>
    public int CompliancePolicies { get; set; } = 5;

    /// <summary>Assignments per policy (the first one of every fourth policy targets all devices).</summary>
    public int AssignmentsPerPolicy { get; set; } = 2;

    /// <summary>Items per page when the caller sends no <c>$top</c> (Graph's default is 100).</summary>
    public int PageSize { get; set; } = 100;

    /// <summary>Seed of the generator.</summary>
    public int Seed { get; set; } = 1;

    /// <summary>
    /// Requests the tenant may make per <see cref="BudgetWindowSeconds"/> (sub-requests of a <c>$batch</c> count each), as
    /// Intune's 1,000 per 20 s; past it Graph answers 429 with the seconds until the window frees. 0: no budget.
    /// </summary>
    public int RequestBudget { get; set; }

    /// <summary>The budget's window in seconds (default 20, as Intune).</summary>
    public int BudgetWindowSeconds { get; set; } = 20;

    /// <summary>Every Nth device configuration is a custom OMA-URI profile with an encrypted setting (0: none).</summary>
    public int EncryptedOmaSettingsEvery { get; set; }

    /// <summary>Every Nth device configuration is a Wi-Fi profile with a pre-shared key (0: none).</summary>
    public int WifiEvery { get; set; }

    /// <summary>Every Nth compliance policy lacks its block action, which Graph would never create (0: none).</summary>
    public int ComplianceWithoutBlockActionEvery { get; set; }

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
        if (RequestBudget is < 0 or > 1_000_000)
            errors["requestBudget"] = ["requestBudget must be between 0 (none) and 1000000."];
        if (BudgetWindowSeconds is < 1 or > 3600)
            errors["budgetWindowSeconds"] = ["budgetWindowSeconds must be between 1 and 3600."];
        foreach (var (name, every) in new[] { ("encryptedOmaSettingsEvery", EncryptedOmaSettingsEvery), ("wifiEvery", WifiEvery),
            ("complianceWithoutBlockActionEvery", ComplianceWithoutBlockActionEvery) })
        {
            if (every is < 0 or > 1000)
                errors[name] = [$"{name} must be between 0 (none) and 1000."];
        }
        if (PageSize is < 1 or > MaxPageSize)
            errors["pageSize"] = [$"pageSize must be between 1 and {MaxPageSize}."];
        return errors;
    }
}
