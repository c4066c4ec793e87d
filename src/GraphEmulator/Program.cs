using TenantAtlas.GraphEmulator.Endpoints;
using TenantAtlas.GraphEmulator.Extensions;
using TenantAtlas.GraphEmulator.Tenants;

var builder = WebApplication.CreateBuilder(args);

builder.AddGraphEmulator();

var app = builder.Build();

app.SeedConfiguredTenants();
app.UseGraphRequestPipeline();

app.MapHealthChecks("/health");
app.MapTokenEndpoints();
app.MapDeviceManagementEndpoints();
app.MapPolicyWriteEndpoints();
app.MapPolicyAssignEndpoints();
app.MapNotificationMessageTemplateEndpoints();
app.MapNotificationMessageTemplateWriteEndpoints();
app.MapDirectoryEndpoints();
app.MapBatchEndpoints();
app.MapUnknownGraphRoutes();
app.MapEmulatorAdminEndpoints();
app.MapEmulatorPolicyAdminEndpoints();
app.MapEmulatorGroupAdminEndpoints();

app.Run();

/// <summary>Entry point; public so tests can host the emulator with WebApplicationFactory.</summary>
public partial class Program;
