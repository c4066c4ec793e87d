using TenantAtlas.BackupService.Extensions;
using TenantAtlas.ServiceDefaults;
using TenantAtlas.TenantGraph;

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddTokenAuthentication();
builder.AddBackupPersistence();
builder.AddTenantGraph();
builder.AddBackupWorker();
builder.AddBackupGrpc();
builder.AddGrpcOpenApi("backup", typeof(TenantAtlas.Backup.V1.BackupReflection).Assembly);

var app = builder.Build();

app.UseTokenAuthentication();
app.MapDefaultEndpoints();
app.MapBackupGrpc();
app.MapGrpcOpenApi();

app.Run();

/// <summary>Entry point; public so integration tests can host the service.</summary>
public partial class Program;
