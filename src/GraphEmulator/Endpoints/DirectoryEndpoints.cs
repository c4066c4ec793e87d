using System.Text.Json;
using TenantAtlas.GraphEmulator.Graph;
using TenantAtlas.GraphEmulator.Tenants;

namespace TenantAtlas.GraphEmulator.Endpoints;

/// <summary>
/// The tenant's groups, as a backup resolves assignment targets and CC lists: <c>POST /v1.0/directoryObjects/getByIds</c>
/// (up to 1000 ids; unknown ids are just absent, as in Graph), and <c>GET /v1.0/groups</c> (paged, <c>$top</c>,
/// <c>$select</c>) and <c>/groups/{id}</c>.
/// </summary>
public static class DirectoryEndpoints
{
    public const int MaxIdsPerGetByIds = 1000;

    public static IEndpointRouteBuilder MapDirectoryEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapPost("/v1.0/directoryObjects/getByIds", GetByIdsAsync);
        app.MapGet("/v1.0/groups", ListGroups);
        app.MapGet("/v1.0/groups/{id}", (string id, HttpContext context) =>
            context.GraphTenant().DataSet.FindGroup(id) is { } group
                ? TypedResults.Ok(group)
                : GraphErrors.Result(context, StatusCodes.Status404NotFound, "Request_ResourceNotFound",
                    $"Resource '{id}' does not exist or one of its queried reference-property objects are not present."));
        return app;
    }

    /// <summary>The groups, paged (<c>$top</c>, <c>@odata.nextLink</c>), projected to <c>$select</c> when sent.</summary>
    private static IResult ListGroups(HttpContext context)
    {
        if (ODataSelect.TryRead(context.Request, "microsoft.graph.group", DirectoryGroup.SelectableProperties, out var select) is { } error)
            return GraphErrors.Result(context, StatusCodes.Status400BadRequest, error);

        var tenant = context.GraphTenant();
        var odataContext = $"{PagedCollection.MetadataRoot(context.Request)}#groups";
        return select is null
            ? PagedCollection.Page(context, tenant.DataSet.Groups, odataContext, tenant.Definition.PageSize)
            : PagedCollection.PageAs(context, tenant.DataSet.Groups, $"{odataContext}({context.Request.Query["$select"]})",
                tenant.Definition.PageSize, group => select.Project(group, JsonSerializerOptions.Web));
    }

    private static async Task<IResult> GetByIdsAsync(HttpRequest request)
    {
        var context = request.HttpContext;
        GetByIdsRequest? body;
        try
        {
            body = await context.Request.ReadFromJsonAsync<GetByIdsRequest>(JsonSerializerOptions.Web, context.RequestAborted);
        }
        catch (JsonException)
        {
            return GraphErrors.Result(context, StatusCodes.Status400BadRequest, "Request_BadRequest", "Invalid JSON in the request body.");
        }

        if (body?.Ids is not { Count: > 0 } ids)
            return GraphErrors.Result(context, StatusCodes.Status400BadRequest, "Request_BadRequest", "The 'ids' parameter is required.");
        if (ids.Count > MaxIdsPerGetByIds)
            return GraphErrors.Result(context, StatusCodes.Status400BadRequest, "Request_BadRequest",
                $"Too many ids: {ids.Count}. The maximum is {MaxIdsPerGetByIds}.");

        // The emulator's directory holds only groups: other types find nothing, as in a tenant without them.
        var wantsGroups = body.Types is not { Count: > 0 } types
            || types.Any(t => string.Equals(t, "group", StringComparison.OrdinalIgnoreCase));
        var dataSet = context.GraphTenant().DataSet;
        IReadOnlyList<DirectoryGroup> found = wantsGroups
            ? [.. ids.Distinct(StringComparer.OrdinalIgnoreCase).Select(id => dataSet.FindGroup(id ?? "")).OfType<DirectoryGroup>()]
            : [];
        return TypedResults.Ok(new ODataPage<DirectoryGroup>(
            $"{PagedCollection.MetadataRoot(context.Request)}#directoryObjects", NextLink: null, found));
    }

    private sealed record GetByIdsRequest(IReadOnlyList<string?>? Ids, IReadOnlyList<string>? Types);
}
