using TenantAtlas.GraphEmulator.Graph;

namespace TenantAtlas.GraphEmulator.Endpoints;

/// <summary>
/// <c>GET /v1.0/deviceManagement/notificationMessageTemplates</c> (paged) and <c>.../{id}</c>: what a backup
/// resolves a compliance notification action's <c>notificationTemplateId</c> with.
/// </summary>
public static class NotificationMessageTemplateEndpoints
{
    public static IEndpointRouteBuilder MapNotificationMessageTemplateEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapGet("/v1.0/deviceManagement/notificationMessageTemplates", (HttpContext context) =>
        {
            var tenant = context.GraphTenant();
            return PagedCollection.Page(
                context, tenant.DataSet.NotificationMessageTemplates,
                $"{PagedCollection.MetadataRoot(context.Request)}#deviceManagement/notificationMessageTemplates",
                tenant.Definition.PageSize);
        });
        app.MapGet("/v1.0/deviceManagement/notificationMessageTemplates/{id}", (string id, HttpContext context) =>
        {
            var tenant = context.GraphTenant();
            if (tenant.Faults.FailureStatusFor(id) is { } failingStatus)
                return GraphErrors.Result(context, failingStatus, $"Injected failure for item '{id}'.");
            return tenant.DataSet.FindNotificationMessageTemplate(id) is { } template
                ? TypedResults.Ok(template)
                : GraphErrors.Result(context, StatusCodes.Status404NotFound, $"Resource '{id}' does not exist or one of its queried reference-property objects are not present.");
        });
        return app;
    }
}
