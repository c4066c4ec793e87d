namespace TenantAtlas.GraphEmulator.Tenants;

/// <summary>A real Graph v1.0 derived type the generator cycles over, with a few of its own settings.</summary>
internal sealed record PolicyTemplate(string ODataType, string Platform, Func<Random, Dictionary<string, object>> Settings);

/// <summary>The polymorphic types generated policies cycle through, in order.</summary>
internal static class PolicyTemplates
{
    public static readonly IReadOnlyList<PolicyTemplate> DeviceConfigurations =
    [
        new("#microsoft.graph.windows10GeneralConfiguration", "Windows", random => new()
        {
            ["passwordRequired"] = Flip(random),
            ["passwordMinimumLength"] = random.Next(6, 15),
            ["cameraBlocked"] = Flip(random),
        }),
        new("#microsoft.graph.iosGeneralDeviceConfiguration", "iOS", random => new()
        {
            ["passcodeRequired"] = Flip(random),
            ["passcodeMinimumLength"] = random.Next(4, 9),
            ["cameraBlocked"] = Flip(random),
        }),
        new("#microsoft.graph.androidWorkProfileGeneralDeviceConfiguration", "Android Enterprise", random => new()
        {
            ["workProfileRequirePassword"] = Flip(random),
            ["passwordMinimumLength"] = random.Next(4, 13),
            ["workProfileBlockCamera"] = Flip(random),
        }),
        new("#microsoft.graph.macOSGeneralDeviceConfiguration", "macOS", random => new()
        {
            ["passwordRequired"] = Flip(random),
            ["passwordMinimumLength"] = random.Next(8, 17),
        }),
    ];

    public static readonly IReadOnlyList<PolicyTemplate> CompliancePolicies =
    [
        new("#microsoft.graph.windows10CompliancePolicy", "Windows", random => new()
        {
            ["passwordRequired"] = Flip(random),
            ["bitLockerEnabled"] = Flip(random),
            ["osMinimumVersion"] = "10.0.19045",
        }),
        new("#microsoft.graph.iosCompliancePolicy", "iOS", random => new()
        {
            ["passcodeRequired"] = Flip(random),
            ["securityBlockJailbrokenDevices"] = Flip(random),
            ["osMinimumVersion"] = "17.0",
        }),
        new("#microsoft.graph.androidCompliancePolicy", "Android", random => new()
        {
            ["passwordRequired"] = Flip(random),
            ["securityBlockJailbrokenDevices"] = Flip(random),
            ["osMinimumVersion"] = "13.0",
        }),
        new("#microsoft.graph.macOSCompliancePolicy", "macOS", random => new()
        {
            ["passwordRequired"] = Flip(random),
            ["systemIntegrityProtectionEnabled"] = Flip(random),
            ["osMinimumVersion"] = "14.0",
        }),
    ];

    /// <summary>Audiences used in generated display names.</summary>
    public static readonly IReadOnlyList<string> Audiences =
    [
        "Baseline", "Finance", "Frontline workers", "Executives", "Shared devices", "Developers", "Field sales", "Kiosks",
    ];

    private static bool Flip(Random random) => random.Next(2) == 1;
}
