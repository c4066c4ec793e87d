namespace TenantAtlas.GraphEmulator.Tenants;

/// <summary>The <c>Emulator</c> configuration section.</summary>
public sealed class EmulatorOptions
{
    public const string SectionName = "Emulator";

    /// <summary>Tenants defined at startup, e.g. <c>Emulator:Tenants:0:TenantId</c>, <c>...:ClientId</c>.</summary>
    public List<ConfiguredTenant> Tenants { get; } = [];
}

/// <summary>A tenant defined in configuration: its id plus the same fields as the admin API's PUT body.</summary>
public sealed class ConfiguredTenant : TenantDefinition
{
    public string TenantId { get; set; } = "";
}

public static partial class TenantSeeding
{
    /// <summary>
    /// Defines the tenants listed under <c>Emulator:Tenants</c>. An invalid entry stops the start with a message
    /// naming the setting.
    /// </summary>
    public static WebApplication SeedConfiguredTenants(this WebApplication app)
    {
        var options = new EmulatorOptions();
        app.Configuration.GetSection(EmulatorOptions.SectionName).Bind(options);
        var store = app.Services.GetRequiredService<TenantStore>();

        for (var index = 0; index < options.Tenants.Count; index++)
        {
            var tenant = options.Tenants[index];
            var prefix = $"{EmulatorOptions.SectionName}:Tenants:{index}";
            if (TenantStore.NormalizeTenantId(tenant.TenantId) is null)
                throw new InvalidOperationException($"{prefix}:TenantId must be a GUID (got '{tenant.TenantId}').");
            if (tenant.Validate().FirstOrDefault() is { Key: var field, Value: [var message, ..] })
                throw new InvalidOperationException($"{prefix}:{char.ToUpperInvariant(field[0])}{field[1..]} is invalid: {message}");

            var (defined, _) = store.Define(tenant.TenantId, tenant);
            LogSeeded(app.Logger, defined.TenantId, tenant.DeviceConfigurations, tenant.CompliancePolicies);
        }

        return app;
    }

    [LoggerMessage(Level = LogLevel.Information,
        Message = "Seeded emulated tenant {TenantId} with {DeviceConfigurations} device configurations and {CompliancePolicies} compliance policies")]
    private static partial void LogSeeded(ILogger logger, string tenantId, int deviceConfigurations, int compliancePolicies);
}
