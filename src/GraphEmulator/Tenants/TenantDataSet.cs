namespace TenantAtlas.GraphEmulator.Tenants;

/// <summary>
/// A tenant's data: policies, groups and notification templates. Immutable: an admin change builds a new data set
/// (<see cref="WithPolicies"/>), and a redefinition replaces it as a whole.
/// </summary>
public sealed class TenantDataSet
{
    private readonly Dictionary<string, Policy> _deviceConfigurationsById;
    private readonly Dictionary<string, Policy> _compliancePoliciesById;
    private readonly Dictionary<string, DirectoryGroup> _groupsById;
    private readonly Dictionary<string, NotificationMessageTemplate> _templatesById;

    public TenantDataSet(
        IReadOnlyList<Policy> deviceConfigurations, IReadOnlyList<Policy> compliancePolicies,
        IReadOnlyList<DirectoryGroup> groups, IReadOnlyList<NotificationMessageTemplate> notificationMessageTemplates)
    {
        DeviceConfigurations = deviceConfigurations;
        CompliancePolicies = compliancePolicies;
        Groups = groups;
        NotificationMessageTemplates = notificationMessageTemplates;
        _deviceConfigurationsById = deviceConfigurations.ToDictionary(p => p.Id, StringComparer.OrdinalIgnoreCase);
        _compliancePoliciesById = compliancePolicies.ToDictionary(p => p.Id, StringComparer.OrdinalIgnoreCase);
        _groupsById = groups.ToDictionary(g => g.Id, StringComparer.OrdinalIgnoreCase);
        _templatesById = notificationMessageTemplates.ToDictionary(t => t.Id, StringComparer.OrdinalIgnoreCase);
    }

    public IReadOnlyList<Policy> DeviceConfigurations { get; }

    public IReadOnlyList<Policy> CompliancePolicies { get; }

    public IReadOnlyList<DirectoryGroup> Groups { get; }

    public IReadOnlyList<NotificationMessageTemplate> NotificationMessageTemplates { get; }

    public IReadOnlyList<Policy> Policies(PolicyKind kind) =>
        kind == PolicyKind.DeviceConfiguration ? DeviceConfigurations : CompliancePolicies;

    public Policy? Find(PolicyKind kind, string id) =>
        (kind == PolicyKind.DeviceConfiguration ? _deviceConfigurationsById : _compliancePoliciesById)
            .GetValueOrDefault(id);

    public DirectoryGroup? FindGroup(string id) => _groupsById.GetValueOrDefault(id);

    public NotificationMessageTemplate? FindNotificationMessageTemplate(string id) => _templatesById.GetValueOrDefault(id);

    /// <summary>
    /// Every secret plaintext the tenant's policies hold, in policy order (for leak checks), as
    /// <see cref="GraphSecretPropertyTable"/> finds them: however a policy got here, its secrets are listed.
    /// </summary>
    public IReadOnlyList<string> Secrets() =>
        [.. DeviceConfigurations.Concat(CompliancePolicies).SelectMany(GraphSecretPropertyTable.PlaintextsOf)];

    /// <summary>A copy with the groups replaced; the other data is shared.</summary>
    public TenantDataSet WithGroups(IReadOnlyList<DirectoryGroup> groups) =>
        new(DeviceConfigurations, CompliancePolicies, groups, NotificationMessageTemplates);

    /// <summary>A copy with the notification message templates replaced; the other data is shared.</summary>
    public TenantDataSet WithNotificationMessageTemplates(IReadOnlyList<NotificationMessageTemplate> templates) =>
        new(DeviceConfigurations, CompliancePolicies, Groups, templates);

    /// <summary>A copy with one collection replaced; the other data is shared.</summary>
    public TenantDataSet WithPolicies(PolicyKind kind, IReadOnlyList<Policy> policies) =>
        kind == PolicyKind.DeviceConfiguration
            ? new TenantDataSet(policies, CompliancePolicies, Groups, NotificationMessageTemplates)
            : new TenantDataSet(DeviceConfigurations, policies, Groups, NotificationMessageTemplates);
}
