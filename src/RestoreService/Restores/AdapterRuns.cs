using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using TenantAtlas.RestoreService.Persistence;
using TenantAtlas.Runs.V1;
using TenantAtlas.Workers;
using RunTypes = TenantAtlas.Contracts.RunTypes;

namespace TenantAtlas.RestoreService.Restores;

/// <summary>What a restore's runs carry in their context: the restore (seed 054: <c>{"restore_run_id": …}</c>).</summary>
public static class RestoreRunContext
{
    public const string RestoreRunIdField = "restore_run_id";

    public static Struct For(Guid restoreId) => new() { Fields = { [RestoreRunIdField] = Value.ForString(restoreId.ToString()) } };

    public static Guid? From(Struct context) =>
        context.Fields.TryGetValue(RestoreRunIdField, out var value) && Guid.TryParse(value.StringValue, out var id) ? id : null;
}

/// <summary>
/// The restore.execute run of a restore (seed 054's adapter): one per restore for ever (ONCE identity on the restore),
/// created held when the first preview is stored, released when the user executes, completed by the worker host when
/// the execution ends — or cancelled here when the restore is cancelled before it ran.
/// </summary>
public sealed class AdapterRuns(RunsClient runs, ServiceToken token)
{
    /// <summary>The restore's adapter run, created held (not dispatched) the first time; the existing one afterwards.</summary>
    public async Task<Run> EnsureAsync(RestoreRunEntity restore, CancellationToken ct)
    {
        var ensured = await runs.Raw.EnsureRunAsync(new EnsureRunRequest
        {
            WorkspaceId = restore.WorkspaceId.ToString(),
            TenantId = restore.TargetTenantId.ToString(),
            Type = RunTypes.RestoreExecute,
            IdentityInputs = { ["restore"] = restore.Id.ToString() },
            IdentityPolicy = IdentityPolicy.Once,
            Context = RestoreRunContext.For(restore.Id),
            HoldDispatch = true,
        }, await token.HeadersAsync(), cancellationToken: ct);
        return ensured.Run;
    }

    /// <summary>Dispatches the adapter run, as <paramref name="headers"/> (the executing user's token, or the service's when healing).</summary>
    public async Task<Run> ReleaseAsync(Guid runId, Metadata? headers, CancellationToken ct) =>
        (await runs.Raw.ReleaseRunAsync(new ReleaseRunRequest { RunId = runId.ToString() }, headers ?? await token.HeadersAsync(),
            cancellationToken: ct)).Run;

    /// <summary>Completes the adapter run as cancelled; one that already completed is left as it is.</summary>
    public async Task CancelAsync(Guid runId, CancellationToken ct)
    {
        try
        {
            await runs.UpdateAsync(new UpdateRunRequest { RunId = runId.ToString(), Status = RunStatus.Completed, Outcome = RunOutcome.Cancelled }, ct);
        }
        catch (RpcException e) when (e.StatusCode == StatusCode.FailedPrecondition)
        {
            // Completed already: its worker finished it, or an earlier cancel did.
        }
    }

    public Task<Run> GetAsync(Guid runId, CancellationToken ct) => runs.GetAsync(runId.ToString(), ct);
}
