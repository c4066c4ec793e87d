using TenantAtlas.Bench.Worker;
using TenantAtlas.ServiceDefaults;
using TenantAtlas.Workers;

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddRunWorker("inventory");
builder.AddRunHandler<NoopHandler>();
builder.Services.AddSingleton<HandlerStarts>();

var app = builder.Build();

app.MapDefaultEndpoints();
app.MapHandlerStarts();

app.Run();
