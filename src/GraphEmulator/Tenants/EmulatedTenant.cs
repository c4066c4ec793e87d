namespace TenantAtlas.GraphEmulator.Tenants;

/// <summary>One emulated Entra tenant: credentials, data set, request budget, faults and request log.</summary>
public sealed class EmulatedTenant
{
    private readonly TimeProvider _time;
    private readonly Lock _changeLock = new();
    private volatile Generation _generation;

    internal EmulatedTenant(string tenantId, TenantDefinition definition, TenantDataSet dataSet, TimeProvider time)
    {
        TenantId = tenantId;
        _time = time;
        _generation = new Generation(definition, dataSet, RequestBudget.For(definition, time), RequestBudget.ForWrites(definition, time));
    }

    /// <summary>The Entra tenant id (a lower-case GUID).</summary>
    public string TenantId { get; }

    /// <summary>The definition in force; treat as read-only.</summary>
    public TenantDefinition Definition => _generation.Definition;

    public TenantDataSet DataSet => _generation.DataSet;

    /// <summary>The definition's request budget; a redefinition starts a fresh one.</summary>
    public RequestBudget Budget => _generation.Budget;

    /// <summary>The definition's write budget (writes count against it and <see cref="Budget"/>); a redefinition starts a fresh one.</summary>
    public RequestBudget WriteBudget => _generation.WriteBudget;

    public TenantFaults Faults { get; } = new();

    public RequestLog Requests { get; } = new();

    public DateTime UtcNow => _time.GetUtcNow().UtcDateTime;

    public bool AcceptsClientId(string? clientId) =>
        string.Equals(clientId, Definition.ClientId, StringComparison.OrdinalIgnoreCase);

    public bool AcceptsSecret(string? clientSecret) =>
        string.Equals(clientSecret, Definition.ClientSecret, StringComparison.Ordinal);

    /// <summary>Swaps in a new definition and data set; true when the credentials changed.</summary>
    internal bool Redefine(TenantDefinition definition, TenantDataSet dataSet)
    {
        lock (_changeLock)
        {
            var previous = _generation.Definition;
            _generation = new Generation(
                definition, dataSet, RequestBudget.For(definition, _time), RequestBudget.ForWrites(definition, _time));
            return !AcceptsClientId(previous.ClientId) || !AcceptsSecret(previous.ClientSecret);
        }
    }

    /// <summary>
    /// Applies an admin change to the data set (serialized with other changes; readers see the old or the new set,
    /// never a half-made one). The change lives until the tenant is redefined.
    /// </summary>
    internal T ChangeDataSet<T>(Func<TenantDataSet, (TenantDataSet DataSet, T Result)> change)
    {
        lock (_changeLock)
        {
            var (dataSet, result) = change(_generation.DataSet);
            _generation = _generation with { DataSet = dataSet };
            return result;
        }
    }

    public TenantSummary Summary()
    {
        var (definition, dataSet, _, _) = _generation;
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
            GroupIds = [.. dataSet.Groups.Select(g => g.Id)],
            NotificationMessageTemplateIds = [.. dataSet.NotificationMessageTemplates.Select(t => t.Id)],
            Secrets = dataSet.Secrets(),
            RequestBudget = definition.RequestBudget,
            BudgetWindowSeconds = definition.BudgetWindowSeconds,
            WriteBudget = definition.WriteBudget,
            WriteBudgetWindowSeconds = definition.WriteBudgetWindowSeconds,
        };
    }

    private sealed record Generation(TenantDefinition Definition, TenantDataSet DataSet, RequestBudget Budget, RequestBudget WriteBudget);
}

/// <summary>
/// The body of <c>PUT</c> and <c>GET /emulator/tenants/{tenantId}</c>: the definition (without the secret), the
/// policy, group and template ids in Graph's order, the plaintext of every secret the policies hold (so a test
/// can search a database or log for a leak), and the faults in force.
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
    public IReadOnlyList<string> GroupIds { get; init; } = [];

    public IReadOnlyList<string> NotificationMessageTemplateIds { get; init; } = [];

    public IReadOnlyList<string> Secrets { get; init; } = [];

    public int RequestBudget { get; init; }

    public int BudgetWindowSeconds { get; init; }

    public int WriteBudget { get; init; }

    public int WriteBudgetWindowSeconds { get; init; }
}
