using TenantAtlas.RestoreService.Extensions;
using TenantAtlas.ServiceDefaults;
using TenantAtlas.TenantGraph;

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddTokenAuthentication();
builder.AddRestorePersistence();
builder.AddTenantGraph();
builder.AddRestoreSources();
builder.AddRestoreWorker();
builder.AddRestoreGrpc();
builder.AddGrpcOpenApi("restore", typeof(TenantAtlas.Restore.V1.RestoreReflection).Assembly);

var app = builder.Build();

app.UseTokenAuthentication();
app.MapDefaultEndpoints();
app.MapRestoreGrpc();
app.MapGrpcOpenApi();

app.Run();

/// <summary>Entry point; public so integration tests can host the service.</summary>
public partial class Program;
