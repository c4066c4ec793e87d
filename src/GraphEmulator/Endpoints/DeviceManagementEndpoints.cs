using TenantAtlas.GraphEmulator.Graph;
using TenantAtlas.GraphEmulator.Tenants;

namespace TenantAtlas.GraphEmulator.Endpoints;

/// <summary>
/// Graph v1.0 Intune policy reads: <c>GET /v1.0/deviceManagement/{deviceConfigurations|deviceCompliancePolicies}</c>
/// (paged), <c>.../{id}</c> (both with <c>$expand</c>, see <see cref="PolicyExpansion"/>) and
/// <c>.../{id}/assignments</c> (paged at 25, as Graph's); plus the device configuration function
/// <c>getOmaSettingPlainTextValue</c> and Graph's 400 for the compliance <c>scheduledActionsForRule</c> navigation.
/// The tenant comes from the bearer token (<see cref="GraphRequestMiddleware"/>). <c>$select</c> and
/// <c>$filter</c> are ignored.
/// </summary>
public static class DeviceManagementEndpoints
{
    /// <summary>Graph's page size for <c>/assignments</c>, whatever the tenant's list page size.</summary>
    public const int AssignmentsPageSize = 25;

    public static IEndpointRouteBuilder MapDeviceManagementEndpoints(this IEndpointRouteBuilder app)
    {
        var deviceManagement = app.MapGroup("/v1.0/deviceManagement");
        MapPolicies(deviceManagement, "deviceConfigurations", PolicyKind.DeviceConfiguration);
        MapPolicies(deviceManagement, "deviceCompliancePolicies", PolicyKind.CompliancePolicy);
        deviceManagement.MapGet(
            "/deviceConfigurations/{id}/getOmaSettingPlainTextValue(secretReferenceValueId='{secretReferenceValueId}')",
            (string id, string secretReferenceValueId, HttpContext context) => OmaSettingPlainTextValue(context, id, secretReferenceValueId));
        deviceManagement.MapGet("/deviceCompliancePolicies/{id}/scheduledActionsForRule", (string id, HttpContext context) =>
            GraphErrors.Result(context, StatusCodes.Status400BadRequest, "No method match route template",
                "No OData route exists that match template ~/singleton/navigation/key/navigation with http verb GET for " +
                $"request /StatelessDeviceConfigurationFEService/deviceManagement/deviceCompliancePolicies('{id}')/scheduledActionsForRule."));
        return app;
    }

    /// <summary>Answers any other <c>/v1.0</c> request with a Graph 400, naming what the emulator does serve.</summary>
    public static IEndpointRouteBuilder MapUnknownGraphRoutes(this IEndpointRouteBuilder app)
    {
        app.MapFallback("/v1.0/{**path}", (HttpContext context) => GraphErrors.Result(
            context, StatusCodes.Status400BadRequest,
            $"Resource not found for the segment '{context.Request.Path}' ({context.Request.Method}). The emulator serves " +
            "GET deviceManagement/deviceConfigurations and deviceManagement/deviceCompliancePolicies (list, item, assignments), " +
            "deviceConfigurations/{id}/getOmaSettingPlainTextValue, POST/PATCH/DELETE of both policy collections, " +
            "POST .../{id}/assign, POST deviceCompliancePolicies/{id}/scheduleActionsForRules, " +
            "deviceManagement/notificationMessageTemplates (GET list and item with $expand=localizedNotificationMessages, POST, DELETE; " +
            "GET and POST .../{id}/localizedNotificationMessages), GET groups and groups/{id}, " +
            "POST directoryObjects/getByIds and POST $batch."));
        return app;
    }

    private static void MapPolicies(RouteGroupBuilder deviceManagement, string segment, PolicyKind kind)
    {
        deviceManagement.MapGet($"/{segment}", (HttpContext context) => List(context, segment, kind));
        deviceManagement.MapGet($"/{segment}/{{id}}", (string id, HttpContext context) => Get(context, kind, id));
        deviceManagement.MapGet($"/{segment}/{{id}}/assignments",
            (string id, HttpContext context) => Assignments(context, segment, kind, id));
    }

    private static IResult List(HttpContext context, string segment, PolicyKind kind)
    {
        if (PolicyExpansion.TryRead(context.Request, kind, out var expand) is { } error)
            return GraphErrors.Result(context, StatusCodes.Status400BadRequest, error);

        var tenant = context.GraphTenant();
        return PagedCollection.Page(
            context, Listed(tenant, tenant.DataSet.Policies(kind)), $"{PagedCollection.MetadataRoot(context.Request)}#deviceManagement/{segment}",
            tenant.Definition.PageSize, policy => PolicyExpansion.Render(policy, expand));
    }

    /// <summary>
    /// The policies a list shows now: under the list lag fault, one created through Graph's POST shows only once its
    /// lag has passed on the tenant's clock (Graph is eventually consistent after a create; INTUNE.md §6).
    /// </summary>
    private static IReadOnlyList<Policy> Listed(EmulatedTenant tenant, IReadOnlyList<Policy> policies)
    {
        var lag = tenant.Faults.ListLag;
        if (lag <= TimeSpan.Zero)
            return policies;
        var now = tenant.UtcNow;
        return [.. policies.Where(p => !p.CreatedThroughGraph || p.CreatedDateTime + lag <= now)];
    }

    private static IResult Get(HttpContext context, PolicyKind kind, string id)
    {
        if (PolicyExpansion.TryRead(context.Request, kind, out var expand) is { } error)
            return GraphErrors.Result(context, StatusCodes.Status400BadRequest, error);
        return FindHealthyPolicy(context, kind, id, out var policy) ?? TypedResults.Ok(PolicyExpansion.Render(policy!, expand));
    }

    private static IResult Assignments(HttpContext context, string segment, PolicyKind kind, string id) =>
        FindHealthyPolicy(context, kind, id, out var policy) ?? PagedCollection.Page(
            context, policy!.Assignments,
            $"{PagedCollection.MetadataRoot(context.Request)}#deviceManagement/{segment}('{policy.Id}')/assignments",
            AssignmentsPageSize);

    /// <summary>
    /// The one call that reveals an encrypted OMA setting. A backup must never make it; the request log counts
    /// it (<c>plainTextSecretReads</c>) so tests can prove that.
    /// </summary>
    private static IResult OmaSettingPlainTextValue(HttpContext context, string id, string secretReferenceValueId)
    {
        if (FindHealthyPolicy(context, PolicyKind.DeviceConfiguration, id, out var policy) is { } error)
            return error;
        return policy!.OmaPlainTextValues.TryGetValue(secretReferenceValueId, out var plainText)
            ? TypedResults.Ok(new PlainTextValue($"{PagedCollection.MetadataRoot(context.Request)}#Edm.String", plainText))
            : GraphErrors.Result(context, StatusCodes.Status404NotFound,
                $"No encrypted OMA setting with secretReferenceValueId '{secretReferenceValueId}' in '{id}'.");
    }

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
}

/// <summary>The body of a function returning a string: <c>{"@odata.context":"...#Edm.String","value":"..."}</c>.</summary>
public sealed record PlainTextValue(
    [property: System.Text.Json.Serialization.JsonPropertyName("@odata.context")] string Context,
    string Value);
