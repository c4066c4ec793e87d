extern alias backup;
extern alias inventory;
extern alias restore;

using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using TenantAtlas.Access.V1;
using TenantAtlas.Backup.V1;
using TenantAtlas.Inventory.V1;
using TenantAtlas.Testing.Suite;
using BackupClient = TenantAtlas.Backup.V1.BackupService.BackupServiceClient;
using BackupProgram = backup::Program;
using InventoryClient = TenantAtlas.Inventory.V1.InventoryService.InventoryServiceClient;
using InventoryProgram = inventory::Program;
using RestoreClient = TenantAtlas.Restore.V1.RestoreService.RestoreServiceClient;
using RestoreProgram = restore::Program;

namespace TenantAtlas.RestoreService.Tests;

/// <summary>
/// The services a restore needs, on real PostgreSQL and Redis: RunsService, the Graph emulator, BackupService (the
/// source), InventoryService (the target's group cache) and RestoreService, each host with its worker. RestoreService's
/// calls to BackupService and InventoryService go to the in-process hosts.
/// </summary>
public sealed class RestoreSuiteFixture : DomainSuiteFixture
{
    private string restoreDb = string.Empty;

    public WebApplicationFactory<BackupProgram> Backup { get; private set; } = null!;

    public WebApplicationFactory<InventoryProgram> Inventory { get; private set; } = null!;

    public WebApplicationFactory<RestoreProgram> Restore { get; private set; } = null!;

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        var postgres = await PostgresServer.SharedAsync();
        var backupDb = await postgres.CreateDatabaseAsync("restore_suite_backup");
        var inventoryDb = await postgres.CreateDatabaseAsync("restore_suite_inventory");
        restoreDb = await postgres.CreateDatabaseAsync("restore_suite_restore");
        Backup = StartServiceHost<BackupProgram>("backupdb", backupDb, recordSpans: false,
            new Dictionary<string, string> { ["Backup:Scheduler:Enabled"] = "false" }, services: null);
        Inventory = StartServiceHost<InventoryProgram>("inventorydb", inventoryDb, recordSpans: false, settings: null, services: null);
        Restore = StartRestoreHost();
    }

    /// <summary>A RestoreService host (another replica); <paramref name="settings"/> over the defaults, e.g. a short plan lifetime.</summary>
    public WebApplicationFactory<RestoreProgram> StartRestoreHost(IReadOnlyDictionary<string, string>? settings = null) =>
        StartServiceHost<RestoreProgram>("restoredb", restoreDb, recordSpans: false,
            new Dictionary<string, string>
            {
                ["services:backup:grpc:0"] = "http://localhost",
                ["services:inventory:grpc:0"] = "http://localhost",
                ["Restore:ReconcilePause"] = "00:00:00.200",
                ["Restore:AdapterSweepInterval"] = "00:00:00.500",
                ["Restore:AdapterSweepGrace"] = "00:00:01",
            }.Concat(settings ?? new Dictionary<string, string>()).GroupBy(p => p.Key).ToDictionary(g => g.Key, g => g.Last().Value),
            services => services.AddGrpcClient<BackupClient>().ConfigurePrimaryHttpMessageHandler(() => Backup.Server.CreateHandler())
                .Services.AddGrpcClient<InventoryClient>().ConfigurePrimaryHttpMessageHandler(() => Inventory.Server.CreateHandler()));

    /// <summary>
    /// Stops the standing RestoreService host the way a deploy or a crash stops a worker (in-flight runs are cancelled and
    /// left to another consumer; a write in flight may have landed with its answer lost) and starts another in its place
    /// (with <paramref name="settings"/> over the defaults).
    /// </summary>
    public async Task ReplaceRestoreHostAsync(IReadOnlyDictionary<string, string>? settings = null)
    {
        var stopping = Restore;
        Restore = StartRestoreHost(settings);
        await StopServiceHostAsync(stopping);
    }

    public RestoreClient RestoreApi(string token, WebApplicationFactory<RestoreProgram>? host = null) => new(Channel((host ?? Restore).Server, token));

    public BackupClient BackupApi(string token) => new(Channel(Backup.Server, token));

    public InventoryClient InventoryApi(string token) => new(Channel(Inventory.Server, token));

    /// <summary>
    /// A second tenant of the owner's workspace with no policies, whose Entra groups are exactly <paramref name="groups"/>
    /// (by display name, with new ids). Returns the tenant and its groups (display name → id).
    /// </summary>
    public async Task<(string TenantId, string EntraTenantId, Dictionary<string, string> Groups)> AddEmptyTenantAsync(string owner,
        string workspaceId, IEnumerable<string> groups, int writeBudget = 100, int writeBudgetWindowSeconds = 20, object? createDefaults = null)
    {
        var entraTenantId = Guid.NewGuid().ToString();
        var tenant = (await Access(UserToken(owner)).RegisterTenantAsync(new RegisterTenantRequest
        {
            WorkspaceId = workspaceId, EntraTenantId = entraTenantId, DisplayName = "Fabrikam Intune",
        })).Tenant;
        using var admin = EmulatorAdmin();
        var defined = await admin.PutAsJsonAsync($"/emulator/tenants/{entraTenantId}", new
        {
            clientId = GraphClientId, clientSecret = GraphClientSecret, deviceConfigurations = 0, compliancePolicies = 0,
            assignmentsPerPolicy = 0, groups = 1, notificationMessageTemplates = 0, seed = 11, writeBudget, writeBudgetWindowSeconds, createDefaults,
        });
        defined.EnsureSuccessStatusCode();
        // The generated group goes: the tenant's groups are exactly the ones given.
        foreach (var id in (await defined.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("groupIds").EnumerateArray())
        {
            (await admin.DeleteAsync($"/emulator/tenants/{entraTenantId}/groups/{id.GetString()}")).EnsureSuccessStatusCode();
        }
        var created = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var name in groups)
        {
            var response = await admin.PostAsJsonAsync($"/emulator/tenants/{entraTenantId}/groups", new { displayName = name });
            response.EnsureSuccessStatusCode();
            created[name] = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!;
        }
        return (tenant.TenantId, entraTenantId, created);
    }

    /// <summary>A tenant's cached groups (id → display name), after <see cref="SyncGroupsAsync"/>.</summary>
    public async Task<Dictionary<string, string>> CachedGroupsAsync(string owner, string tenantId)
    {
        var api = InventoryApi(UserToken(owner));
        var groups = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        var token = string.Empty;
        do
        {
            var page = await api.SearchDirectoryGroupsAsync(new SearchDirectoryGroupsRequest { TenantId = tenantId, PageSize = 200, PageToken = token });
            foreach (var group in page.Groups)
            {
                groups[group.GroupId] = group.DisplayName;
            }
            token = page.NextPageToken;
        }
        while (token.Length > 0);
        return groups;
    }

    /// <summary>Captures every policy of the tenant into a new backup set; returns the set.</summary>
    public async Task<BackupSet> BackUpAsync(string owner, string tenantId)
    {
        var api = BackupApi(UserToken(owner));
        var set = (await api.CreateBackupSetAsync(new CreateBackupSetRequest { TenantId = tenantId, DisplayName = "Before restore" })).BackupSet;
        var started = await api.AddPoliciesAsync(new AddPoliciesRequest
        {
            BackupSetId = set.BackupSetId,
            Selection = new PolicySelection { Families = { PolicyFamily.DeviceConfigurations, PolicyFamily.CompliancePolicies } },
        });
        await WaitForCompletionAsync(started.Run.RunId, TimeSpan.FromSeconds(60));
        return (await api.GetBackupSetAsync(new GetBackupSetRequest { BackupSetId = set.BackupSetId })).BackupSet;
    }

    /// <summary>Syncs the tenant's groups into InventoryService's cache.</summary>
    public async Task SyncGroupsAsync(string owner, string tenantId)
    {
        var started = await InventoryApi(UserToken(owner)).StartDirectoryGroupsSyncAsync(new StartDirectoryGroupsSyncRequest { TenantId = tenantId });
        await WaitForCompletionAsync(started.Run.RunId);
    }

    /// <summary>Every item of a set with its stored content.</summary>
    public async Task<List<(BackupItem Item, JsonElement Content)>> BackupContentsAsync(string owner, string backupSetId)
    {
        var api = BackupApi(UserToken(owner));
        var items = new List<(BackupItem, JsonElement)>();
        var token = string.Empty;
        do
        {
            var page = await api.ListBackupItemsAsync(new ListBackupItemsRequest { BackupSetId = backupSetId, PageSize = 500, PageToken = token });
            foreach (var item in page.Items)
            {
                var content = (await api.GetBackupItemAsync(new GetBackupItemRequest { BackupSetId = backupSetId, ItemId = item.ItemId })).ContentJson;
                items.Add((item, JsonDocument.Parse(content).RootElement.Clone()));
            }
            token = page.NextPageToken;
        }
        while (token.Length > 0);
        return items;
    }

    /// <summary>Every object the tenant holds, as Graph answers it: both policy collections (with compliance actions), every assignment, every template with its messages.</summary>
    public async Task<string> GraphContentsAsync(string entraTenantId)
    {
        using var graph = await GraphHttpAsync(entraTenantId);
        var everything = new System.Text.StringBuilder();
        foreach (var (collection, query) in new[] { ("deviceConfigurations", ""), ("deviceCompliancePolicies", "?$expand=scheduledActionsForRule($expand=scheduledActionConfigurations)") })
        {
            foreach (var policy in await ListAllAsync(graph, $"/v1.0/deviceManagement/{collection}{query}"))
            {
                everything.Append(policy.GetRawText());
                foreach (var assignment in await ListAllAsync(graph, $"/v1.0/deviceManagement/{collection}/{policy.GetProperty("id").GetString()}/assignments"))
                {
                    everything.Append(assignment.GetRawText());
                }
            }
        }
        foreach (var template in await ListAllAsync(graph, "/v1.0/deviceManagement/notificationMessageTemplates"))
        {
            everything.Append((await graph.GetFromJsonAsync<JsonElement>(
                $"/v1.0/deviceManagement/notificationMessageTemplates/{template.GetProperty("id").GetString()}?$expand=localizedNotificationMessages")).GetRawText());
        }
        return everything.ToString();
    }

    private static async Task<List<JsonElement>> ListAllAsync(HttpClient graph, string url)
    {
        var all = new List<JsonElement>();
        for (var next = url; next is not null;)
        {
            var page = await graph.GetFromJsonAsync<JsonElement>(next);
            all.AddRange(page.GetProperty("value").EnumerateArray().Select(e => e.Clone()));
            next = page.TryGetProperty("@odata.nextLink", out var link) ? link.GetString() : null;
        }
        return all;
    }

    /// <summary>The emulator's request log of a tenant (writes included).</summary>
    public async Task<JsonElement> GraphRequestsAsync(string entraTenantId)
    {
        using var admin = EmulatorAdmin();
        return await admin.GetFromJsonAsync<JsonElement>($"/emulator/tenants/{entraTenantId}/requests");
    }

    public override async Task DisposeAsync()
    {
        // A failing run leaves the services' errors where CI shows them.
        if (Environment.GetEnvironmentVariable("TENANTATLAS_TEST_LOGS") == "1")
        {
            await File.WriteAllLinesAsync(Path.Combine(Path.GetTempPath(), "restore-suite.log"), Logs.Lines);
        }
        await base.DisposeAsync();
    }

    /// <summary>A scalar from the restore database.</summary>
    public async Task<T> RestoreScalarAsync<T>(string sql, params (string Name, object Value)[] parameters)
    {
        await using var connection = new NpgsqlConnection(restoreDb);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        foreach (var (name, value) in parameters)
        {
            command.Parameters.AddWithValue(name, value);
        }
        return (T)(await command.ExecuteScalarAsync())!;
    }
}
