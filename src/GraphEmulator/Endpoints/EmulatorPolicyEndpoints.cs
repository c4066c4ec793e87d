using System.Text.Json;
using TenantAtlas.GraphEmulator.Tenants;

namespace TenantAtlas.GraphEmulator.Endpoints;

/// <summary>
/// The emulator's admin API for changing a tenant's policies between two reads (backup re-captures, drift):
/// <c>POST /emulator/tenants/{id}/policies/{collection}</c> adds a policy from its Graph JSON (<c>@odata.type</c> and
/// <c>displayName</c> required) and returns it with its new id; <c>PATCH …/{policyId}</c> merges properties into it
/// (a null removes one) and bumps <c>version</c> and <c>lastModifiedDateTime</c>; <c>DELETE …/{policyId}</c> removes it.
/// <c>{collection}</c> is <c>deviceConfigurations</c> or <c>deviceCompliancePolicies</c>.
/// </summary>
public static class EmulatorPolicyEndpoints
{
    public static IEndpointRouteBuilder MapEmulatorPolicyEndpoints(this IEndpointRouteBuilder app)
    {
        var policies = app.MapGroup("/emulator/tenants/{tenantId}/policies/{collection}");
        policies.MapPost("/", (string tenantId, string collection, JsonElement body, TenantStore store, TimeProvider time) =>
            With(store, tenantId, collection, (tenant, kind) => Add(tenant, kind, body, time)));
        policies.MapPatch("/{policyId}", (string tenantId, string collection, string policyId, JsonElement body, TenantStore store, TimeProvider time) =>
            With(store, tenantId, collection, (tenant, kind) => Change(tenant, kind, policyId, body, time)));
        policies.MapDelete("/{policyId}", (string tenantId, string collection, string policyId, TenantStore store) =>
            With(store, tenantId, collection, (tenant, kind) => tenant.ChangePolicies(kind, list => list.RemoveAll(p => Same(p.Id, policyId)) > 0)
                ? Results.NoContent()
                : (IResult)UnknownPolicy(policyId)));
        return app;
    }

    private static IResult Add(EmulatedTenant tenant, PolicyKind kind, JsonElement body, TimeProvider time)
    {
        if (body.ValueKind != JsonValueKind.Object
            || !body.TryGetProperty("@odata.type", out var type) || type.ValueKind != JsonValueKind.String
            || !body.TryGetProperty("displayName", out var name) || name.ValueKind != JsonValueKind.String)
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]>
            {
                ["body"] = ["A policy's Graph JSON object with a string '@odata.type' and 'displayName'."],
            });
        }
        var now = time.GetUtcNow().UtcDateTime;
        var policy = new Policy(type.GetString()!, Guid.NewGuid().ToString(), name.GetString()!,
            body.TryGetProperty("description", out var description) && description.ValueKind == JsonValueKind.String ? description.GetString()! : string.Empty,
            now, now, 1)
        {
            Settings = Settings(body, new Dictionary<string, object>()),
        };
        if (kind == PolicyKind.CompliancePolicy)
        {
            var dataSet = tenant.DataSet;
            policy = policy with
            {
                ScheduledActions = ComplianceActions.For(policy, withBlock: true,
                    dataSet.NotificationTemplates.Count > 0 ? dataSet.NotificationTemplates[0].Id : ComplianceActions.NoTemplate,
                    dataSet.Groups.Count > 0 ? dataSet.Groups[0].Id : Guid.Empty.ToString()),
            };
        }
        tenant.ChangePolicies(kind, list => { list.Add(policy); return true; });
        return TypedResults.Created($"/emulator/tenants/{tenant.TenantId}/policies/{policy.Id}", policy);
    }

    private static IResult Change(EmulatedTenant tenant, PolicyKind kind, string policyId, JsonElement body, TimeProvider time)
    {
        if (body.ValueKind != JsonValueKind.Object)
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["body"] = ["A JSON object of the properties to change."] });
        }
        var changed = tenant.ChangePolicies(kind, list =>
        {
            var index = list.FindIndex(p => Same(p.Id, policyId));
            if (index < 0)
                return null;
            var old = list[index];
            list[index] = old with
            {
                DisplayName = body.TryGetProperty("displayName", out var name) && name.ValueKind == JsonValueKind.String ? name.GetString()! : old.DisplayName,
                Description = body.TryGetProperty("description", out var text) && text.ValueKind == JsonValueKind.String ? text.GetString()! : old.Description,
                Version = old.Version + 1,
                LastModifiedDateTime = time.GetUtcNow().UtcDateTime,
                Settings = Settings(body, new Dictionary<string, object>(old.Settings)),
            };
            return list[index];
        });
        return changed is null ? UnknownPolicy(policyId) : TypedResults.Ok(changed);
    }

    /// <summary>The body's type-specific properties merged into <paramref name="settings"/> (a null removes one).</summary>
    private static Dictionary<string, object> Settings(JsonElement body, Dictionary<string, object> settings)
    {
        foreach (var property in body.EnumerateObject())
        {
            if (property.Name is "@odata.type" or "id" or "displayName" or "description" or "createdDateTime" or "lastModifiedDateTime" or "version")
                continue;
            if (property.Value.ValueKind == JsonValueKind.Null)
                settings.Remove(property.Name);
            else
                settings[property.Name] = property.Value.Clone();
        }
        return settings;
    }

    private static IResult With(TenantStore store, string tenantId, string collection, Func<EmulatedTenant, PolicyKind, IResult> action)
    {
        PolicyKind? kind = collection switch
        {
            "deviceConfigurations" => PolicyKind.DeviceConfiguration,
            "deviceCompliancePolicies" => PolicyKind.CompliancePolicy,
            _ => null,
        };
        if (kind is null)
            return TypedResults.Problem($"Unknown collection '{collection}': deviceConfigurations or deviceCompliancePolicies.", statusCode: StatusCodes.Status404NotFound);
        return store.TryGet(tenantId, out var tenant)
            ? action(tenant, kind.Value)
            : TypedResults.Problem($"Tenant '{tenantId}' is not defined; PUT /emulator/tenants/{tenantId} first.", statusCode: StatusCodes.Status404NotFound);
    }

    private static bool Same(string a, string b) => string.Equals(a, b, StringComparison.OrdinalIgnoreCase);

    private static Microsoft.AspNetCore.Http.HttpResults.ProblemHttpResult UnknownPolicy(string policyId) =>
        TypedResults.Problem($"The tenant has no policy '{policyId}' in that collection.", statusCode: StatusCodes.Status404NotFound);
}
