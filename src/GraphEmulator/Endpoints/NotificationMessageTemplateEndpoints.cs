using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Options;
using TenantAtlas.GraphEmulator.Graph;
using TenantAtlas.GraphEmulator.Tenants;

namespace TenantAtlas.GraphEmulator.Endpoints;

/// <summary>
/// Reads of <c>/v1.0/deviceManagement/notificationMessageTemplates</c>: the list (paged) and <c>.../{id}</c>, both with
/// <c>$expand=localizedNotificationMessages</c> (the relationship, v1.0 resources/intune-notification-notificationmessagetemplate;
/// without it the messages are not in the template), and <c>.../{id}/localizedNotificationMessages</c> (paged). What a
/// backup resolves a compliance notification action's <c>notificationTemplateId</c> with. Writes:
/// <see cref="NotificationMessageTemplateWriteEndpoints"/>.
/// </summary>
public static class NotificationMessageTemplateEndpoints
{
    public const string Collection = "notificationMessageTemplates";
    public const string MessagesSegment = "localizedNotificationMessages";

    private static readonly Dictionary<string, string[]> Navigation = new(StringComparer.Ordinal) { [MessagesSegment] = [] };

    public static IEndpointRouteBuilder MapNotificationMessageTemplateEndpoints(this IEndpointRouteBuilder app)
    {
        var templates = app.MapGroup($"/v1.0/deviceManagement/{Collection}");
        templates.MapGet("/", List);
        templates.MapGet("/{id}", (string id, HttpContext context) => Get(context, id));
        templates.MapGet($"/{{id}}/{MessagesSegment}", (string id, HttpContext context) => Messages(context, id));
        return app;
    }

    private static IResult List(HttpContext context)
    {
        if (ODataExpand.TryRead(context.Request, "microsoft.graph.notificationMessageTemplate", Navigation, out var expand) is { } error)
            return GraphErrors.Result(context, StatusCodes.Status400BadRequest, error);
        var tenant = context.GraphTenant();
        var options = JsonOptions(context);
        return PagedCollection.PageAs(
            context, tenant.DataSet.NotificationMessageTemplates,
            $"{PagedCollection.MetadataRoot(context.Request)}#deviceManagement/{Collection}",
            tenant.Definition.PageSize, template => Render(template, expand, options));
    }

    private static IResult Get(HttpContext context, string id)
    {
        if (ODataExpand.TryRead(context.Request, "microsoft.graph.notificationMessageTemplate", Navigation, out var expand) is { } error)
            return GraphErrors.Result(context, StatusCodes.Status400BadRequest, error);
        return FindHealthy(context, id, out var template) ?? TypedResults.Ok(Render(template!, expand, JsonOptions(context)));
    }

    private static IResult Messages(HttpContext context, string id) =>
        FindHealthy(context, id, out var template) ?? PagedCollection.Page(
            context, template!.LocalizedNotificationMessages,
            $"{PagedCollection.MetadataRoot(context.Request)}#deviceManagement/{Collection}('{template.Id}')/{MessagesSegment}",
            context.GraphTenant().Definition.PageSize);

    /// <summary>The template, with its localized messages after its own properties when expanded.</summary>
    private static JsonObject Render(NotificationMessageTemplate template, ODataExpand expand, JsonSerializerOptions options)
    {
        var json = JsonSerializer.SerializeToNode(template, options)!.AsObject();
        if (expand.Includes(MessagesSegment))
            json[MessagesSegment] = JsonSerializer.SerializeToNode(template.LocalizedNotificationMessages, options);
        return json;
    }

    /// <summary>Finds the template; returns the error to answer instead when it is failing (a fault) or unknown.</summary>
    internal static IResult? FindHealthy(HttpContext context, string id, out NotificationMessageTemplate? template)
    {
        var tenant = context.GraphTenant();
        template = null;
        if (tenant.Faults.FailureStatusFor(id) is { } failingStatus)
            return GraphErrors.Result(context, failingStatus, $"Injected failure for item '{id}'.");
        template = tenant.DataSet.FindNotificationMessageTemplate(id);
        return template is null ? PolicyCollections.NotFound(context, id) : null;
    }

    private static JsonSerializerOptions JsonOptions(HttpContext context) =>
        context.RequestServices.GetRequiredService<IOptions<Microsoft.AspNetCore.Http.Json.JsonOptions>>().Value.SerializerOptions;
}
