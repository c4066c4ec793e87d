using System.Net;
using Microsoft.Graph.Models.ODataErrors;
using Microsoft.Kiota.Abstractions.Authentication;
using TenantAtlas.GraphEmulator.Tenants;

namespace TenantAtlas.GraphEmulator.Tests.Endpoints;

public sealed class TokenEndpointTests(GraphEmulatorFactory emulator) : IClassFixture<GraphEmulatorFactory>
{
    [Fact]
    public async Task WrongClientSecret_FailsTheTokenRequest_WithInvalidClient()
    {
        var tenant = await emulator.DefineTenantAsync(new TenantDefinition());
        using var tokens = emulator.CreateTokenProvider(tenant, clientSecret: "not-the-secret");
        using var client = emulator.CreateGraphClient(tokens);

        var error = await Assert.ThrowsAsync<TokenRequestException>(() => client.DeviceManagement.DeviceConfigurations.GetAsync());

        Assert.Equal(HttpStatusCode.Unauthorized, error.StatusCode);
        Assert.Equal("invalid_client", error.Error);
        Assert.StartsWith("AADSTS7000215: Invalid client secret provided.", error.ErrorDescription, StringComparison.Ordinal);
        Assert.Equal(0, (await emulator.GetRequestCountsAsync(tenant.TenantId)).Total);
    }

    [Fact]
    public async Task UnknownClientId_FailsTheTokenRequest_WithUnauthorizedClient()
    {
        var tenant = await emulator.DefineTenantAsync(new TenantDefinition());
        using var tokens = emulator.CreateTokenProvider(tenant with { ClientId = Guid.NewGuid().ToString() });

        var error = await Assert.ThrowsAsync<TokenRequestException>(() =>
            tokens.GetAuthorizationTokenAsync(new Uri(GraphEmulatorFactory.GraphBaseUrl)));

        Assert.Equal(HttpStatusCode.BadRequest, error.StatusCode);
        Assert.Equal("unauthorized_client", error.Error);
        Assert.StartsWith("AADSTS700016:", error.ErrorDescription, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AccessToken_IsRequestedOnce_AndReusedUntilItExpires()
    {
        var tenant = await emulator.DefineTenantAsync(new TenantDefinition { DeviceConfigurations = 2 });
        using var tokens = emulator.CreateTokenProvider(tenant);
        using var client = emulator.CreateGraphClient(tokens);

        await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => client.DeviceManagement.DeviceConfigurations.GetAsync()));
        await client.DeviceManagement.DeviceCompliancePolicies.GetAsync();

        Assert.Equal(1, tokens.TokensRequested);
        Assert.Equal(5, (await emulator.GetRequestCountsAsync(tenant.TenantId)).Count(200));
    }

    [Fact]
    public async Task BearerToken_SelectsItsTenantsDataSet()
    {
        var small = await emulator.DefineTenantAsync(new TenantDefinition { DeviceConfigurations = 3, Seed = 7 });
        var large = await emulator.DefineTenantAsync(new TenantDefinition { DeviceConfigurations = 12, Seed = 8 });
        using var smallClient = emulator.CreateGraphClient(small);
        using var largeClient = emulator.CreateGraphClient(large);

        var smallIds = (await smallClient.DeviceManagement.DeviceConfigurations.GetAsync())!.Value!.Select(c => c.Id);
        var largeIds = (await largeClient.DeviceManagement.DeviceConfigurations.GetAsync())!.Value!.Select(c => c.Id);

        Assert.Equal(small.Summary.DeviceConfigurationIds, smallIds);
        Assert.Equal(large.Summary.DeviceConfigurationIds, largeIds);
    }

    [Fact]
    public async Task UnknownBearerToken_ThrowsODataError401_InvalidAuthenticationToken()
    {
        using var client = emulator.CreateGraphClient(new FixedTokenProvider("not-an-emulator-token"));

        var error = await Assert.ThrowsAsync<ODataError>(() => client.DeviceManagement.DeviceConfigurations.GetAsync());

        Assert.Equal(401, error.ResponseStatusCode);
        Assert.Equal("InvalidAuthenticationToken", error.Error?.Code);
    }

    private sealed class FixedTokenProvider(string token) : IAccessTokenProvider
    {
        public AllowedHostsValidator AllowedHostsValidator { get; } = new();

        public Task<string> GetAuthorizationTokenAsync(
            Uri uri, Dictionary<string, object>? additionalAuthenticationContext = null,
            CancellationToken cancellationToken = default) => Task.FromResult(token);
    }
}
