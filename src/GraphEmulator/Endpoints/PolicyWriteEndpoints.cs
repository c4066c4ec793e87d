using System.Text.Json;
using System.Text.Json.Nodes;
using TenantAtlas.GraphEmulator.Graph;
using TenantAtlas.GraphEmulator.Tenants;

namespace TenantAtlas.GraphEmulator.Endpoints;

/// <summary>
/// Graph v1.0 policy writes, as strict as Graph's documentation (<see cref="GraphPolicySchema"/>): <c>POST .../{collection}</c>
/// creates (201 with the stored policy: id, dates and version are the server's, whatever the body sent; the tenant's
/// create defaults fill in what the body lacks), <c>PATCH .../{collection}/{id}</c>
/// merges top-level properties (200 with the policy; <c>lastModifiedDateTime</c> and <c>version</c> advance),
/// <c>DELETE .../{collection}/{id}</c> removes (204), and <c>POST .../deviceCompliancePolicies/{id}/scheduleActionsForRules</c>
/// replaces a compliance policy's scheduled actions (204). Assignments: <see cref="PolicyAssignEndpoints"/>.
/// </summary>
public static class PolicyWriteEndpoints
{
    public static IEndpointRouteBuilder MapPolicyWriteEndpoints(this IEndpointRouteBuilder app)
    {
        var deviceManagement = app.MapGroup("/v1.0/deviceManagement");
        foreach (var (segment, kind) in PolicyCollections.All)
        {
            // HttpRequest, not HttpContext: a lambda of HttpContext alone would bind as a RequestDelegate and drop the result.
            deviceManagement.MapPost($"/{segment}", (HttpRequest request) => CreateAsync(request.HttpContext, segment, kind));
            deviceManagement.MapPatch($"/{segment}/{{id}}", (string id, HttpContext context) => UpdateAsync(context, segment, kind, id));
            deviceManagement.MapDelete($"/{segment}/{{id}}", (string id, HttpContext context) => Delete(context, segment, kind, id));
        }

        deviceManagement.MapPost($"/{PolicyCollections.DeviceCompliancePolicies}/{{id}}/scheduleActionsForRules",
            (string id, HttpContext context) => ScheduleActionsForRulesAsync(context, id));
        return app;
    }

    private static async Task<IResult> CreateAsync(HttpContext context, string segment, PolicyKind kind)
    {
        if (await GraphJsonBody.ReadAsync(context) is not { } body)
            return GraphJsonBody.Invalid(context);
        if (PolicyWriteRules.CheckCreate(body, kind) is { } refused)
            return BadRequest(context, refused);

        var tenant = context.GraphTenant();
        var stored = WithCreateDefaults(PolicyWriteRules.WithoutServiceMaintained(body), tenant.Definition.CreateDefaults);
        if (PolicyDocument.TryCreate(stored, kind, tenant.UtcNow, out var created) is { Count: > 0 } errors)
            return BadRequest(context, errors);
        created = created! with { CreatedThroughGraph = true };
        return PolicyWriteCommit.Commit(context, segment, "create", dataSet => PolicyWriteCommit.Outcome.Stored(
            dataSet.WithPolicies(kind, [.. dataSet.Policies(kind), created]),
            created,
            TypedResults.Created($"{context.Request.ServiceRoot()}/v1.0/deviceManagement/{segment}/{created.Id}", created)));
    }

    private static async Task<IResult> UpdateAsync(HttpContext context, string segment, PolicyKind kind, string id)
    {
        if (await GraphJsonBody.ReadAsync(context) is not { } body)
            return GraphJsonBody.Invalid(context);

        var tenant = context.GraphTenant();
        return PolicyWriteCommit.Commit(context, segment, "update", dataSet =>
        {
            if (dataSet.Find(kind, id) is not { } existing)
                return PolicyWriteCommit.Outcome.Refused(dataSet, PolicyCollections.NotFound(context, id));
            // Checked against the stored policy's type: a subtype's relationships are refused in its PATCH too.
            if (PolicyWriteRules.CheckUpdate(body, kind, existing.ODataType) is { } refused)
                return PolicyWriteCommit.Outcome.Refused(dataSet, BadRequest(context, refused));
            var changes = PolicyWriteRules.WithoutServiceMaintained(body);
            if (PolicyDocument.TryMerge(existing, changes, kind, tenant.UtcNow, out var updated) is { Count: > 0 } errors)
                return PolicyWriteCommit.Outcome.Refused(dataSet, BadRequest(context, errors));
            return PolicyWriteCommit.Outcome.Stored(Replace(dataSet, kind, existing, updated!), updated!, TypedResults.Ok(updated));
        });
    }

    private static IResult Delete(HttpContext context, string segment, PolicyKind kind, string id) =>
        PolicyWriteCommit.Commit(context, segment, "delete", dataSet => dataSet.Find(kind, id) is { } existing
            ? PolicyWriteCommit.Outcome.Stored(
                dataSet.WithPolicies(kind, [.. dataSet.Policies(kind).Where(p => !ReferenceEquals(p, existing))]), existing, TypedResults.NoContent())
            : PolicyWriteCommit.Outcome.Refused(dataSet, PolicyCollections.NotFound(context, id)));

    /// <summary>The body with the tenant's create defaults for each property it lacks (TenantDefinition.CreateDefaults).</summary>
    private static JsonElement WithCreateDefaults(JsonElement body, IReadOnlyDictionary<string, JsonElement>? defaults)
    {
        if (defaults is not { Count: > 0 })
            return body;
        var merged = JsonNode.Parse(body.GetRawText())!.AsObject();
        foreach (var (name, value) in defaults)
        {
            if (!merged.ContainsKey(name))
                merged[name] = JsonNode.Parse(value.GetRawText());
        }

        return JsonSerializer.SerializeToElement(merged);
    }

    /// <summary>Body <c>{"deviceComplianceScheduledActionForRules":[...]}</c>; the actions are replaced as a whole.</summary>
    private static async Task<IResult> ScheduleActionsForRulesAsync(HttpContext context, string id)
    {
        if (await GraphJsonBody.ReadAsync(context) is not { } body)
            return GraphJsonBody.Invalid(context);
        if (body.ValueKind != JsonValueKind.Object || !body.TryGetProperty("deviceComplianceScheduledActionForRules", out var rules))
            return BadRequest(context, "Property 'deviceComplianceScheduledActionForRules' is required.");
        if (PolicyWriteRules.CheckScheduledActions(rules) is { } refused)
            return BadRequest(context, refused);

        var kind = PolicyKind.CompliancePolicy;
        using var asPolicy = JsonDocument.Parse($"{{\"scheduledActionsForRule\":{rules.GetRawText()}}}");
        var actions = asPolicy.RootElement.Clone();
        var tenant = context.GraphTenant();
        return PolicyWriteCommit.Commit(context, PolicyCollections.DeviceCompliancePolicies, "scheduleActionsForRules", dataSet =>
        {
            if (dataSet.Find(kind, id) is not { } existing)
                return PolicyWriteCommit.Outcome.Refused(dataSet, PolicyCollections.NotFound(context, id));
            // Only the actions change: the emulator keeps the policy's version and dates (Graph's docs say nothing of them here).
            if (PolicyDocument.TryMerge(existing, actions, kind, tenant.UtcNow, out var merged) is { Count: > 0 } errors)
                return PolicyWriteCommit.Outcome.Refused(dataSet, BadRequest(context, errors));
            var updated = existing with { ScheduledActionsForRule = merged!.ScheduledActionsForRule };
            return PolicyWriteCommit.Outcome.Stored(Replace(dataSet, kind, existing, updated), updated, TypedResults.NoContent());
        });
    }

    private static TenantDataSet Replace(TenantDataSet dataSet, PolicyKind kind, Policy existing, Policy updated) =>
        dataSet.WithPolicies(kind, [.. dataSet.Policies(kind).Select(p => ReferenceEquals(p, existing) ? updated : p)]);

    private static IResult BadRequest(HttpContext context, string message) =>
        GraphErrors.Result(context, StatusCodes.Status400BadRequest, message);

    /// <summary>The first of <see cref="PolicyDocument"/>'s errors, naming its property as Graph's message does.</summary>
    private static IResult BadRequest(HttpContext context, Dictionary<string, string[]> errors)
    {
        var (property, messages) = errors.First();
        return BadRequest(context, $"Property '{property}': {string.Join(" ", messages)}");
    }
}
