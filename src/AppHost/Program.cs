using TenantAtlas.AppHost;
using TenantAtlas.AppHost.Hosting;
using TenantAtlas.AppHost.Seeding;
using TenantAtlas.AppHost.Telemetry;
using TenantAtlas.ServiceDefaults;

// The suite as a resource graph, the way an Aspire AppHost declares it.
var options = AppHostOptions.Parse(args);
if (options.Reset && Directory.Exists(options.DataDirectory))
{
    Directory.Delete(options.DataDirectory, recursive: true);
}
var signingKey = options.SigningKey();
var suite = new Suite(new SuiteContext(options.RepositoryRoot, options.DataDirectory, options.Configuration, options.EchoLogs,
    RunningAsRoot: Environment.UserName == "root"));

var telemetry = suite.Add(new DevTelemetryResource("traces", Ports.Free(), Ports.Free()));
var otlpEndpoint = Environment.GetEnvironmentVariable("OTEL_EXPORTER_OTLP_ENDPOINT") ?? telemetry.OtlpEndpoint;

var postgres = suite.Add(new PostgresResource("postgres", Ports.Free()));
var runsDb = suite.Add(postgres.AddDatabase("runsdb"));
var inventoryDb = suite.Add(postgres.AddDatabase("inventorydb"));
var redis = suite.Add(new RedisResource("redis", Ports.Free()));

var graph = suite.Add(new ProjectResource("graph-emulator", "GraphEmulator", ConsoleColor.DarkYellow)
    .WithHttpEndpoint()
    .WithEnvironment("Emulator__Tenants__0__TenantId", DemoData.EntraTenantId)
    .WithEnvironment("Emulator__Tenants__0__ClientId", DemoData.GraphClientId)
    .WithEnvironment("Emulator__Tenants__0__ClientSecret", DemoData.GraphClientSecret)
    .WithEnvironment("Emulator__Tenants__0__DeviceConfigurations", "40")
    .WithEnvironment("Emulator__Tenants__0__CompliancePolicies", "12"));

var runs = suite.Add(new ProjectResource("runs", "RunsService", ConsoleColor.Cyan)
    .WithGrpcEndpoint()
    .WithHttpEndpoint()
    .WithReference(runsDb)
    .WithReference(redis)
    .WithEnvironment("Auth__SigningKey", signingKey)
    .WithEnvironment("Auth__PlatformAdmins__0", DemoData.PlatformAdmin)
    .WithEnvironment("OTEL_EXPORTER_OTLP_ENDPOINT", otlpEndpoint));

var inventory = suite.Add(new ProjectResource("inventory", "InventoryService", ConsoleColor.Green)
    .WithGrpcEndpoint()
    .WithHttpEndpoint()
    .WithReference(inventoryDb)
    .WithReference(redis)
    .WithReference(runs)
    .WithEnvironment("Auth__SigningKey", signingKey)
    .WithEnvironment("Graph__BaseUrl", () => graph.Url("http") + "/v1.0")
    .WithEnvironment("Graph__AuthorityHost", () => graph.Url("http"))
    .WithEnvironment("Graph__ClientId", DemoData.GraphClientId)
    .WithEnvironment("Graph__ClientSecret", DemoData.GraphClientSecret)
    .WithEnvironment("OTEL_EXPORTER_OTLP_ENDPOINT", otlpEndpoint));
inventory.AddWaitFor(graph);

var gateway = suite.Add(new ProjectResource("gateway", "Gateway", ConsoleColor.Magenta)
    .WithHttpEndpoint()
    .WithReference(runs)
    .WithReference(inventory)
    .WithEnvironment("Auth__SigningKey", signingKey)
    .WithEnvironment("Gateway__TraceViewerUrl", telemetry.BaseUrl)
    .WithEnvironment("OTEL_EXPORTER_OTLP_ENDPOINT", otlpEndpoint));

var demo = new DemoData(new TokenOptions(signingKey, null, TokenOptions.DefaultIssuer, TokenOptions.DefaultAudience));
suite.OnReady(ct => demo.EnsureAsync(runs.Url("grpc"), ct));

return await suite.RunAsync(s => ReadyBanner.Print(s, demo, gateway, runs, graph, telemetry.TracesUrl, telemetry.ApiUrl));
