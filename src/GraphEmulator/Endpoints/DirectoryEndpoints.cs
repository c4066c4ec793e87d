using System.Text.Json.Nodes;
using TenantAtlas.GraphEmulator.Graph;

namespace TenantAtlas.GraphEmulator.Endpoints;

/// <summary>
/// <c>POST /v1.0/directoryObjects/getByIds</c> with <c>{"ids":[…],"types":["group"]}</c>: the tenant's groups among the
/// ids (at most 1,000; ids it does not know are left out, as Graph does).
/// </summary>
public static class DirectoryEndpoints
{
    public const int MaxIds = 1000;

    public static IEndpointRouteBuilder MapDirectoryEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapPost("/v1.0/directoryObjects/getByIds", async (HttpContext context) =>
        {
            var body = await JsonNode.ParseAsync(context.Request.Body, cancellationToken: context.RequestAborted);
            if (body?["ids"] is not JsonArray ids || ids.Count == 0)
                return GraphErrors.Result(context, StatusCodes.Status400BadRequest, "The request needs a non-empty 'ids' array.");
            if (ids.Count > MaxIds)
                return GraphErrors.Result(context, StatusCodes.Status400BadRequest, $"Too many ids: at most {MaxIds} per request.");
            var wanted = ids.Select(i => i?.GetValue<string>()).OfType<string>().ToHashSet(StringComparer.OrdinalIgnoreCase);
            var groups = context.GraphTenant().DataSet.Groups.Where(g => wanted.Contains(g.Id)).ToList();
            return TypedResults.Ok(new { value = groups });
        });
        return app;
    }
}
