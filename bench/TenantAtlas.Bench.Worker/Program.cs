using TenantAtlas.Bench.Worker;
using TenantAtlas.ServiceDefaults;
using TenantAtlas.Workers;

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddRunWorker("inventory").AddHandler<NoopHandler>("inventory.sync");
builder.Services.AddSingleton<HandlerStarts>();

var app = builder.Build();

app.MapDefaultEndpoints();
app.MapHandlerStarts();

app.Run();
