using TenantAtlas.GraphEmulator.Graph;
using TenantAtlas.GraphEmulator.Tenants;

namespace TenantAtlas.GraphEmulator.Endpoints;

/// <summary>
/// Graph v1.0 Intune reads: <c>GET /v1.0/deviceManagement/{deviceConfigurations|deviceCompliancePolicies}</c>
/// (paged), <c>.../{id}</c> and <c>.../{id}/assignments</c>. The tenant comes from the bearer token
/// (<see cref="GraphRequestMiddleware"/>). <c>$select</c>, <c>$filter</c> and <c>$expand</c> are ignored.
/// </summary>
public static class DeviceManagementEndpoints
{
    public static IEndpointRouteBuilder MapDeviceManagementEndpoints(this IEndpointRouteBuilder app)
    {
        var deviceManagement = app.MapGroup("/v1.0/deviceManagement");
        MapPolicies(deviceManagement, "deviceConfigurations", PolicyKind.DeviceConfiguration);
        MapPolicies(deviceManagement, "deviceCompliancePolicies", PolicyKind.CompliancePolicy);
        return app;
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
    }

    private static IResult List(HttpContext context, string segment, PolicyKind kind)
    {
        var tenant = context.GraphTenant();
        if (ODataPaging.TryReadPage(context.Request, tenant.Definition.PageSize, out var page) is { } error)
            return GraphErrors.Result(context, StatusCodes.Status400BadRequest, error);

        var policies = tenant.DataSet.Policies(kind);
        var slice = policies.Skip(page.Offset).Take(page.Size).ToList();
        return TypedResults.Ok(new ODataPage<Policy>(
            $"{MetadataRoot(context.Request)}#deviceManagement/{segment}",
            ODataPaging.NextLink(context.Request, page, policies.Count),
            slice));
    }

    private static IResult Get(HttpContext context, PolicyKind kind, string id) =>
        FindHealthyPolicy(context, kind, id, out var policy) ?? TypedResults.Ok(policy);

    private static IResult Assignments(HttpContext context, string segment, PolicyKind kind, string id) =>
        FindHealthyPolicy(context, kind, id, out var policy) ?? TypedResults.Ok(new ODataPage<PolicyAssignment>(
            $"{MetadataRoot(context.Request)}#deviceManagement/{segment}('{policy!.Id}')/assignments",
            NextLink: null,
            policy.Assignments));

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
