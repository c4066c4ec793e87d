namespace TenantAtlas.GraphEmulator.Tenants;

/// <summary>
/// Generates a tenant's policies deterministically from its definition: each collection and the group pool draw
/// from their own seeded stream, so the same definition always yields the same ids, names and dates, and growing
/// one collection does not change the other.
/// </summary>
/// <remarks>
/// <see cref="Random"/> with a seed is used on purpose: this is reproducible test data, not security.
/// </remarks>
internal static class DataSetGenerator
{
    private static readonly DateTime Epoch = new(2023, 1, 1, 0, 0, 0, DateTimeKind.Utc);

    public static TenantDataSet Generate(TenantDefinition definition)
    {
        var groupRandom = NewRandom(definition.Seed, 1);
        var groupIds = Enumerable.Range(0, Math.Max(16, definition.AssignmentsPerPolicy))
            .Select(_ => NextGuid(groupRandom))
            .ToArray();

        var deviceConfigurations = GeneratePolicies(
            PolicyTemplates.DeviceConfigurations, "configuration", definition.DeviceConfigurations,
            NewRandom(definition.Seed, 2), definition.AssignmentsPerPolicy, groupIds);
        var compliancePolicies = GeneratePolicies(
            PolicyTemplates.CompliancePolicies, "compliance policy", definition.CompliancePolicies,
            NewRandom(definition.Seed, 3), definition.AssignmentsPerPolicy, groupIds);

        var templateRandom = NewRandom(definition.Seed, 4);
        var templates = Enumerable.Range(1, 2).Select(n => new NotificationTemplate(NextGuid(templateRandom), $"Noncompliance notice {n}",
            "en-us", "includeCompanyLogo", Epoch.AddDays(n))).ToList();
        var secrets = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        for (var index = 0; index < deviceConfigurations.Count; index++)
        {
            deviceConfigurations[index] = SecretBearing(definition, deviceConfigurations[index], index, secrets);
        }
        for (var index = 0; index < compliancePolicies.Count; index++)
        {
            var withBlock = definition.ComplianceWithoutBlockActionEvery == 0 || (index + 1) % definition.ComplianceWithoutBlockActionEvery != 0;
            compliancePolicies[index] = compliancePolicies[index] with
            {
                ScheduledActions = ComplianceActions.For(compliancePolicies[index], withBlock, templates[index % templates.Count].Id, groupIds[index % groupIds.Length]),
            };
        }
        var groups = groupIds.Select((id, n) => new DirectoryGroup(id, $"Intune group {n + 1:D2}",
            n % 3 == 2 ? ["DynamicMembership"] : [], n % 3 == 2 ? $"(device.deviceOSType -eq \"Windows\") and (device.displayName -startsWith \"G{n}\")" : null)).ToList();
        return new TenantDataSet(deviceConfigurations, compliancePolicies) { Groups = groups, NotificationTemplates = templates, Secrets = secrets };
    }

    /// <summary>
    /// Every Nth device configuration (as the definition asks) becomes a profile that holds a secret as Graph returns it:
    /// a custom OMA-URI profile with an encrypted setting (masked value, secret reference), or a Wi-Fi profile with a
    /// pre-shared key. The plaintexts go into <paramref name="secrets"/> (keyed by secret reference, or by policy id).
    /// </summary>
    private static Policy SecretBearing(TenantDefinition definition, Policy policy, int index, Dictionary<string, string> secrets)
    {
        var n = index + 1;
        if (definition.EncryptedOmaSettingsEvery > 0 && n % definition.EncryptedOmaSettingsEvery == 0)
        {
            var reference = DeterministicGuid($"{definition.Seed}:{policy.Id}:oma");
            secrets[reference] = $"oma-secret-{definition.Seed}-{n}-{policy.Id[..8]}";
            return policy with
            {
                ODataType = "#microsoft.graph.windows10CustomConfiguration",
                Settings = new Dictionary<string, object>
                {
                    ["omaSettings"] = new object[]
                    {
                        new Dictionary<string, object?>
                        {
                            ["@odata.type"] = "#microsoft.graph.omaSettingString", ["displayName"] = "VPN shared secret",
                            ["description"] = "Encrypted by Intune", ["omaUri"] = "./Vendor/MSFT/VPNv2/Corp/NativeProfile/SharedSecret",
                            ["secretReferenceValueId"] = reference, ["isEncrypted"] = true, ["value"] = "****",
                        },
                        new Dictionary<string, object?>
                        {
                            ["@odata.type"] = "#microsoft.graph.omaSettingInteger", ["displayName"] = "Idle timeout",
                            ["description"] = null, ["omaUri"] = "./Vendor/MSFT/Policy/Config/DeviceLock/MaxInactivityTimeDeviceLock",
                            ["secretReferenceValueId"] = null, ["isEncrypted"] = false, ["value"] = 15,
                        },
                    },
                },
            };
        }
        if (definition.WifiEvery > 0 && n % definition.WifiEvery == 0)
        {
            var key = $"wifi-psk-{definition.Seed}-{n}-{policy.Id[..8]}";
            secrets[policy.Id] = key;
            return policy with
            {
                ODataType = "#microsoft.graph.windowsWifiConfiguration",
                Settings = new Dictionary<string, object>
                {
                    ["ssid"] = $"Corp-{n}", ["networkName"] = $"Corp-{n}", ["wifiSecurityType"] = "wpa2Personal",
                    ["connectAutomatically"] = true, ["preSharedKey"] = key,
                },
            };
        }
        return policy;
    }

    private static string DeterministicGuid(string text)
    {
        var bytes = System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(text))[..16];
        bytes[7] = (byte)((bytes[7] & 0x0F) | 0x40);
        bytes[8] = (byte)((bytes[8] & 0x3F) | 0x80);
        return new Guid(bytes).ToString();
    }

    private static List<Policy> GeneratePolicies(
        IReadOnlyList<PolicyTemplate> templates, string noun, int count, Random random, int assignmentsPerPolicy,
        string[] groupIds)
    {
        var policies = new List<Policy>(count);
        for (var index = 0; index < count; index++)
        {
            var template = templates[index % templates.Count];
            var audience = PolicyTemplates.Audiences[random.Next(PolicyTemplates.Audiences.Count)];
            var id = NextGuid(random);
            var created = Epoch.AddDays(random.Next(0, 700)).AddSeconds(random.Next(0, 86_400));
            var modified = created.AddDays(random.Next(0, 120)).AddSeconds(random.Next(0, 86_400));

            policies.Add(new Policy(
                template.ODataType,
                id,
                $"{template.Platform} - {audience} {noun} {index + 1:D3}",
                $"Generated {template.Platform} {noun} for {audience.ToLowerInvariant()}.",
                created,
                modified,
                random.Next(1, 12))
            {
                Settings = template.Settings(random),
                Assignments = GenerateAssignments(id, index, assignmentsPerPolicy, groupIds),
            });
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
            assignments[slot] = new PolicyAssignment(
                $"{policyId}_{target.GroupId ?? AssignmentTarget.AllDevicesVirtualGroupId}", target);
        }

        return assignments;
    }

#pragma warning disable CA5394 // Reproducible test data, not security.
    // Not HashCode.Combine: that is randomized per process, and the data set must be the same in every run.
    private static Random NewRandom(int seed, int stream) => new(unchecked((seed * 7919) + stream) & int.MaxValue);

    private static string NextGuid(Random random)
    {
        Span<byte> bytes = stackalloc byte[16];
        random.NextBytes(bytes);
        bytes[7] = (byte)((bytes[7] & 0x0F) | 0x40); // version 4
        bytes[8] = (byte)((bytes[8] & 0x3F) | 0x80); // RFC 4122 variant
        return new Guid(bytes).ToString();
    }
#pragma warning restore CA5394
}
