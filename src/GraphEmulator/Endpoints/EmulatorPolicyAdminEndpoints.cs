using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using TenantAtlas.GraphEmulator.Tenants;

namespace TenantAtlas.GraphEmulator.Endpoints;

/// <summary>
/// Changes a tenant between captures (backup re-capture and drift tests), from raw Graph JSON:
/// <c>POST /emulator/tenants/{tenantId}/policies/{collection}</c> adds a policy (201, with its new id),
/// <c>PATCH .../{collection}/{id}</c> merges properties in (bumping <c>lastModifiedDateTime</c> and <c>version</c>),
/// <c>DELETE .../{collection}/{id}</c> removes it. <c>{collection}</c> is <c>deviceConfigurations</c> or
/// <c>deviceCompliancePolicies</c>. Changes live until the tenant is redefined.
/// </summary>
public static class EmulatorPolicyAdminEndpoints
{
    public static IEndpointRouteBuilder MapEmulatorPolicyAdminEndpoints(this IEndpointRouteBuilder app)
    {
        var policies = app.MapGroup("/emulator/tenants/{tenantId}/policies/{collection}");
        policies.MapPost("/", CreateAsync);
        policies.MapPatch("/{id}", UpdateAsync);
        policies.MapDelete("/{id}", Delete);
        return app;
    }

    private static async Task<IResult> CreateAsync(string tenantId, string collection, HttpRequest request, TenantStore store)
    {
        if (Resolve(store, tenantId, collection, out var tenant, out var kind) is { } invalid)
            return invalid;
        if (await ReadBodyAsync(request) is not { } body)
            return InvalidJson();

        var errors = PolicyDocument.TryCreate(body, kind, tenant!.UtcNow, out var created);
        if (errors.Count > 0)
            return TypedResults.ValidationProblem(errors);

        tenant.ChangeDataSet(dataSet => (dataSet.WithPolicies(kind, [.. dataSet.Policies(kind), created!]), 0));
        return TypedResults.Created($"/v1.0/deviceManagement/{collection}/{created!.Id}", created);
    }

    private static async Task<IResult> UpdateAsync(string tenantId, string collection, string id, HttpRequest request, TenantStore store)
    {
        if (Resolve(store, tenantId, collection, out var tenant, out var kind) is { } invalid)
            return invalid;
        if (await ReadBodyAsync(request) is not { } body)
            return InvalidJson();

        return tenant!.ChangeDataSet<IResult>(dataSet =>
        {
            if (dataSet.Find(kind, id) is not { } existing)
                return (dataSet, UnknownPolicy(collection, id));
            var errors = PolicyDocument.TryMerge(existing, body, kind, tenant.UtcNow, out var updated);
            if (errors.Count > 0)
                return (dataSet, TypedResults.ValidationProblem(errors));
            var policies = dataSet.Policies(kind).Select(p => ReferenceEquals(p, existing) ? updated! : p).ToList();
            return (dataSet.WithPolicies(kind, policies), TypedResults.Ok(updated));
        });
    }

    private static IResult Delete(string tenantId, string collection, string id, TenantStore store)
    {
        if (Resolve(store, tenantId, collection, out var tenant, out var kind) is { } invalid)
            return invalid;

        return tenant!.ChangeDataSet<IResult>(dataSet => dataSet.Find(kind, id) is { } existing
            ? (dataSet.WithPolicies(kind, [.. dataSet.Policies(kind).Where(p => !ReferenceEquals(p, existing))]), TypedResults.NoContent())
            : (dataSet, UnknownPolicy(collection, id)));
    }

    private static IResult? Resolve(TenantStore store, string tenantId, string collection, out EmulatedTenant? tenant, out PolicyKind kind)
    {
        tenant = null;
        kind = default;
        if (TenantStore.NormalizeTenantId(tenantId) is null)
            return TypedResults.Problem($"The tenant id '{tenantId}' is not a GUID.", statusCode: StatusCodes.Status400BadRequest);
        switch (collection)
        {
            case "deviceConfigurations":
                kind = PolicyKind.DeviceConfiguration;
                break;
            case "deviceCompliancePolicies":
                kind = PolicyKind.CompliancePolicy;
                break;
            default:
                return TypedResults.ValidationProblem(new Dictionary<string, string[]>
                {
                    ["collection"] = [$"'{collection}' is not a policy collection: use deviceConfigurations or deviceCompliancePolicies."],
                });
        }

        return store.TryGet(tenantId, out tenant)
            ? null
            : TypedResults.Problem($"Tenant '{tenantId}' is not defined; PUT /emulator/tenants/{tenantId} first.",
                statusCode: StatusCodes.Status404NotFound);
    }

    private static async Task<JsonElement?> ReadBodyAsync(HttpRequest request)
    {
        try
        {
            using var document = await JsonDocument.ParseAsync(request.Body, cancellationToken: request.HttpContext.RequestAborted);
            return document.RootElement.Clone();
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static ValidationProblem InvalidJson() =>
        TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["body"] = ["The body is not valid JSON."] });

    private static ProblemHttpResult UnknownPolicy(string collection, string id) =>
        TypedResults.Problem($"No policy '{id}' in {collection}.", statusCode: StatusCodes.Status404NotFound);
}
