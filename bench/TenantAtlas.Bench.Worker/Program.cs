using TenantAtlas.Bench.Worker;
using TenantAtlas.ServiceDefaults;
using TenantAtlas.Workers;

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
// The benchmark's jobs are inventory.sync; the worker must also name every other type its service handles.
builder.AddRunWorker("inventory").AddHandler<NoopHandler>("inventory.sync").AddHandler<NoopHandler>("directory_groups.sync");
builder.Services.AddSingleton<HandlerStarts>();

var app = builder.Build();

app.MapDefaultEndpoints();
app.MapHandlerStarts();

app.Run();
