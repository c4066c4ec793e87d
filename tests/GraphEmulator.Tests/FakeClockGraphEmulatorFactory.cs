using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace TenantAtlas.GraphEmulator.Tests;

/// <summary>
/// The emulator on a clock the test moves (<see cref="Clock"/>) instead of the system's: every tenant's dates, budgets,
/// token lifetimes and the list lag read it. The clock starts at the real time, so tokens and dates look as usual.
/// </summary>
public sealed class FakeClockGraphEmulatorFactory : GraphEmulatorFactory
{
    public FakeTimeProvider Clock { get; } = new(DateTimeOffset.UtcNow);

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        // After the app's own registrations, so this TimeProvider is the one the emulator resolves.
        builder.ConfigureTestServices(services => services.AddSingleton<TimeProvider>(Clock));
    }
}
