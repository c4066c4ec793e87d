using System.Net.Http.Headers;

namespace TenantAtlas.AppHost.Demo;

/// <summary>
/// Makes the suite usable the moment it is up: the emulator serves the demo tenant, RunsService gets the demo
/// workspace, the dashboard links the gateway's UI signed in as the demo users and can start a sync, and the console
/// prints tokens and commands to paste.
/// </summary>
public static class DemoExtensions
{
    /// <summary>The emulated Intune tenant of the demo workspace (40 device configurations, 12 compliance policies).</summary>
    public static IResourceBuilder<ProjectResource> WithDemoTenant(this IResourceBuilder<ProjectResource> graphEmulator) => graphEmulator
        .WithEnvironment("Emulator__Tenants__0__TenantId", DemoData.EntraTenantId)
        .WithEnvironment("Emulator__Tenants__0__ClientId", DemoData.GraphClientId)
        .WithEnvironment("Emulator__Tenants__0__ClientSecret", DemoData.GraphClientSecret)
        .WithEnvironment("Emulator__Tenants__0__DeviceConfigurations", "40")
        .WithEnvironment("Emulator__Tenants__0__CompliancePolicies", "12");

    /// <summary>Microsoft Graph for a service: the emulator's v1.0 root and token endpoint, with the demo app registration.</summary>
    public static IResourceBuilder<ProjectResource> WithGraph(this IResourceBuilder<ProjectResource> service,
        IResourceBuilder<ProjectResource> graphEmulator)
    {
        var graph = graphEmulator.GetEndpoint("http");
        return service
            .WithEnvironment("Graph__BaseUrl", ReferenceExpression.Create($"{graph}/v1.0"))
            .WithEnvironment("Graph__AuthorityHost", graph)
            .WithEnvironment("Graph__ClientId", DemoData.GraphClientId)
            .WithEnvironment("Graph__ClientSecret", DemoData.GraphClientSecret)
            .WaitFor(graphEmulator);
    }

    public static void AddDemo(this IDistributedApplicationBuilder builder, DemoData demo, IResourceBuilder<ProjectResource> runs,
        IResourceBuilder<ProjectResource> inventory, IResourceBuilder<ProjectResource> backup, IResourceBuilder<ProjectResource> gateway)
    {
        var gatewayHttp = gateway.GetEndpoint("http");
        var seeded = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

        // Seed once RunsService answers (with replicas the event comes once per instance; seeding is idempotent).
        builder.Eventing.Subscribe<ResourceReadyEvent>(runs.Resource, async (_, ct) =>
        {
            await demo.EnsureAsync(runs.GetEndpoint("grpc").Url, ct);
            seeded.TrySetResult();
        });
        // The demo tenant's backup schedule, once BackupService answers (created once, then found by name).
        builder.Eventing.Subscribe<ResourceReadyEvent>(backup.Resource, async (_, ct) =>
        {
            await seeded.Task.WaitAsync(ct);
            await demo.EnsureScheduleAsync(backup.GetEndpoint("grpc").Url, ct);
        });
        builder.Eventing.Subscribe<ResourceReadyEvent>(gateway.Resource, async (ready, ct) =>
        {
            await seeded.Task.WaitAsync(ct);
            DemoBanner.Print(demo, gatewayHttp.Url, runs.GetEndpoint("grpc").Url, Dashboard.LoginUrl(ready.Services, builder.Configuration));
        });

        gateway.WithUrls(context =>
        {
            var ui = gatewayHttp.Url;
            // The UI takes a token from the URL fragment (never sent to a server) and signs in with it.
            context.Urls.Add(new ResourceUrlAnnotation { Url = $"{ui}/#token={demo.OwnerToken}", DisplayText = "Operations UI as Owner" });
            context.Urls.Add(new ResourceUrlAnnotation { Url = $"{ui}/#token={demo.ReaderToken}", DisplayText = "Operations UI as Readonly" });
            context.Urls.Add(new ResourceUrlAnnotation { Url = $"{ui}/openapi", DisplayText = "REST API (OpenAPI)" });
        });

        backup.WithCommand("run-demo-schedule", "Run the demo backup schedule now", async context =>
        {
            using var http = new HttpClient();
            http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", demo.OwnerToken);
            using var response = await http.PostAsync($"{gatewayHttp.Url}/v1/backup-schedules/{demo.ScheduleId}:runNow",
                new StringContent($$"""{"clickId":"{{Guid.NewGuid()}}"}""", System.Text.Encoding.UTF8, "application/json"), context.CancellationToken);
            return response.IsSuccessStatusCode
                ? CommandResults.Success()
                : CommandResults.Failure($"The gateway answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync(context.CancellationToken)}");
        }, new CommandOptions
        {
            Description = "Backs the demo tenant up now (backup_schedule.run_now) as the demo Owner, through the gateway.",
            IconName = "Save",
            UpdateState = context => context.ResourceSnapshot.HealthStatus == HealthStatus.Healthy && demo.ScheduleId.Length > 0
                ? ResourceCommandState.Enabled
                : ResourceCommandState.Disabled,
        });

        inventory.WithCommand("start-demo-sync", "Start inventory sync (demo tenant)", async context =>
        {
            using var http = new HttpClient();
            http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", demo.OwnerToken);
            using var response = await http.PostAsync($"{gatewayHttp.Url}/v1/tenants/{demo.TenantId}/inventory:sync",
                new StringContent("{}", System.Text.Encoding.UTF8, "application/json"), context.CancellationToken);
            return response.IsSuccessStatusCode
                ? CommandResults.Success()
                : CommandResults.Failure($"The gateway answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync(context.CancellationToken)}");
        }, new CommandOptions
        {
            Description = "Starts an inventory sync of the demo tenant as the demo Owner, through the gateway (see it in Traces).",
            IconName = "ArrowSync",
            UpdateState = context => context.ResourceSnapshot.HealthStatus == HealthStatus.Healthy && seeded.Task.IsCompleted
                ? ResourceCommandState.Enabled
                : ResourceCommandState.Disabled,
        });
    }
}
