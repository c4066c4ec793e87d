using System.Diagnostics.Metrics;
using Grpc.Core;
using Microsoft.Extensions.DependencyInjection;
using TenantAtlas.Access.V1;
using TenantAtlas.TokenIssuing;
using static TenantAtlas.RunsService.Tests.RunsServiceFixture;

namespace TenantAtlas.RunsService.Tests.Access;

/// <summary>
/// The validated-token cache in the real authentication pipeline: hits and misses are read from its counter, scoped to
/// this fixture's service (other test classes host their own services in the same process).
/// </summary>
public sealed class ValidatedTokenCacheTests(RunsServiceFixture service) : IClassFixture<RunsServiceFixture>
{
    [Fact]
    public async Task SameToken_IsValidatedOnce_ThenServedFromTheCache()
    {
        var token = UserToken("cache-repeat");
        using var lookups = new CacheLookups(service.Services);

        await ListAsync(token);
        await ListAsync(token);

        Assert.Equal((Hits: 1, Misses: 1), lookups.Counts);
    }

    [Fact]
    public async Task CachedToken_IsNotServedFromTheCache_OnceExpired()
    {
        var token = DevTokens.Issue(TokenOptions, "cache-expiring", lifetime: TimeSpan.FromSeconds(2));
        using var lookups = new CacheLookups(service.Services);
        await ListAsync(token);
        await ListAsync(token);
        Assert.Equal((Hits: 1, Misses: 1), lookups.Counts);

        await Task.Delay(TimeSpan.FromSeconds(2.5));
        // Full validation still accepts it within the 30 s clock skew; the cache itself must not serve it past exp.
        await ListAsync(token);

        Assert.Equal((Hits: 1, Misses: 2), lookups.Counts);
    }

    [Fact]
    public async Task TokenOfAnotherKey_IsRefusedEveryTime_AndNeverCached()
    {
        var forged = DevTokens.Issue(
            new ServiceDefaults.TokenOptions("another-key-that-is-long-enough-0123456789", null, "tenantatlas-dev", "tenantatlas"),
            "cache-forger");
        using var lookups = new CacheLookups(service.Services);

        await RpcAssert.FailsWith(StatusCode.Unauthenticated, () => ListAsync(forged));
        await RpcAssert.FailsWith(StatusCode.Unauthenticated, () => ListAsync(forged));

        Assert.Equal((Hits: 0, Misses: 2), lookups.Counts);
    }

    [Fact]
    public async Task CachedToken_WithOneCharacterChanged_IsRefused()
    {
        var token = UserToken("cache-tamper");
        await ListAsync(token);
        await ListAsync(token);
        var signature = token.LastIndexOf('.') + 1;
        var tampered = string.Concat(token.AsSpan(0, signature), token[signature] == 'A' ? "B" : "A", token.AsSpan(signature + 1));
        using var lookups = new CacheLookups(service.Services);

        await RpcAssert.FailsWith(StatusCode.Unauthenticated, () => ListAsync(tampered));

        Assert.Equal((Hits: 0, Misses: 1), lookups.Counts);
    }

    private Task<ListMyWorkspacesResponse> ListAsync(string token) => service.Access(token).ListMyWorkspacesAsync(new ListMyWorkspacesRequest()).ResponseAsync;
}

/// <summary>With <c>Auth:ValidatedTokenCacheSize</c> 0 every call validates the token in full.</summary>
public sealed class ValidatedTokenCacheOffTests(ValidatedTokenCacheOffTests.Fixture service) : IClassFixture<ValidatedTokenCacheOffTests.Fixture>
{
    public sealed class Fixture : RunsServiceFixture
    {
        public Fixture() => Settings["Auth:ValidatedTokenCacheSize"] = "0";
    }

    [Fact]
    public async Task SizeZero_CachesNothing()
    {
        var token = UserToken("cache-off");
        using var lookups = new CacheLookups(service.Services);

        await service.Access(token).ListMyWorkspacesAsync(new ListMyWorkspacesRequest());
        await service.Access(token).ListMyWorkspacesAsync(new ListMyWorkspacesRequest());

        Assert.Equal((Hits: 0, Misses: 0), lookups.Counts);
        var options = service.Services.GetRequiredService<Microsoft.Extensions.Options.IOptionsMonitor<Microsoft.AspNetCore.Authentication.JwtBearer.JwtBearerOptions>>()
            .Get(Microsoft.AspNetCore.Authentication.JwtBearer.JwtBearerDefaults.AuthenticationScheme);
        Assert.DoesNotContain(options.TokenHandlers, h => h is ServiceDefaults.ValidatedTokenCache);
    }
}

/// <summary>Counts the cache's hit and miss measurements of one service (its IMeterFactory scopes the meter).</summary>
internal sealed class CacheLookups : IDisposable
{
    private readonly MeterListener listener = new();
    private int hits;
    private int misses;

    public CacheLookups(IServiceProvider services)
    {
        var meters = services.GetRequiredService<IMeterFactory>();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Scope == meters && instrument.Name == ServiceDefaults.ValidatedTokenCache.LookupsCounter)
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<long>((_, value, tags, _) =>
        {
            foreach (var tag in tags)
            {
                if (tag.Key == "result")
                {
                    if (Equals(tag.Value, "hit")) { Interlocked.Add(ref hits, (int)value); }
                    else { Interlocked.Add(ref misses, (int)value); }
                }
            }
        });
        listener.Start();
    }

    public (int Hits, int Misses) Counts => (Volatile.Read(ref hits), Volatile.Read(ref misses));

    public void Dispose() => listener.Dispose();
}
