using TenantAtlas.GraphEmulator.Graph;
using TenantAtlas.GraphEmulator.Tenants;

namespace TenantAtlas.GraphEmulator.Endpoints;

/// <summary>
/// Stores a Graph write and answers it: the change runs under the tenant's change lock, the request is marked as
/// a stored write for the request log, and the tenant's dropped-response fault is applied after storing, so a
/// client that sees the connection reset cannot know the write landed. Policy and notification template writes
/// (and their sub-resources) all commit here.
/// </summary>
internal static class PolicyWriteCommit
{
    /// <summary>What a write stored: the item's id (listed as the write's <c>policyId</c>) and display name (for faults).</summary>
    public sealed record WrittenItem(string Id, string? DisplayName);

    /// <summary>The outcome of a change: the data set to keep, the item written (null = nothing stored) and the answer.</summary>
    public readonly record struct Outcome(TenantDataSet DataSet, WrittenItem? Written, IResult Result)
    {
        public static Outcome Refused(TenantDataSet unchanged, IResult error) => new(unchanged, null, error);

        public static Outcome Stored(TenantDataSet changed, Policy policy, IResult result) =>
            new(changed, new WrittenItem(policy.Id, policy.DisplayName), result);

        public static Outcome Stored(TenantDataSet changed, NotificationMessageTemplate template, IResult result) =>
            new(changed, new WrittenItem(template.Id, template.DisplayName), result);
    }

    public static IResult Commit(HttpContext context, string collection, string operation, Func<TenantDataSet, Outcome> change)
    {
        var tenant = context.GraphTenant();
        var outcome = tenant.ChangeDataSet<Outcome>(dataSet =>
        {
            var result = change(dataSet);
            return (result.Written is null ? dataSet : result.DataSet, result);
        });
        if (outcome.Written is not { } written)
            return outcome.Result;

        var dropped = tenant.Faults.TakeDroppedResponse(context.Request.Method, collection, operation, written.DisplayName);
        context.SetStoredWrite(new StoredWrite(written.Id, dropped));
        if (!dropped)
            return outcome.Result;

        // The write is stored; the client gets no answer at all (a reset connection, not a status it could trust).
        context.Response.StatusCode = (outcome.Result as IStatusCodeHttpResult)?.StatusCode ?? StatusCodes.Status200OK;
        WriteRecording.RecordOnce(context, tenant, context.Response.StatusCode);
        context.Abort();
        return Results.Empty;
    }
}
