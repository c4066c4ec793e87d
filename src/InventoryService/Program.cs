using TenantAtlas.InventoryService.Extensions;
using TenantAtlas.ServiceDefaults;

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddInventoryPersistence();
builder.AddTenantGraph();
builder.AddInventoryWorker();
builder.AddInventoryGrpc();

var app = builder.Build();

app.MapDefaultEndpoints();
app.MapInventoryGrpc();

app.Run();

/// <summary>Entry point; public so integration tests can host the service.</summary>
public partial class Program;
