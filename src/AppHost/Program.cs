using TenantAtlas.AppHost;
using TenantAtlas.AppHost.Demo;
using TenantAtlas.AppHost.Resources;
using TenantAtlas.ServiceDefaults;

// The suite as an Aspire resource graph. `bash scripts/run.sh` (or `dotnet run --project src/AppHost`) runs it; the
// Aspire dashboard shows every resource, its logs, traces and metrics.
var builder = DistributedApplication.CreateBuilder(AppHostOptions.Normalize(args));
var options = AppHostOptions.From(builder);

// The development signing key: a secret parameter whose value is kept in the data directory (a test may pass its own).
var devSigningKey = builder.Configuration["Parameters:signing-key"] ?? options.SigningKey();
builder.Configuration["Parameters:signing-key"] = devSigningKey;
var signingKey = builder.AddParameter("signing-key", secret: true);

var postgres = builder.AddLocalPostgres("postgres", Path.Combine(options.DataDirectory, "postgres"));
var runsDb = postgres.AddDatabase("runsdb");
var inventoryDb = postgres.AddDatabase("inventorydb");
var backupDb = postgres.AddDatabase("backupdb");
var restoreDb = postgres.AddDatabase("restoredb");
var redis = builder.AddLocalRedis("redis", Path.Combine(options.DataDirectory, "redis"));

var graph = builder.AddProject<Projects.GraphEmulator>("graph-emulator")
    .WithHttpEndpoint(name: "http")
    .WithHttpHealthCheck("/health")
    .WithDemoTenant();

var runs = builder.AddProject<Projects.RunsService>("runs")
    .WithSuiteDefaults(signingKey)
    .WithReference(runsDb).WaitFor(runsDb)
    .WithReference(redis).WaitFor(redis)
    .WithEnvironment("Auth__PlatformAdmins__0", DemoData.PlatformAdmin)
    .WithReplicas(options.Replicas);

var inventory = builder.AddProject<Projects.InventoryService>("inventory")
    .WithSuiteDefaults(signingKey)
    .WithReference(inventoryDb).WaitFor(inventoryDb)
    .WithReference(redis).WaitFor(redis)
    .WithReference(runs).WaitFor(runs)
    .WithGraph(graph)
    .WithReplicas(options.Replicas);

var backup = builder.AddProject<Projects.BackupService>("backup")
    .WithSuiteDefaults(signingKey)
    .WithReference(backupDb).WaitFor(backupDb)
    .WithReference(redis).WaitFor(redis)
    .WithReference(runs).WaitFor(runs)
    .WithGraph(graph);

// Restores read backup sets from BackupService and the target's groups from InventoryService's cache.
var restore = builder.AddProject<Projects.RestoreService>("restore")
    .WithSuiteDefaults(signingKey)
    .WithReference(restoreDb).WaitFor(restoreDb)
    .WithReference(redis).WaitFor(redis)
    .WithReference(runs).WaitFor(runs)
    .WithReference(backup).WaitFor(backup)
    .WithReference(inventory).WaitFor(inventory)
    .WithGraph(graph);

var gateway = builder.AddProject<Projects.Gateway>("gateway")
    .WithSuiteDefaults(signingKey)
    .WithReference(runs).WaitFor(runs)
    .WithReference(inventory).WaitFor(inventory)
    .WithReference(backup).WaitFor(backup)
    .WithReference(restore).WaitFor(restore)
    .WithEnvironment(context => context.EnvironmentVariables["Gateway__TraceViewerUrl"] = Dashboard.Url(context.ExecutionContext.Services) ?? string.Empty);

var demo = new DemoData(TokenOptions.ForSigningKey(devSigningKey));
builder.AddDemo(demo, runs, inventory, backup, gateway);

builder.Build().Run();
