namespace TenantAtlas.GraphEmulator.Tenants;

/// <summary>One emulated Entra tenant: credentials, generated data set, faults and request log.</summary>
public sealed class EmulatedTenant
{
    private volatile Generation _generation;

    internal EmulatedTenant(string tenantId, TenantDefinition definition, TenantDataSet dataSet)
    {
        TenantId = tenantId;
        _generation = new Generation(definition, dataSet);
    }

    /// <summary>The Entra tenant id (a lower-case GUID).</summary>
    public string TenantId { get; }

    /// <summary>The definition in force; treat as read-only.</summary>
    public TenantDefinition Definition => _generation.Definition;

    public TenantDataSet DataSet => _generation.DataSet;

    public TenantFaults Faults { get; } = new();

    /// <summary>The tenant's request budget (off unless its definition sets one).</summary>
    public RequestBudget Budget { get; } = new(TimeProvider.System);

    public RequestLog Requests { get; } = new();

    public bool AcceptsClientId(string? clientId) =>
        string.Equals(clientId, Definition.ClientId, StringComparison.OrdinalIgnoreCase);

    public bool AcceptsSecret(string? clientSecret) =>
        string.Equals(clientSecret, Definition.ClientSecret, StringComparison.Ordinal);

    private readonly Lock _changes = new();

    /// <summary>
    /// Replaces one collection's policies with what <paramref name="change"/> makes of them (the admin API's add, change
    /// and delete, so a test can change the tenant between two captures). Lives until the tenant is redefined.
    /// </summary>
    public T ChangePolicies<T>(PolicyKind kind, Func<List<Policy>, T> change)
    {
        lock (_changes)
        {
            var (definition, dataSet) = _generation;
            var configurations = dataSet.DeviceConfigurations.ToList();
            var compliance = dataSet.CompliancePolicies.ToList();
            var result = change(kind == PolicyKind.DeviceConfiguration ? configurations : compliance);
            _generation = new Generation(definition, new TenantDataSet(configurations, compliance)
            {
                Groups = dataSet.Groups, NotificationTemplates = dataSet.NotificationTemplates, Secrets = dataSet.Secrets,
            });
            return result;
        }
    }

    /// <summary>Swaps in a new definition and data set; true when the credentials changed.</summary>
    internal bool Redefine(TenantDefinition definition, TenantDataSet dataSet)
    {
        var previous = _generation.Definition;
        _generation = new Generation(definition, dataSet);
        return !AcceptsClientId(previous.ClientId) || !AcceptsSecret(previous.ClientSecret);
    }

    public TenantSummary Summary()
    {
        var (definition, dataSet) = _generation;
        return new TenantSummary(
            TenantId,
            definition.ClientId,
            dataSet.DeviceConfigurations.Count,
            dataSet.CompliancePolicies.Count,
            definition.AssignmentsPerPolicy,
            definition.PageSize,
            definition.Seed,
            [.. dataSet.DeviceConfigurations.Select(p => p.Id)],
            [.. dataSet.CompliancePolicies.Select(p => p.Id)],
            Faults.Snapshot())
        {
            Secrets = [.. dataSet.Secrets.Values.Order(StringComparer.Ordinal)],
            GroupIds = [.. dataSet.Groups.Select(g => g.Id)],
        };
    }

    private sealed record Generation(TenantDefinition Definition, TenantDataSet DataSet);
}

/// <summary>
/// The body of <c>PUT</c> and <c>GET /emulator/tenants/{tenantId}</c>: the definition (without the secret), the
/// generated policy ids in Graph's order, and the faults in force.
/// </summary>
public sealed record TenantSummary(
    string TenantId,
    string ClientId,
    int DeviceConfigurations,
    int CompliancePolicies,
    int AssignmentsPerPolicy,
    int PageSize,
    int Seed,
    IReadOnlyList<string> DeviceConfigurationIds,
    IReadOnlyList<string> CompliancePolicyIds,
    FaultSettings Faults)
{
    /// <summary>The plaintext secrets the tenant's policies hold (so a test can prove a backup never stored them).</summary>
    public IReadOnlyList<string> Secrets { get; init; } = [];

    /// <summary>The tenant's group ids.</summary>
    public IReadOnlyList<string> GroupIds { get; init; } = [];
}
