using TenantAtlas.RunsService.Extensions;
using TenantAtlas.ServiceDefaults;

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddRunsPersistence();
builder.AddRunsDomain();
builder.AddRunDispatch();

var app = builder.Build();

app.MapDefaultEndpoints();
app.MapRunsGrpc();

app.Run();

/// <summary>Entry point; public so integration tests can host the service.</summary>
public partial class Program;
