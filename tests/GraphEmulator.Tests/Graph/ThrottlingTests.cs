using System.Diagnostics;
using Microsoft.Kiota.Http.HttpClientLibrary.Middleware.Options;
using TenantAtlas.GraphEmulator.Tenants;

namespace TenantAtlas.GraphEmulator.Tests.Graph;

public sealed class ThrottlingTests(GraphEmulatorFactory emulator) : IClassFixture<GraphEmulatorFactory>
{
    [Fact]
    public async Task ThrottleStorm_WithRetryAfter_IsRetriedBySdk_AndSucceeds()
    {
        var tenant = await emulator.DefineTenantAsync(new TenantDefinition { DeviceConfigurations = 5 });
        using var client = emulator.CreateGraphClient(tenant);
        await emulator.SetFaultsAsync(tenant.TenantId, new FaultSettings(new ThrottleFault(3, RetryAfterSeconds: 1)));

        var stopwatch = Stopwatch.StartNew();
        var page = await client.DeviceManagement.DeviceConfigurations.GetAsync();
        stopwatch.Stop();

        Assert.Equal(5, page!.Value!.Count);
        Assert.True(stopwatch.Elapsed >= TimeSpan.FromSeconds(2.9), $"3 x Retry-After: 1 should take ~3 s, took {stopwatch.Elapsed}");
        var requests = await emulator.GetRequestCountsAsync(tenant.TenantId);
        Assert.Equal(3, requests.Count(429));
        Assert.Equal(1, requests.Count(200));
    }

    [Fact]
    public async Task Throttling_WithoutRetryAfter_SdkBacksOffExponentially_AndSucceeds()
    {
        var tenant = await emulator.DefineTenantAsync(new TenantDefinition { CompliancePolicies = 4 });
        using var client = emulator.CreateGraphClient(tenant, new RetryHandlerOption { Delay = 1, MaxRetry = 5 });
        await emulator.SetFaultsAsync(tenant.TenantId, new FaultSettings(new ThrottleFault(2, RetryAfterSeconds: null)));

        var stopwatch = Stopwatch.StartNew();
        var page = await client.DeviceManagement.DeviceCompliancePolicies.GetAsync();
        stopwatch.Stop();

        Assert.Equal(4, page!.Value!.Count);
        // Kiota's back-off without Retry-After is Delay * 2^attempt: 1 s, then 2 s.
        Assert.True(stopwatch.Elapsed >= TimeSpan.FromSeconds(2.9), $"1 s + 2 s of back-off expected, took {stopwatch.Elapsed}");
        var requests = await emulator.GetRequestCountsAsync(tenant.TenantId);
        Assert.Equal(2, requests.Count(429));
        Assert.Equal(1, requests.Count(200));
    }

    [Fact]
    public async Task ThrottleStorm_LongerThanMaxRetry_SurfacesAsAggregateException()
    {
        var tenant = await emulator.DefineTenantAsync(new TenantDefinition { DeviceConfigurations = 1 });
        using var client = emulator.CreateGraphClient(tenant, new RetryHandlerOption { Delay = 1, MaxRetry = 2 });
        await emulator.SetFaultsAsync(tenant.TenantId, new FaultSettings(new ThrottleFault(10, RetryAfterSeconds: 0)));

        var error = await Assert.ThrowsAsync<AggregateException>(() => client.DeviceManagement.DeviceConfigurations.GetAsync());

        Assert.StartsWith("Too many retries performed.", error.Message, StringComparison.Ordinal);
        Assert.Equal(3, (await emulator.GetRequestCountsAsync(tenant.TenantId)).Count(429));
    }
}
