extern alias backup;

using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Graph;
using Npgsql;
using TenantAtlas.Bench.Report;
using TenantAtlas.TenantGraph;
using TenantAtlas.Testing;
using PolicyCapture = backup::TenantAtlas.BackupService.Capture.PolicyCapture;
using CaptureWriter = backup::TenantAtlas.BackupService.Capture.CaptureWriter;

namespace TenantAtlas.Bench.Scenarios;

/// <summary>
/// Scenario 7 (issue 13): BackupService's capture of a tenant's device configurations with their assignments against the
/// Graph emulator (its own process, real HTTP), through the real GraphServiceClient: Graph requests used and policies
/// per second, next to the loop a script would write in the same run — list, then GET each policy and its assignments
/// one after the other — once at the emulator's own speed and once with 50 ms added to every request.
/// </summary>
public static class CaptureScenario
{
    private const string ClientId = "bench-app";
    private const string ClientSecret = "bench-app-secret";

    public static async Task RunAsync(BenchOptions options, BenchReport report)
    {
        var port = ServiceProcess.FreePort();
        var root = $"http://127.0.0.1:{port}";
        Console.WriteLine("Starting the Graph emulator...");
        await using var emulator = await ServiceProcess.StartAsync(ServiceProcess.ServiceAssembly("GraphEmulator"),
            new Dictionary<string, string> { ["ASPNETCORE_URLS"] = root, ["Logging__LogLevel__Default"] = "Warning" },
            new Uri($"{root}/health"), TimeSpan.FromSeconds(60));
        using var admin = new HttpClient { BaseAddress = new Uri(root) };
        var tenantId = Guid.NewGuid().ToString();
        (await admin.PutAsJsonAsync($"/emulator/tenants/{tenantId}", new
        {
            clientId = ClientId, clientSecret = ClientSecret, deviceConfigurations = options.CapturePolicies, compliancePolicies = 0,
            assignmentsPerPolicy = 3, pageSize = 100, seed = 13,
        })).EnsureSuccessStatusCode();

        await using var services = Services(root);
        var capture = services.GetRequiredService<PolicyCapture>();
        var client = services.GetRequiredService<TenantGraphClients>().For(tenantId);

        // Warm-up (JIT, connections, the tenant's token), unmeasured.
        await capture.ReadFamilyAsync(client, Guid.NewGuid(), PolicyFamilies.DeviceConfigurations, _ => true, CancellationToken.None);
        await SerialLoopAsync(client);

        foreach (var latencyMs in new[] { 0, 50 })
        {
            (await admin.PutAsJsonAsync($"/emulator/tenants/{tenantId}/faults", new { latencyMs })).EnsureSuccessStatusCode();
            var label = latencyMs == 0 ? "emulator speed" : "+50 ms per request";

            var before = await RequestsAsync(admin, tenantId);
            var watch = Stopwatch.StartNew();
            var (_, policies) = await capture.ReadFamilyAsync(client, Guid.NewGuid(), PolicyFamilies.DeviceConfigurations, _ => true, CancellationToken.None);
            var ours = watch.Elapsed;
            var ourRequests = await RequestsAsync(admin, tenantId) - before;
            if (policies.Count != options.CapturePolicies || policies.Any(p => !p.Captured || p.AssignmentCount != 3))
            {
                throw new InvalidOperationException($"The capture read {policies.Count(p => p.Captured)} of {options.CapturePolicies} policies with their assignments.");
            }

            before = await RequestsAsync(admin, tenantId);
            watch.Restart();
            var serial = await SerialLoopAsync(client);
            var theirs = watch.Elapsed;
            var theirRequests = await RequestsAsync(admin, tenantId) - before;
            if (serial != options.CapturePolicies)
            {
                throw new InvalidOperationException($"The serial loop read {serial} of {options.CapturePolicies} policies.");
            }

            var scenario = $"7. Backup capture, {options.CapturePolicies:N0} policies, {label}";
            report.Add(new BenchRow(scenario, "Graph HTTP requests", new Figure(ourRequests.Http, "requests"),
                "serial GET-per-policy loop", new Figure(theirRequests.Http, "requests"), (double)ourRequests.Http / theirRequests.Http, "≤ 100 requests",
                ourRequests.Http <= 100));
            report.Add(new BenchRow(scenario, "requests against the tenant's budget ($batch sub-requests count each)", new Figure(ourRequests.Budget, "requests"),
                "serial GET-per-policy loop", new Figure(theirRequests.Budget, "requests"), (double)ourRequests.Budget / theirRequests.Budget, "—", null));
            var ourRate = options.CapturePolicies / ours.TotalSeconds;
            var theirRate = options.CapturePolicies / theirs.TotalSeconds;
            report.Add(new BenchRow(scenario, "policies/s", new Figure(ourRate, "policies/s"),
                "serial GET-per-policy loop", new Figure(theirRate, "policies/s"), ourRate / theirRate, "≥ 10× the loop", ourRate / theirRate >= 10));
        }
        report.AddFact("A re-capture of an unchanged tenant stores 0 new content rows: asserted by BackupCaptureTests.Recapture_OfAnUnchangedTenant_StoresNoNewContent_AndItemsKeepTheirHashes (the benchmark stores nothing).");
    }

    /// <summary>The way a script does it: list every page, then for each policy GET it and GET its assignments, one at a time.</summary>
    private static async Task<int> SerialLoopAsync(GraphServiceClient client)
    {
        var ids = new List<string>();
        Uri? next = GraphJson.Url(client, "/deviceManagement/deviceConfigurations");
        while (next is not null)
        {
            var page = await GraphJson.GetAsync(client, next, CancellationToken.None);
            ids.AddRange(page!["value"]!.AsArray().Select(p => p!["id"]!.GetValue<string>()));
            next = page["@odata.nextLink"]?.GetValue<string>() is { } link ? new Uri(link) : null;
        }
        foreach (var id in ids)
        {
            await GraphJson.GetAsync(client, GraphJson.Url(client, $"/deviceManagement/deviceConfigurations/{id}"), CancellationToken.None);
            await GraphJson.GetAsync(client, GraphJson.Url(client, $"/deviceManagement/deviceConfigurations/{id}/assignments"), CancellationToken.None);
        }
        return ids.Count;
    }

    /// <summary>Requests served so far: HTTP requests, and all requests as Intune's budget counts them (sub-requests each).</summary>
    private static async Task<Requests> RequestsAsync(HttpClient admin, string tenantId)
    {
        var log = await admin.GetFromJsonAsync<JsonElement>($"/emulator/tenants/{tenantId}/requests");
        var total = log.GetProperty("total").GetInt32();
        return new Requests(total - log.GetProperty("batchSubRequests").GetInt32(), total);
    }

    private readonly record struct Requests(int Http, int Budget)
    {
        public static Requests operator -(Requests a, Requests b) => new(a.Http - b.Http, a.Budget - b.Budget);
    }

    /// <summary>What BackupService registers for a capture, pointed at the emulator (the writer is never used: nothing is stored).</summary>
    private static ServiceProvider Services(string root)
    {
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddSingleton(TimeProvider.System);
        services.AddSingleton(Options.Create(new GraphOptions
        {
            BaseUrl = root + "/v1.0", AuthorityHost = root, ClientId = ClientId, ClientSecret = ClientSecret,
        }));
        services.AddHttpClient(TenantGraphClients.HttpClientName);
        services.AddSingleton<TenantGraphClients>();
        services.AddSingleton<PolicyReader>();
        services.AddSingleton(NpgsqlDataSource.Create("Host=unused"));
        services.AddSingleton<CaptureWriter>();
        services.AddSingleton<PolicyCapture>();
        return services.BuildServiceProvider();
    }
}
