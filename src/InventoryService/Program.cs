using TenantAtlas.InventoryService.Extensions;
using TenantAtlas.ServiceDefaults;
using TenantAtlas.TenantGraph;

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddTokenAuthentication();
builder.AddInventoryPersistence();
builder.AddTenantGraph();
builder.AddInventoryWorker();
builder.AddInventoryGrpc();
builder.AddGrpcOpenApi("inventory", typeof(TenantAtlas.Inventory.V1.InventoryReflection).Assembly);

var app = builder.Build();

app.UseTokenAuthentication();
app.MapDefaultEndpoints();
app.MapInventoryGrpc();
app.MapGrpcOpenApi();

app.Run();

/// <summary>Entry point; public so integration tests can host the service.</summary>
public partial class Program;
