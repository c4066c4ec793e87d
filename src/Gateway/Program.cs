using TenantAtlas.Gateway.Extensions;
using TenantAtlas.ServiceDefaults;

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddTokenAuthentication();
builder.AddGatewayRouting();
builder.AddPerUserRateLimits();
builder.AddSuiteOpenApi();

var app = builder.Build();

app.UseSecurityHeaders();
app.UseDefaultFiles();
app.UseStaticFiles(); // wwwroot: the Operations UI (public; the API under /v1 stays protected)
app.UseOpenApiUi();
app.UseJsonErrors();
app.UseRequestBodyLimit();
app.UseTokenAuthentication();
app.MapDefaultEndpoints();
app.UseRateLimiter();
app.MapUiConfig();
app.MapOpenApiDocument();
app.MapGatewayRoutes();

app.Run();

/// <summary>Entry point; public so integration tests can host the gateway.</summary>
public partial class Program;
