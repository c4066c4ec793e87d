using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json;
using Grpc.Net.Client;
using TenantAtlas.Access.V1;
using TenantAtlas.Backup.V1;
using TenantAtlas.Bench.Report;
using TenantAtlas.Inventory.V1;
using TenantAtlas.Restore.V1;
using TenantAtlas.Runs.V1;
using TenantAtlas.Testing;
using TenantAtlas.ServiceDefaults;
using TenantAtlas.TokenIssuing;

namespace TenantAtlas.Bench.Scenarios;

/// <summary>
/// Scenario 8 (issue 14): a restore of a tenant's policies with their assignments into an empty tenant of the same
/// workspace whose Graph enforces Intune's write budget (100 writes / 20 s per tenant). The whole suite runs as its own
/// processes (the emulator, RunsService, BackupService, InventoryService, RestoreService) on real PostgreSQL and Redis.
/// Judged against the budget's floor measured in the same run: the writes the restore made ÷ 100 per 20 s.
/// </summary>
public static class RestoreScenario
{
    private const string Scenario = "8. Restore into an empty tenant, write budget enforced";
    internal const string SigningKey = "bench-restore-signing-key-0123456789abcdef";
    private const string PlatformAdmin = "bench-platform-admin";
    private const string Owner = "bench-restore-owner";
    internal const string ClientId = "bench-app";
    internal const string ClientSecret = "bench-app-secret";
    internal const int BudgetWrites = 100;
    internal const int BudgetWindowSeconds = 20;

    public static async Task RunAsync(BenchOptions options, BenchReport report)
    {
        Console.WriteLine(Scenario);
        var policies = options.RestorePolicies;
        var postgres = await PostgresServer.StartDurableAsync();
        await using var redis = await RedisServer.StartAsync();
        await using var suite = await Suite.StartAsync(postgres, redis);

        var owner = DevTokens.Issue(TokenOptions.ForSigningKey(SigningKey), Owner, Owner);
        var admin = DevTokens.Issue(TokenOptions.ForSigningKey(SigningKey), PlatformAdmin, PlatformAdmin);
        var workspace = (await new AccessService.AccessServiceClient(suite.Channel("runs", admin)).CreateWorkspaceAsync(new CreateWorkspaceRequest
        {
            Name = "Bench restore", OwnerSubject = Owner, OwnerDisplayName = Owner,
        })).Workspace.WorkspaceId;
        var access = new AccessService.AccessServiceClient(suite.Channel("runs", owner));

        // Source: the policies (a fifth compliance), 2 assignments each to 10 groups, compliance actions with CC lists.
        var source = await RegisterAsync(access, workspace, suite.Emulator, "Bench source", new
        {
            clientId = ClientId, clientSecret = ClientSecret, deviceConfigurations = policies - policies / 5, compliancePolicies = policies / 5,
            assignmentsPerPolicy = 2, groups = 10, pageSize = 100, seed = 21, writeBudget = 0,
        });
        var inventory = new InventoryService.InventoryServiceClient(suite.Channel("inventory", owner));
        await CompleteAsync(suite, (await inventory.StartDirectoryGroupsSyncAsync(new StartDirectoryGroupsSyncRequest { TenantId = source.TenantId })).Run.RunId);
        var names = (await inventory.SearchDirectoryGroupsAsync(new SearchDirectoryGroupsRequest { TenantId = source.TenantId, PageSize = 200 }))
            .Groups.Select(g => g.DisplayName).Distinct().ToList();

        // Target: no policies; groups of the same names with other ids; Intune's write budget.
        var target = await RegisterAsync(access, workspace, suite.Emulator, "Bench target", new
        {
            clientId = ClientId, clientSecret = ClientSecret, deviceConfigurations = 0, compliancePolicies = 0, assignmentsPerPolicy = 0,
            groups = 1, notificationMessageTemplates = 0, seed = 22, writeBudget = BudgetWrites, writeBudgetWindowSeconds = BudgetWindowSeconds,
        });
        foreach (var id in target.Definition.GetProperty("groupIds").EnumerateArray())
        {
            (await suite.Emulator.DeleteAsync($"/emulator/tenants/{target.EntraTenantId}/groups/{id.GetString()}")).EnsureSuccessStatusCode();
        }
        foreach (var name in names)
        {
            (await suite.Emulator.PostAsJsonAsync($"/emulator/tenants/{target.EntraTenantId}/groups", new { displayName = name })).EnsureSuccessStatusCode();
        }
        await CompleteAsync(suite, (await inventory.StartDirectoryGroupsSyncAsync(new StartDirectoryGroupsSyncRequest { TenantId = target.TenantId })).Run.RunId);

        var backup = new Backup.V1.BackupService.BackupServiceClient(suite.Channel("backup", owner));
        var set = (await backup.CreateBackupSetAsync(new CreateBackupSetRequest { TenantId = source.TenantId, DisplayName = "Bench source" })).BackupSet;
        await CompleteAsync(suite, (await backup.AddPoliciesAsync(new AddPoliciesRequest
        {
            BackupSetId = set.BackupSetId, Selection = new PolicySelection { Families = { PolicyFamily.DeviceConfigurations, PolicyFamily.CompliancePolicies } },
        })).Run.RunId);

        var restores = new Restore.V1.RestoreService.RestoreServiceClient(suite.Channel("restore", owner));
        var restore = (await restores.CreateRestoreAsync(new CreateRestoreRequest
        {
            TargetTenantId = target.TenantId, BackupSetId = set.BackupSetId, Options = new RestoreOptions { AllowBroadTargets = true },
        })).Restore;
        var watch = Stopwatch.StartNew();
        var preview = await restores.PreviewRestoreAsync(new PreviewRestoreRequest { RestoreId = restore.RestoreId });
        await CompleteAsync(suite, preview.Run.RunId);
        var previewTime = watch.Elapsed;
        var previewed = (await restores.GetRestoreAsync(new GetRestoreRequest { RestoreId = restore.RestoreId })).Restore;
        if (previewed.Status != RestoreStatus.Previewed || previewed.Counts.Create != policies)
        {
            throw new InvalidOperationException($"The preview ended {previewed.Status} with {previewed.Counts.Create} creates of {policies}: {previewed.FailureMessage}");
        }

        var before = await WritesAsync(suite.Emulator, target.EntraTenantId);
        watch.Restart();
        await restores.ExecuteRestoreAsync(new ExecuteRestoreRequest { RestoreId = restore.RestoreId, PlanHash = previewed.PlanHash });
        var run = await CompleteAsync(suite, previewed.ExecuteRunId);
        var elapsed = watch.Elapsed;
        var after = await WritesAsync(suite.Emulator, target.EntraTenantId);

        var writes = after.Stored - before.Stored;
        var floor = BudgetFloor(writes, BudgetWrites, BudgetWindowSeconds);
        // Within the first window the budget costs nothing: no floor to be judged against (quick runs).
        double? ratio = floor > TimeSpan.Zero ? floor / elapsed : null;
        // The target was empty: every stored create past one per source policy is a duplicate.
        var duplicates = after.Creates - before.Creates - policies;
        var unhandled429 = run.Failures.Count(f => f.Message.Contains("429", StringComparison.Ordinal));
        if (run.Outcome != RunOutcome.Succeeded || run.Counts.Succeeded != policies)
        {
            throw new InvalidOperationException($"The restore ended {run.Outcome} with {run.Counts.Succeeded} of {policies} restored.");
        }
        report.Add(new BenchRow(Scenario, $"elapsed for {policies} policies ({writes} writes), speed vs the budget's floor",
            new Figure(elapsed.TotalSeconds, "s"), $"floor: ({Windows(writes, BudgetWrites)} windows of {BudgetWrites} writes − the first, free) × {BudgetWindowSeconds} s",
            new Figure(floor.TotalSeconds, "s"), ratio, "≥ 0.8× the floor's speed", ratio is null ? null : ratio >= 0.8));
        report.Add(new BenchRow(Scenario, "duplicate policies in the target", new Figure(duplicates, "policies"), null, null, null, "0", duplicates == 0));
        report.Add(new BenchRow(Scenario, "items failed by a 429", new Figure(unhandled429, "items"), null, null, null, "0", unhandled429 == 0));
        await CorpusRoundTrip.RunAsync(options, report, suite, access, workspace, owner);
        report.AddFact($"Scenario 8: {after.Throttled - before.Throttled} writes were answered 429 and sent again after Retry-After; " +
            $"the preview took {previewTime.TotalSeconds:0.0} s (read-only: {policies} items read from BackupService, the target listed from Graph).");
    }

    /// <summary>
    /// The least time a budget of <paramref name="budget"/> per <paramref name="windowSeconds"/> allows for
    /// <paramref name="count"/> requests: the first window's are free (sent at once), each further window costs a window.
    /// </summary>
    internal static TimeSpan BudgetFloor(int count, int budget, int windowSeconds) =>
        TimeSpan.FromSeconds(Math.Max(0, Windows(count, budget) - 1) * windowSeconds);

    internal static int Windows(int count, int budget) => (count + budget - 1) / budget;

    internal sealed record Registered(string TenantId, string EntraTenantId, JsonElement Definition);

    internal static async Task<Registered> RegisterAsync(AccessService.AccessServiceClient access, string workspaceId, HttpClient emulator, string name, object definition)
    {
        var entraTenantId = Guid.NewGuid().ToString();
        var response = await emulator.PutAsJsonAsync($"/emulator/tenants/{entraTenantId}", definition);
        response.EnsureSuccessStatusCode();
        var tenant = (await access.RegisterTenantAsync(new RegisterTenantRequest { WorkspaceId = workspaceId, EntraTenantId = entraTenantId, DisplayName = name })).Tenant;
        return new Registered(tenant.TenantId, entraTenantId, await response.Content.ReadFromJsonAsync<JsonElement>());
    }

    internal static async Task<Run> CompleteAsync(Suite suite, string runId)
    {
        var runs = new RunsService.RunsServiceClient(suite.Channel("runs", DevTokens.Issue(TokenOptions.ForSigningKey(SigningKey), "svc:bench", "svc:bench", service: true)));
        var deadline = DateTime.UtcNow + TimeSpan.FromMinutes(15);
        while (true)
        {
            var run = (await runs.GetRunAsync(new GetRunRequest { RunId = runId })).Run;
            if (run.Status == RunStatus.Completed)
            {
                return run;
            }
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"Run {runId} ({run.Type}) did not complete: {run}");
            }
            await Task.Delay(200);
        }
    }

    private sealed record TargetWrites(int Stored, int Throttled, int Creates);

    private static async Task<TargetWrites> WritesAsync(HttpClient emulator, string entraTenantId)
    {
        var log = await emulator.GetFromJsonAsync<JsonElement>($"/emulator/tenants/{entraTenantId}/requests");
        var throttled = log.GetProperty("byStatus").TryGetProperty("429", out var count) ? count.GetInt32() : 0;
        // Policy creates only: a restore also creates the notification templates its compliance policies use.
        var creates = log.GetProperty("writeRequests").EnumerateArray()
            .Count(w => w.GetProperty("operation").GetString() == "create" && w.GetProperty("stored").GetBoolean()
                && w.GetProperty("collection").GetString() is "deviceConfigurations" or "deviceCompliancePolicies");
        return new TargetWrites(log.GetProperty("writes").GetInt32(), throttled, creates);
    }

    /// <summary>The suite's processes, each on ports of its own, the domain services finding each other by configuration.</summary>
    internal sealed class Suite : IAsyncDisposable
    {
        private readonly List<IAsyncDisposable> owned = [];
        private readonly Dictionary<string, int> grpcPorts = [];

        public HttpClient Emulator { get; private set; } = null!;

        public static async Task<Suite> StartAsync(PostgresServer postgres, RedisServer redis)
        {
            var suite = new Suite();
            try
            {
                await suite.StartProcessesAsync(postgres, redis);
                return suite;
            }
            catch
            {
                await suite.DisposeAsync();
                throw;
            }
        }

        private async Task StartProcessesAsync(PostgresServer postgres, RedisServer redis)
        {
            var emulatorUrl = $"http://127.0.0.1:{ServiceProcess.FreePort()}";
            Console.WriteLine("Starting the Graph emulator, RunsService, BackupService, InventoryService and RestoreService...");
            owned.Add(await ServiceProcess.StartAsync(ServiceProcess.ServiceAssembly("GraphEmulator"),
                new Dictionary<string, string> { ["ASPNETCORE_URLS"] = emulatorUrl, ["Logging__LogLevel__Default"] = "Warning" },
                new Uri($"{emulatorUrl}/health"), TimeSpan.FromSeconds(60)));
            Emulator = new HttpClient { BaseAddress = new Uri(emulatorUrl) };
            var common = new Dictionary<string, string>
            {
                ["ConnectionStrings__redis"] = redis.ConnectionString,
                ["Auth__SigningKey"] = SigningKey,
                ["Logging__LogLevel__Default"] = "Warning",
                ["Graph__BaseUrl"] = emulatorUrl + "/v1.0",
                ["Graph__AuthorityHost"] = emulatorUrl,
                ["Graph__ClientId"] = ClientId,
                ["Graph__ClientSecret"] = ClientSecret,
                ["Backup__Scheduler__Enabled"] = "false",
            };
            await StartAsync("runs", "RunsService", await postgres.CreateDatabaseAsync("bench_restore_runs"), common,
                new Dictionary<string, string> { ["Auth__PlatformAdmins__0"] = PlatformAdmin });
            common["services__runs__grpc__0"] = $"http://127.0.0.1:{grpcPorts["runs"]}";
            await StartAsync("backup", "BackupService", await postgres.CreateDatabaseAsync("bench_restore_backup"), common, new Dictionary<string, string>());
            await StartAsync("inventory", "InventoryService", await postgres.CreateDatabaseAsync("bench_restore_inventory"), common, new Dictionary<string, string>());
            await StartAsync("restore", "RestoreService", await postgres.CreateDatabaseAsync("bench_restore_restore"), common, new Dictionary<string, string>
            {
                ["services__backup__grpc__0"] = $"http://127.0.0.1:{grpcPorts["backup"]}",
                ["services__inventory__grpc__0"] = $"http://127.0.0.1:{grpcPorts["inventory"]}",
            });
        }

        private async Task StartAsync(string service, string project, string database, Dictionary<string, string> common, IReadOnlyDictionary<string, string> own)
        {
            var grpc = ServiceProcess.FreePort();
            var http = ServiceProcess.FreePort();
            var environment = new Dictionary<string, string>(common)
            {
                [$"ConnectionStrings__{service}db"] = database,
                ["Kestrel__Endpoints__grpc__Url"] = $"http://127.0.0.1:{grpc}",
                ["Kestrel__Endpoints__http__Url"] = $"http://127.0.0.1:{http}",
            };
            foreach (var (key, value) in own)
            {
                environment[key] = value;
            }
            owned.Add(await ServiceProcess.StartAsync(ServiceProcess.ServiceAssembly(project), environment,
                new Uri($"http://127.0.0.1:{http}/health"), TimeSpan.FromSeconds(90)));
            grpcPorts[service] = grpc;
        }

        /// <summary>A gRPC channel to a service; every call carries the token.</summary>
        public GrpcChannel Channel(string service, string token)
        {
            var channel = GrpcChannel.ForAddress($"http://127.0.0.1:{grpcPorts[service]}", new GrpcChannelOptions
            {
                HttpHandler = new BearerTokenHandler(token) { InnerHandler = new SocketsHttpHandler() },
            });
            owned.Add(new Disposable(channel.Dispose));
            return channel;
        }

        public async ValueTask DisposeAsync()
        {
            foreach (var item in Enumerable.Reverse(owned))
            {
                await item.DisposeAsync();
            }
            Emulator?.Dispose();
        }

        private sealed class Disposable(Action dispose) : IAsyncDisposable
        {
            public ValueTask DisposeAsync()
            {
                dispose();
                return ValueTask.CompletedTask;
            }
        }
    }
}
