extern alias backup;

using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Mvc.Testing;
using Npgsql;
using TenantAtlas.Testing.Suite;
using BackupClient = TenantAtlas.Backup.V1.BackupService.BackupServiceClient;
using BackupProgram = backup::Program;

namespace TenantAtlas.BackupService.Tests;

/// <summary>RunsService, the Graph emulator and one BackupService host (API + worker in the "backup" consumer group).</summary>
public sealed class BackupSuiteFixture : DomainSuiteFixture
{
    public string BackupDb { get; private set; } = string.Empty;

    public WebApplicationFactory<BackupProgram> Backup { get; private set; } = null!;

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        BackupDb = await (await PostgresServer.SharedAsync()).CreateDatabaseAsync("suite_backup");
        Backup = StartBackupHost(recordSpans: true);
    }

    /// <summary>
    /// A BackupService host (another replica: API, worker and scheduler). Schedulers do not fire on their own here; tests
    /// call BackupScheduler.FireDueAsync with the instant they mean.
    /// </summary>
    public WebApplicationFactory<BackupProgram> StartBackupHost(bool recordSpans = false) =>
        StartServiceHost<BackupProgram>("backupdb", BackupDb, recordSpans, new Dictionary<string, string> { ["Backup:Scheduler:Enabled"] = "false" }, services: null);

    public BackupClient BackupApi(string token) => new(Channel(Backup.Server, token));

    /// <summary>Redefines the emulated tenant (same id, new data), e.g. to add secrets or change page sizes.</summary>
    public async Task<JsonElement> DefineGraphTenantAsync(string entraTenantId, object definition)
    {
        using var admin = EmulatorAdmin();
        using var response = await admin.PutAsJsonAsync($"/emulator/tenants/{entraTenantId}", definition);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"defining the emulated tenant failed: {(int)response.StatusCode} {body}");
        return JsonDocument.Parse(body).RootElement.Clone();
    }

    /// <summary>The emulator's request log of a tenant.</summary>
    public async Task<JsonElement> GraphRequestsAsync(string entraTenantId)
    {
        using var admin = EmulatorAdmin();
        return await admin.GetFromJsonAsync<JsonElement>($"/emulator/tenants/{entraTenantId}/requests");
    }

    /// <summary>A scalar from the backup database.</summary>
    public async Task<T> BackupScalarAsync<T>(string sql, params (string Name, object Value)[] parameters)
    {
        await using var connection = new NpgsqlConnection(BackupDb);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        foreach (var (name, value) in parameters)
        {
            command.Parameters.AddWithValue(name, value);
        }
        return (T)(await command.ExecuteScalarAsync())!;
    }
}
