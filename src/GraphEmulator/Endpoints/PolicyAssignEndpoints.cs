using TenantAtlas.GraphEmulator.Graph;
using TenantAtlas.GraphEmulator.Tenants;

namespace TenantAtlas.GraphEmulator.Endpoints;

/// <summary>
/// <c>POST /v1.0/deviceManagement/{collection}/{id}/assign</c>: replace-all, as Intune's (a partial list removes
/// the others, an empty one removes every assignment). Answers 200 with the resulting assignments
/// (<c>{"value":[...]}</c>), as Graph documents it; <c>/assignments</c> reads show the new set.
/// </summary>
public static class PolicyAssignEndpoints
{
    public static IEndpointRouteBuilder MapPolicyAssignEndpoints(this IEndpointRouteBuilder app)
    {
        foreach (var (segment, kind) in PolicyCollections.All)
        {
            app.MapPost($"/v1.0/deviceManagement/{segment}/{{id}}/assign",
                (string id, HttpContext context) => AssignAsync(context, segment, kind, id));
        }

        return app;
    }

    private static async Task<IResult> AssignAsync(HttpContext context, string segment, PolicyKind kind, string id)
    {
        if (await GraphJsonBody.ReadAsync(context) is not { } body)
            return GraphJsonBody.Invalid(context);

        var assignmentType = kind == PolicyKind.DeviceConfiguration ? "deviceConfigurationAssignment" : "deviceCompliancePolicyAssignment";
        var odataContext = $"{PagedCollection.MetadataRoot(context.Request)}#Collection(microsoft.graph.{assignmentType})";
        return PolicyWriteCommit.Commit(context, segment, "assign", dataSet =>
        {
            if (dataSet.Find(kind, id) is not { } existing)
                return PolicyWriteCommit.Outcome.Refused(dataSet, PolicyCollections.NotFound(context, id));
            if (AssignmentBody.TryRead(body, existing.Id, out var assignments) is { } error)
                return PolicyWriteCommit.Outcome.Refused(dataSet, GraphErrors.Result(context, StatusCodes.Status400BadRequest, error));
            var assigned = existing with { Assignments = assignments };
            return PolicyWriteCommit.Outcome.Stored(
                dataSet.WithPolicies(kind, [.. dataSet.Policies(kind).Select(p => ReferenceEquals(p, existing) ? assigned : p)]),
                assigned,
                TypedResults.Ok(new ODataPage<PolicyAssignment>(odataContext, NextLink: null, assignments)));
        });
    }
}
