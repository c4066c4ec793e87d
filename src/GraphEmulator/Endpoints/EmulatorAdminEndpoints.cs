using Microsoft.AspNetCore.Http.HttpResults;
using TenantAtlas.GraphEmulator.Tenants;

namespace TenantAtlas.GraphEmulator.Endpoints;

/// <summary>
/// The emulator's own API (no auth): define tenants and their generated data sets, inject faults, read the
/// request log. Errors are RFC 7807 problem details.
/// </summary>
public static class EmulatorAdminEndpoints
{
    public static IEndpointRouteBuilder MapEmulatorAdminEndpoints(this IEndpointRouteBuilder app)
    {
        var tenants = app.MapGroup("/emulator/tenants");
        tenants.MapGet("/", (TenantStore store) => TypedResults.Ok(store.All().Select(t => t.Summary())));
        tenants.MapPut("/{tenantId}", DefineTenant);
        tenants.MapGet("/{tenantId}", (string tenantId, TenantStore store) =>
            WithTenant(store, tenantId, tenant => TypedResults.Ok(tenant.Summary())));
        tenants.MapDelete("/{tenantId}", (string tenantId, TenantStore store) =>
            store.Remove(tenantId) ? Results.NoContent() : UnknownTenant(tenantId));

        tenants.MapPut("/{tenantId}/faults", SetFaults);
        tenants.MapGet("/{tenantId}/faults", (string tenantId, TenantStore store) =>
            WithTenant(store, tenantId, tenant => TypedResults.Ok(tenant.Faults.Snapshot())));
        tenants.MapDelete("/{tenantId}/faults", (string tenantId, TenantStore store) =>
            WithTenant(store, tenantId, tenant => { tenant.Faults.Clear(); return Results.NoContent(); }));

        tenants.MapGet("/{tenantId}/requests", (string tenantId, TenantStore store) =>
            WithTenant(store, tenantId, tenant => TypedResults.Ok(tenant.Requests.Snapshot())));
        tenants.MapDelete("/{tenantId}/requests", (string tenantId, TenantStore store) =>
            WithTenant(store, tenantId, tenant => { tenant.Requests.Reset(); return Results.NoContent(); }));
        return app;
    }

    private static IResult DefineTenant(string tenantId, TenantDefinition definition, TenantStore store)
    {
        if (TenantStore.NormalizeTenantId(tenantId) is null)
            return InvalidTenantId(tenantId);
        if (definition.Validate() is { Count: > 0 } errors)
            return TypedResults.ValidationProblem(errors);

        var (tenant, _) = store.Define(tenantId, definition);
        return TypedResults.Ok(tenant.Summary());
    }

    private static IResult SetFaults(string tenantId, FaultSettings faults, TenantStore store)
    {
        if (faults.Validate() is { Count: > 0 } errors)
            return TypedResults.ValidationProblem(errors);
        return WithTenant(store, tenantId, tenant =>
        {
            tenant.Faults.Apply(faults);
            return TypedResults.Ok(tenant.Faults.Snapshot());
        });
    }

    private static IResult WithTenant(TenantStore store, string tenantId, Func<EmulatedTenant, IResult> action)
    {
        if (TenantStore.NormalizeTenantId(tenantId) is null)
            return InvalidTenantId(tenantId);
        return store.TryGet(tenantId, out var tenant) ? action(tenant) : UnknownTenant(tenantId);
    }

    private static ProblemHttpResult InvalidTenantId(string tenantId) =>
        TypedResults.Problem($"The tenant id '{tenantId}' is not a GUID.", statusCode: StatusCodes.Status400BadRequest);

    private static ProblemHttpResult UnknownTenant(string tenantId) =>
        TypedResults.Problem($"Tenant '{tenantId}' is not defined; PUT /emulator/tenants/{tenantId} first.",
            statusCode: StatusCodes.Status404NotFound);
}
