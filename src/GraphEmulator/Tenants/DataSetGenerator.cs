namespace TenantAtlas.GraphEmulator.Tenants;

/// <summary>
/// Generates a tenant's data set deterministically from its definition: each collection, the group pool and
/// each opt-in kind of data draw from their own seeded stream (<see cref="SeededRandom"/>), so the same definition
/// always yields the same ids, names and dates, and growing one collection (or opting into more data) does not
/// change the ids of another.
/// </summary>
internal static class DataSetGenerator
{
    private static readonly DateTime Epoch = new(2023, 1, 1, 0, 0, 0, DateTimeKind.Utc);

    public static TenantDataSet Generate(TenantDefinition definition)
    {
        var groups = GroupGenerator.Generate(definition);
        var groupIds = groups.Select(g => g.Id).ToArray();
        var templates = NotificationTemplateGenerator.Generate(definition);

        var secrets = SeededRandom.For(definition.Seed, SeededRandom.Stream.SecretConfigurations);
        var deviceConfigurations = GeneratePolicies(
            PolicyTemplates.DeviceConfigurations, "configuration", definition.DeviceConfigurations,
            SeededRandom.For(definition.Seed, SeededRandom.Stream.DeviceConfigurations), definition.AssignmentsPerPolicy, groupIds,
            (policy, index) => SecretConfigurationGenerator.Apply(policy, index, secrets, definition));

        var actions = SeededRandom.For(definition.Seed, SeededRandom.Stream.ComplianceActions);
        var compliancePolicies = GeneratePolicies(
            PolicyTemplates.CompliancePolicies, "compliance policy", definition.CompliancePolicies,
            SeededRandom.For(definition.Seed, SeededRandom.Stream.CompliancePolicies), definition.AssignmentsPerPolicy, groupIds,
            (policy, index) => policy with
            {
                ScheduledActionsForRule = ComplianceActionGenerator.For(index, actions, definition, templates, groups),
            });

        return new TenantDataSet(deviceConfigurations, compliancePolicies, groups, templates);
    }

    private static List<Policy> GeneratePolicies(
        IReadOnlyList<PolicyTemplate> templates, string noun, int count, Random random, int assignmentsPerPolicy,
        string[] groupIds, Func<Policy, int, Policy> enrich)
    {
        var policies = new List<Policy>(count);
        for (var index = 0; index < count; index++)
        {
            var template = templates[index % templates.Count];
            var audience = PolicyTemplates.Audiences[random.Next(PolicyTemplates.Audiences.Count)];
            var id = random.NextGuid();
            var created = Epoch.AddDays(random.Next(0, 700)).AddSeconds(random.Next(0, 86_400));
            var modified = created.AddDays(random.Next(0, 120)).AddSeconds(random.Next(0, 86_400));

            var policy = new Policy(
                template.ODataType,
                id,
                $"{template.Platform} - {audience} {noun} {index + 1:D3}",
                $"Generated {template.Platform} {noun} for {audience.ToLowerInvariant()}.",
                created,
                modified,
                random.Next(1, 12))
            {
                // Drawn even when enrich replaces them, so the policies after it keep their ids.
                Settings = template.Settings(random),
                Assignments = GenerateAssignments(id, index, assignmentsPerPolicy, groupIds),
            };
            policies.Add(enrich(policy, index));
        }

        return policies;
    }

    private static PolicyAssignment[] GenerateAssignments(string policyId, int policyIndex, int count, string[] groupIds)
    {
        var assignments = new PolicyAssignment[count];
        for (var slot = 0; slot < count; slot++)
        {
            var target = slot == 0 && policyIndex % 4 == 3
                ? AssignmentTarget.AllDevices()
                : AssignmentTarget.Group(groupIds[(policyIndex + slot) % groupIds.Length]);
            assignments[slot] = PolicyAssignment.For(policyId, target);
        }

        return assignments;
    }
}
