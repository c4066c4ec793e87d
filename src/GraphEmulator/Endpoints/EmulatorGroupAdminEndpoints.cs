using Microsoft.AspNetCore.Http.HttpResults;
using TenantAtlas.GraphEmulator.Tenants;

namespace TenantAtlas.GraphEmulator.Endpoints;

/// <summary>
/// Defines a tenant's groups beside the generated pool, e.g. the target tenant of a cross-tenant restore whose
/// groups must be found by name: <c>POST /emulator/tenants/{tenantId}/groups</c> adds one (201 with it; the id is
/// the one given or a new one), <c>DELETE .../groups/{id}</c> removes one. Changes live until the tenant is redefined.
/// </summary>
public static class EmulatorGroupAdminEndpoints
{
    public static IEndpointRouteBuilder MapEmulatorGroupAdminEndpoints(this IEndpointRouteBuilder app)
    {
        var groups = app.MapGroup("/emulator/tenants/{tenantId}/groups");
        groups.MapPost("/", Add);
        groups.MapDelete("/{id}", Remove);
        return app;
    }

    private static IResult Add(string tenantId, GroupDefinition definition, TenantStore store)
    {
        if (definition.Validate() is { Count: > 0 } errors)
            return TypedResults.ValidationProblem(errors);
        if (!store.TryGet(tenantId, out var tenant))
            return UnknownTenant(tenantId);

        var dynamic = !string.IsNullOrEmpty(definition.MembershipRule);
        var group = new DirectoryGroup(
            definition.Id is { } id ? Guid.Parse(id).ToString() : Guid.NewGuid().ToString(),
            definition.DisplayName!,
            definition.Description ?? "",
            definition.GroupTypes ?? (dynamic ? ["DynamicMembership"] : []),
            definition.MembershipRule,
            dynamic ? "On" : null,
            definition.MailNickname ?? $"sg-{Guid.NewGuid():N}"[..16]);
        return tenant.ChangeDataSet<IResult>(dataSet => dataSet.FindGroup(group.Id) is not null
            ? (dataSet, TypedResults.Problem($"Group '{group.Id}' already exists.", statusCode: StatusCodes.Status409Conflict))
            : (dataSet.WithGroups([.. dataSet.Groups, group]), TypedResults.Created($"/v1.0/groups/{group.Id}", group)));
    }

    private static IResult Remove(string tenantId, string id, TenantStore store)
    {
        if (!store.TryGet(tenantId, out var tenant))
            return UnknownTenant(tenantId);
        return tenant.ChangeDataSet<IResult>(dataSet => dataSet.FindGroup(id) is { } group
            ? (dataSet.WithGroups([.. dataSet.Groups.Where(g => !ReferenceEquals(g, group))]), TypedResults.NoContent())
            : (dataSet, TypedResults.Problem($"No group '{id}'.", statusCode: StatusCodes.Status404NotFound)));
    }

    private static ProblemHttpResult UnknownTenant(string tenantId) =>
        TypedResults.Problem($"Tenant '{tenantId}' is not defined; PUT /emulator/tenants/{tenantId} first.",
            statusCode: StatusCodes.Status404NotFound);
}

/// <summary>The body of <c>POST /emulator/tenants/{tenantId}/groups</c>; a <c>membershipRule</c> makes it dynamic.</summary>
public sealed record GroupDefinition(
    string? DisplayName,
    string? Id = null,
    string? Description = null,
    IReadOnlyList<string>? GroupTypes = null,
    string? MembershipRule = null,
    string? MailNickname = null)
{
    public Dictionary<string, string[]> Validate()
    {
        var errors = new Dictionary<string, string[]>();
        if (string.IsNullOrWhiteSpace(DisplayName))
            errors["displayName"] = ["displayName is required."];
        if (Id is not null && !Guid.TryParse(Id, out _))
            errors["id"] = ["id must be a GUID when given."];
        return errors;
    }
}
