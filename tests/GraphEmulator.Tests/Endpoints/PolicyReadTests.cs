using Microsoft.Graph.Models;
using Microsoft.Graph.Models.ODataErrors;
using TenantAtlas.GraphEmulator.Tenants;

namespace TenantAtlas.GraphEmulator.Tests.Endpoints;

public sealed class PolicyReadTests(GraphEmulatorFactory emulator) : IClassFixture<GraphEmulatorFactory>
{
    [Fact]
    public async Task DeviceConfigurations_ComeBackAsDerivedSdkTypes_WithTheirOwnSettings()
    {
        var tenant = await emulator.DefineTenantAsync(new TenantDefinition { DeviceConfigurations = 8 });
        using var client = emulator.CreateGraphClient(tenant);

        var configurations = (await client.DeviceManagement.DeviceConfigurations.GetAsync())!.Value!;

        var windows = Assert.IsType<Windows10GeneralConfiguration>(configurations[0]);
        Assert.NotNull(windows.PasswordRequired);
        Assert.InRange(windows.PasswordMinimumLength!.Value, 6, 14);
        Assert.NotNull(Assert.IsType<IosGeneralDeviceConfiguration>(configurations[1]).PasscodeRequired);
        Assert.NotNull(Assert.IsType<AndroidWorkProfileGeneralDeviceConfiguration>(configurations[2]).WorkProfileRequirePassword);
        Assert.NotNull(Assert.IsType<MacOSGeneralDeviceConfiguration>(configurations[3]).PasswordRequired);
        Assert.IsType<Windows10GeneralConfiguration>(configurations[4]);
        Assert.All(configurations, c =>
        {
            Assert.False(string.IsNullOrEmpty(c.DisplayName));
            Assert.False(string.IsNullOrEmpty(c.Description));
            Assert.True(c.LastModifiedDateTime >= c.CreatedDateTime);
            Assert.True(c.Version >= 1);
        });
    }

    [Fact]
    public async Task CompliancePolicies_ComeBackAsDerivedSdkTypes_WithTheirOwnSettings()
    {
        var tenant = await emulator.DefineTenantAsync(new TenantDefinition { DeviceConfigurations = 0, CompliancePolicies = 4 });
        using var client = emulator.CreateGraphClient(tenant);

        var policies = (await client.DeviceManagement.DeviceCompliancePolicies.GetAsync())!.Value!;

        var windows = Assert.IsType<Windows10CompliancePolicy>(policies[0]);
        Assert.Equal("10.0.19045", windows.OsMinimumVersion);
        Assert.NotNull(windows.BitLockerEnabled);
        Assert.NotNull(Assert.IsType<IosCompliancePolicy>(policies[1]).PasscodeRequired);
        Assert.NotNull(Assert.IsType<AndroidCompliancePolicy>(policies[2]).SecurityBlockJailbrokenDevices);
        Assert.NotNull(Assert.IsType<MacOSCompliancePolicy>(policies[3]).SystemIntegrityProtectionEnabled);
    }

    [Fact]
    public async Task SingleGet_ReturnsTheSamePolicyAsTheList()
    {
        var tenant = await emulator.DefineTenantAsync(new TenantDefinition { DeviceConfigurations = 4, CompliancePolicies = 4 });
        using var client = emulator.CreateGraphClient(tenant);
        var listed = (await client.DeviceManagement.DeviceConfigurations.GetAsync())!.Value![1];

        var configuration = await client.DeviceManagement.DeviceConfigurations[listed.Id].GetAsync();
        var policy = await client.DeviceManagement.DeviceCompliancePolicies[tenant.Summary.CompliancePolicyIds[3]].GetAsync();

        var ios = Assert.IsType<IosGeneralDeviceConfiguration>(configuration);
        Assert.Equal(listed.DisplayName, ios.DisplayName);
        Assert.Equal(listed.LastModifiedDateTime, ios.LastModifiedDateTime);
        Assert.IsType<MacOSCompliancePolicy>(policy);
    }

    [Fact]
    public async Task UnknownPolicy_ThrowsODataError404_ResourceNotFound()
    {
        var tenant = await emulator.DefineTenantAsync(new TenantDefinition { DeviceConfigurations = 1 });
        using var client = emulator.CreateGraphClient(tenant);

        var error = await Assert.ThrowsAsync<ODataError>(() =>
            client.DeviceManagement.DeviceConfigurations[Guid.NewGuid().ToString()].GetAsync());

        Assert.Equal(404, error.ResponseStatusCode);
        Assert.Equal("ResourceNotFound", error.Error?.Code);
        Assert.False(string.IsNullOrEmpty(error.Error?.InnerError?.RequestId));
    }
}
