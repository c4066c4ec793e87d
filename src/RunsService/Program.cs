using TenantAtlas.RunsService.Extensions;
using TenantAtlas.ServiceDefaults;

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddTokenAuthentication();
builder.AddRunsPersistence();
builder.AddRunsDomain();
builder.AddRunDispatch();
builder.AddRunWatch();
builder.AddRunRetention();
builder.AddDeadLetters();
builder.AddGrpcOpenApi("runs", typeof(TenantAtlas.Runs.V1.RunsReflection).Assembly);

var app = builder.Build();

app.UseTokenAuthentication();
app.MapDefaultEndpoints();
app.MapRunsGrpc();
app.MapGrpcOpenApi();

app.Run();

/// <summary>Entry point; public so integration tests can host the service.</summary>
public partial class Program;
