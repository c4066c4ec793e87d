namespace TenantAtlas.GraphEmulator.Tenants;

/// <summary>A tenant's generated, immutable policies; replaced as a whole when the tenant is redefined.</summary>
public sealed class TenantDataSet
{
    private readonly Dictionary<string, Policy> _deviceConfigurationsById;
    private readonly Dictionary<string, Policy> _compliancePoliciesById;

    public TenantDataSet(IReadOnlyList<Policy> deviceConfigurations, IReadOnlyList<Policy> compliancePolicies)
    {
        DeviceConfigurations = deviceConfigurations;
        CompliancePolicies = compliancePolicies;
        _deviceConfigurationsById = deviceConfigurations.ToDictionary(p => p.Id, StringComparer.OrdinalIgnoreCase);
        _compliancePoliciesById = compliancePolicies.ToDictionary(p => p.Id, StringComparer.OrdinalIgnoreCase);
    }

    public IReadOnlyList<Policy> DeviceConfigurations { get; }

    /// <summary>The tenant's groups: the pool assignments and notification CC lists draw from.</summary>
    public IReadOnlyList<DirectoryGroup> Groups { get; init; } = [];

    public IReadOnlyList<NotificationTemplate> NotificationTemplates { get; init; } = [];

    /// <summary>Secret plaintexts the data set holds (by secret reference id, or by policy id for a pre-shared key).</summary>
    public IReadOnlyDictionary<string, string> Secrets { get; init; } = new Dictionary<string, string>();

    public IReadOnlyList<Policy> CompliancePolicies { get; }

    public IReadOnlyList<Policy> Policies(PolicyKind kind) =>
        kind == PolicyKind.DeviceConfiguration ? DeviceConfigurations : CompliancePolicies;

    public Policy? Find(PolicyKind kind, string id) =>
        (kind == PolicyKind.DeviceConfiguration ? _deviceConfigurationsById : _compliancePoliciesById)
            .GetValueOrDefault(id);
}
