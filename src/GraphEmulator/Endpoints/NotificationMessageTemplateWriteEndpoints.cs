using TenantAtlas.GraphEmulator.Graph;
using TenantAtlas.GraphEmulator.Tenants;

namespace TenantAtlas.GraphEmulator.Endpoints;

/// <summary>
/// v1.0 notification template writes, through the same commit path as policy writes (<see cref="PolicyWriteCommit"/>:
/// the write log, the dropped-response fault, the write budget): <c>POST .../notificationMessageTemplates</c> (201 with
/// the template; v1.0 api/intune-notification-notificationmessagetemplate-create), <c>POST .../{id}/localizedNotificationMessages</c>
/// (201 with the message; v1.0 api/intune-notification-localizednotificationmessage-create) and <c>DELETE .../{id}</c>
/// (204; v1.0 api/intune-notification-notificationmessagetemplate-delete). Bodies: <see cref="NotificationMessageTemplateBody"/>.
/// Display names need not be unique, as in Graph.
/// </summary>
public static class NotificationMessageTemplateWriteEndpoints
{
    private const string Collection = NotificationMessageTemplateEndpoints.Collection;

    public static IEndpointRouteBuilder MapNotificationMessageTemplateWriteEndpoints(this IEndpointRouteBuilder app)
    {
        var templates = app.MapGroup($"/v1.0/deviceManagement/{Collection}");
        // HttpRequest, not HttpContext: a lambda of HttpContext alone would bind as a RequestDelegate and drop the result.
        templates.MapPost("/", (HttpRequest request) => CreateAsync(request.HttpContext));
        templates.MapPost($"/{{id}}/{NotificationMessageTemplateEndpoints.MessagesSegment}",
            (string id, HttpContext context) => AddMessageAsync(context, id));
        templates.MapDelete("/{id}", (string id, HttpContext context) => Delete(context, id));
        return app;
    }

    private static async Task<IResult> CreateAsync(HttpContext context)
    {
        if (await GraphJsonBody.ReadAsync(context) is not { } body)
            return GraphJsonBody.Invalid(context);
        var tenant = context.GraphTenant();
        if (NotificationMessageTemplateBody.TryReadTemplate(body, Guid.NewGuid().ToString(), tenant.UtcNow, out var template) is { } error)
            return BadRequest(context, error);

        return PolicyWriteCommit.Commit(context, Collection, "create", dataSet => PolicyWriteCommit.Outcome.Stored(
            dataSet.WithNotificationMessageTemplates([.. dataSet.NotificationMessageTemplates, template!]),
            template!,
            TypedResults.Created($"{context.Request.ServiceRoot()}/v1.0/deviceManagement/{Collection}/{template!.Id}", template)));
    }

    private static async Task<IResult> AddMessageAsync(HttpContext context, string id)
    {
        if (await GraphJsonBody.ReadAsync(context) is not { } body)
            return GraphJsonBody.Invalid(context);
        var tenant = context.GraphTenant();
        if (NotificationMessageTemplateBody.TryReadMessage(body, Guid.NewGuid().ToString(), tenant.UtcNow, out var message) is { } error)
            return BadRequest(context, error);

        return PolicyWriteCommit.Commit(context, Collection, NotificationMessageTemplateEndpoints.MessagesSegment, dataSet =>
        {
            if (dataSet.FindNotificationMessageTemplate(id) is not { } existing)
                return PolicyWriteCommit.Outcome.Refused(dataSet, PolicyCollections.NotFound(context, id));
            // "This flag can only be set. To unset, set this property to true on another Localized Notification Message."
            var others = message!.IsDefault
                ? existing.LocalizedNotificationMessages.Select(m => m with { IsDefault = false })
                : existing.LocalizedNotificationMessages;
            var updated = existing with { LocalizedNotificationMessages = [.. others, message] };
            return PolicyWriteCommit.Outcome.Stored(
                Replace(dataSet, existing, updated),
                updated,
                TypedResults.Created(
                    $"{context.Request.ServiceRoot()}/v1.0/deviceManagement/{Collection}/{existing.Id}/{NotificationMessageTemplateEndpoints.MessagesSegment}/{message.Id}",
                    message));
        });
    }

    private static IResult Delete(HttpContext context, string id) =>
        PolicyWriteCommit.Commit(context, Collection, "delete", dataSet => dataSet.FindNotificationMessageTemplate(id) is { } existing
            ? PolicyWriteCommit.Outcome.Stored(
                dataSet.WithNotificationMessageTemplates([.. dataSet.NotificationMessageTemplates.Where(t => !ReferenceEquals(t, existing))]),
                existing,
                TypedResults.NoContent())
            : PolicyWriteCommit.Outcome.Refused(dataSet, PolicyCollections.NotFound(context, id)));

    private static TenantDataSet Replace(TenantDataSet dataSet, NotificationMessageTemplate existing, NotificationMessageTemplate updated) =>
        dataSet.WithNotificationMessageTemplates([.. dataSet.NotificationMessageTemplates.Select(t => ReferenceEquals(t, existing) ? updated : t)]);

    private static IResult BadRequest(HttpContext context, string message) =>
        GraphErrors.Result(context, StatusCodes.Status400BadRequest, message);
}
