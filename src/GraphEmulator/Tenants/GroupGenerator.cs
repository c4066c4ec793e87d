namespace TenantAtlas.GraphEmulator.Tenants;

/// <summary>
/// The tenant's groups: ids from the stream assignments always drew from (so they are unchanged), names and
/// membership from their own stream. Every third group is dynamic, with a membership rule.
/// </summary>
internal static class GroupGenerator
{
    private static readonly string[] DynamicRules =
    [
        "(device.deviceOSType -eq \"Windows\")",
        "(device.deviceOSType -eq \"iPhone\") or (device.deviceOSType -eq \"iPad\")",
        "(user.department -eq \"Finance\")",
        "(device.deviceOwnership -eq \"Company\")",
    ];

    public static List<DirectoryGroup> Generate(TenantDefinition definition)
    {
        var ids = SeededRandom.For(definition.Seed, SeededRandom.Stream.GroupIds);
        var details = SeededRandom.For(definition.Seed, SeededRandom.Stream.GroupDetails);
        var count = definition.GroupPoolSize();
        var groups = new List<DirectoryGroup>(count);
        for (var index = 0; index < count; index++)
        {
            var id = ids.NextGuid();
            var audience = PolicyTemplates.Audiences[details.Next(PolicyTemplates.Audiences.Count)];
            var dynamic = index % 3 == 2;
            var nickname = $"sg-intune-{index + 1:D3}";
            groups.Add(new DirectoryGroup(
                id,
                $"SG-Intune-{audience}-{index + 1:D3}{(dynamic ? " (dynamic)" : "")}",
                $"Generated {(dynamic ? "dynamic" : "assigned")} security group for {audience.ToLowerInvariant()}.",
                dynamic ? ["DynamicMembership"] : [],
                dynamic ? DynamicRules[details.Next(DynamicRules.Length)] : null,
                dynamic ? "On" : null,
                nickname));
        }

        return groups;
    }
}
