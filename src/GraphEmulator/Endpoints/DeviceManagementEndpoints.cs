using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using System.Text.Json.Nodes;
using TenantAtlas.GraphEmulator.Graph;
using TenantAtlas.GraphEmulator.Tenants;

namespace TenantAtlas.GraphEmulator.Endpoints;

/// <summary>
/// Graph v1.0 Intune reads: <c>GET /v1.0/deviceManagement/{deviceConfigurations|deviceCompliancePolicies}</c>
/// (paged), <c>.../{id}</c> and <c>.../{id}/assignments</c> (25 to a page, as Graph), notification message templates,
/// and <c>getOmaSettingPlainTextValue</c> (counted: a backup must never call it). The tenant comes from the bearer token
/// (<see cref="GraphRequestMiddleware"/>). A compliance policy's <c>scheduledActionsForRule</c> comes only with
/// <c>$expand=scheduledActionsForRule</c> (its configurations only with the nested
/// <c>($expand=scheduledActionConfigurations)</c>), and its navigation GET is a 400, as in Graph. <c>$select</c> and
/// <c>$filter</c> are ignored. <see cref="Dispatch"/> serves the same GETs for <c>$batch</c>.
/// </summary>
public static class DeviceManagementEndpoints
{
    public static IEndpointRouteBuilder MapDeviceManagementEndpoints(this IEndpointRouteBuilder app)
    {
        var deviceManagement = app.MapGroup("/v1.0/deviceManagement");
        MapPolicies(deviceManagement, "deviceConfigurations", PolicyKind.DeviceConfiguration);
        MapPolicies(deviceManagement, "deviceCompliancePolicies", PolicyKind.CompliancePolicy);
        deviceManagement.MapGet("/notificationMessageTemplates", (HttpContext context) => Templates(context));
        deviceManagement.MapGet("/notificationMessageTemplates/{id}", (string id, HttpContext context) => Template(context, id));
        return app;
    }

    /// <summary>Assignments per page of <c>.../{id}/assignments</c>, as Graph pages them.</summary>
    public const int AssignmentPageSize = 25;

    /// <summary>
    /// Serves a GET of the routes above for a <c>$batch</c> sub-request (path relative to <c>/v1.0</c>); null when the
    /// path is none of them.
    /// </summary>
    internal static IResult? Dispatch(HttpContext context, string[] segments)
    {
        if (segments is not ["deviceManagement", var collection, ..])
            return null;
        if (collection == "notificationMessageTemplates")
            return segments.Length switch { 2 => (IResult)Templates(context), 3 => Template(context, segments[2]), _ => null };
        PolicyKind? kind = collection switch
        {
            "deviceConfigurations" => PolicyKind.DeviceConfiguration,
            "deviceCompliancePolicies" => PolicyKind.CompliancePolicy,
            _ => null,
        };
        return (kind, segments.Length) switch
        {
            (null, _) => null,
            ({ } k, 2) => List(context, collection, k),
            ({ } k, 3) => Get(context, k, segments[2]),
            ({ } k, 4) when segments[3] == "assignments" => Assignments(context, collection, k, segments[2]),
            ({ } k, 4) => Navigation(context, k, segments[2], segments[3]),
            _ => null,
        };
    }

    /// <summary>Answers any other <c>/v1.0</c> request with a Graph 400, naming what the emulator does serve.</summary>
    public static IEndpointRouteBuilder MapUnknownGraphRoutes(this IEndpointRouteBuilder app)
    {
        app.MapFallback("/v1.0/{**path}", (HttpContext context) => GraphErrors.Result(
            context, StatusCodes.Status400BadRequest,
            $"Resource not found for the segment '{context.Request.Path}' ({context.Request.Method}). The emulator serves " +
            "GET deviceManagement/deviceConfigurations and deviceManagement/deviceCompliancePolicies: list, item, assignments."));
        return app;
    }

    private static void MapPolicies(RouteGroupBuilder deviceManagement, string segment, PolicyKind kind)
    {
        deviceManagement.MapGet($"/{segment}", (HttpContext context) => List(context, segment, kind));
        deviceManagement.MapGet($"/{segment}/{{id}}", (string id, HttpContext context) => Get(context, kind, id));
        deviceManagement.MapGet($"/{segment}/{{id}}/assignments",
            (string id, HttpContext context) => Assignments(context, segment, kind, id));
        deviceManagement.MapGet($"/{segment}/{{id}}/{{navigation}}",
            (string id, string navigation, HttpContext context) => Navigation(context, kind, id, navigation));
    }

    /// <summary>
    /// <c>scheduledActionsForRule</c> has no GET route in Graph (400 "No method match route template"); the plain-text
    /// OMA value function is served, and counted.
    /// </summary>
    private static IResult Navigation(HttpContext context, PolicyKind kind, string id, string navigation)
    {
        const string PlainText = "getOmaSettingPlainTextValue(secretReferenceValueId='";
        if (kind == PolicyKind.DeviceConfiguration && navigation.StartsWith(PlainText, StringComparison.Ordinal) && navigation.EndsWith("')", StringComparison.Ordinal))
        {
            var tenant = context.GraphTenant();
            tenant.Requests.RecordPlainTextSecretRead();
            var reference = navigation[PlainText.Length..^2];
            return FindHealthyPolicy(context, kind, id, out _) ?? (tenant.DataSet.Secrets.TryGetValue(reference, out var value)
                ? TypedResults.Ok(new { value })
                : GraphErrors.Result(context, StatusCodes.Status404NotFound, $"No secret with reference '{reference}'."));
        }
        return GraphErrors.Result(context, StatusCodes.Status400BadRequest,
            $"No method match route template. Segment '{navigation}' is not a navigation this resource supports for GET.");
    }

    private static Ok<ODataPage<NotificationTemplate>> Templates(HttpContext context)
    {
        var templates = context.GraphTenant().DataSet.NotificationTemplates;
        return TypedResults.Ok(new ODataPage<NotificationTemplate>($"{MetadataRoot(context.Request)}#deviceManagement/notificationMessageTemplates", null, templates));
    }

    private static IResult Template(HttpContext context, string id) =>
        context.GraphTenant().DataSet.NotificationTemplates.FirstOrDefault(t => string.Equals(t.Id, id, StringComparison.OrdinalIgnoreCase)) is { } template
            ? TypedResults.Ok(template)
            : GraphErrors.Result(context, StatusCodes.Status404NotFound, $"Resource '{id}' does not exist or one of its queried reference-property objects are not present.");

    private static IResult List(HttpContext context, string segment, PolicyKind kind)
    {
        var tenant = context.GraphTenant();
        if (ODataPaging.TryReadPage(context.Request, tenant.Definition.PageSize, out var page) is { } error)
            return GraphErrors.Result(context, StatusCodes.Status400BadRequest, error);

        var policies = tenant.DataSet.Policies(kind);
        var slice = policies.Skip(page.Offset).Take(page.Size).Select(p => Expanded(context.Request, p)).ToList();
        return TypedResults.Ok(new ODataPage<JsonObject>(
            $"{MetadataRoot(context.Request)}#deviceManagement/{segment}",
            ODataPaging.NextLink(context.Request, page, policies.Count),
            slice));
    }

    private static IResult Get(HttpContext context, PolicyKind kind, string id) =>
        FindHealthyPolicy(context, kind, id, out var policy) ?? TypedResults.Ok(Expanded(context.Request, policy!));

    private static IResult Assignments(HttpContext context, string segment, PolicyKind kind, string id)
    {
        if (FindHealthyPolicy(context, kind, id, out var policy) is { } error)
            return error;
        if (ODataPaging.TryReadPage(context.Request, AssignmentPageSize, out var page) is { } pageError)
            return GraphErrors.Result(context, StatusCodes.Status400BadRequest, pageError);
        return TypedResults.Ok(new ODataPage<PolicyAssignment>(
            $"{MetadataRoot(context.Request)}#deviceManagement/{segment}('{policy!.Id}')/assignments",
            ODataPaging.NextLink(context.Request, page, policy.Assignments.Count),
            [.. policy.Assignments.Skip(page.Offset).Take(page.Size)]));
    }

    /// <summary>The policy as JSON, with <c>scheduledActionsForRule</c> when (and as deep as) <c>$expand</c> asks.</summary>
    private static JsonObject Expanded(HttpRequest request, Policy policy)
    {
        var json = JsonSerializer.SerializeToNode(policy, GraphJson)!.AsObject();
        var expand = request.Query["$expand"].ToString();
        if (policy.ScheduledActions.Count > 0 && expand.Contains("scheduledActionsForRule", StringComparison.Ordinal))
        {
            var nested = expand.Contains("scheduledActionConfigurations", StringComparison.Ordinal);
            json["scheduledActionsForRule"] = new JsonArray([.. policy.ScheduledActions.Select(rule =>
            {
                var node = JsonSerializer.SerializeToNode(rule, GraphJson)!.AsObject();
                if (!nested)
                    node.Remove("scheduledActionConfigurations");
                return (JsonNode)node;
            })]);
        }
        return json;
    }

    private static readonly JsonSerializerOptions GraphJson = new(JsonSerializerDefaults.Web);

    /// <summary>Finds the policy; returns the error to answer instead when the item is failing or unknown.</summary>
    private static IResult? FindHealthyPolicy(HttpContext context, PolicyKind kind, string id, out Policy? policy)
    {
        var tenant = context.GraphTenant();
        policy = null;
        if (tenant.Faults.FailureStatusFor(id) is { } failingStatus)
            return GraphErrors.Result(context, failingStatus, $"Injected failure for item '{id}'.");

        policy = tenant.DataSet.Find(kind, id);
        return policy is null
            ? GraphErrors.Result(context, StatusCodes.Status404NotFound, $"Resource '{id}' does not exist or one of its queried reference-property objects are not present.")
            : null;
    }

    private static string MetadataRoot(HttpRequest request) => $"{request.ServiceRoot()}/v1.0/$metadata";
}
