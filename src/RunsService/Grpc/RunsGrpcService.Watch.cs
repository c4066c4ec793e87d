using Grpc.Core;
using Microsoft.Extensions.Options;
using TenantAtlas.Runs.V1;
using TenantAtlas.RunsService.Runs;
using TenantAtlas.RunsService.Watch;

namespace TenantAtlas.RunsService.Grpc;

public sealed partial class RunsGrpcService
{
    public override async Task WatchRun(WatchRunRequest request, IServerStreamWriter<WatchRunResponse> responseStream, ServerCallContext context)
    {
        var runId = RunRequests.ToRunId(request.RunId);
        var ct = context.CancellationToken;
        // Registered before the run is read: a change committed in between is offered too (and dropped if not newer).
        using var watcher = await watches.WatchRunAsync(runId, ct);
        watcher.Offer((await runs.GetAsync(context.Caller(), runId, ct)).ToProto());
        await foreach (var run in ChangesAsync(watcher, async () => watcher.Offer((await runs.GetAsync(context.Caller(), runId, ct)).ToProto()), ct))
        {
            await responseStream.WriteAsync(new WatchRunResponse { Run = run }, ct);
            if (run.Status == RunStatus.Completed)
            {
                return;
            }
        }
    }

    public override async Task WatchRuns(WatchRunsRequest request, IServerStreamWriter<WatchRunsResponse> responseStream, ServerCallContext context)
    {
        var v = new RequestValidator();
        var workspaceId = v.RequiredId("workspace_id", request.WorkspaceId);
        var tenantId = v.OptionalId("tenant_id", request.TenantId);
        v.ThrowIfInvalid();
        var ct = context.CancellationToken;
        var visibility = await access.VisibilityAsync(context.Caller(), workspaceId, tenantId, ct);
        using var watcher = await watches.WatchWorkspaceAsync(workspaceId, Filter(visibility), ct);
        await foreach (var run in ChangesAsync(watcher, async () =>
        {
            // Access as ListRuns', again: a member who lost the workspace is cut off, one whose role changed sees what it now allows.
            watcher.Wants = Filter(await access.VisibilityAsync(context.Caller(), workspaceId, tenantId, ct));
        }, ct))
        {
            await responseStream.WriteAsync(new WatchRunsResponse { Run = run }, ct);
        }

        Func<Run, bool> Filter(RunVisibility visible) => run =>
        {
            Guid? runTenant = run.TenantId.Length == 0 ? null : Guid.Parse(run.TenantId);
            return (tenantId is null || runTenant == tenantId) && visible.Allows(runTenant, run.Type);
        };
    }

    /// <summary>
    /// The watcher's changes until the client leaves, calling <paramref name="recheck"/> every
    /// <see cref="WatchOptions.RecheckInterval"/> (access again; it throws the RPC's refusal when access was lost).
    /// </summary>
    private async IAsyncEnumerable<Run> ChangesAsync(RunWatcher watcher, Func<Task> recheck,
        [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken ct)
    {
        var interval = watchOptions.Value.RecheckInterval;
        var nextCheck = DateTime.UtcNow + interval;
        while (true)
        {
            while (watcher.Changes.TryRead(out var run))
            {
                RunTelemetry.WatchMessages.Add(1);
                yield return run;
            }
            if (watcher.TooSlow)
            {
                RunTelemetry.WatchersCutOff.Add(1, new KeyValuePair<string, object?>("reason", "too_slow"));
                throw new RpcException(new Status(StatusCode.ResourceExhausted,
                    $"This watcher fell more than {RunWatcher.Capacity} changes behind and was cut off; watch again (the first message is the current state)."));
            }
            using var wait = CancellationTokenSource.CreateLinkedTokenSource(ct);
            wait.CancelAfter(nextCheck - DateTime.UtcNow is { Ticks: > 0 } left ? left : TimeSpan.Zero);
            var open = true;
            try
            {
                open = await watcher.Changes.WaitToReadAsync(wait.Token) || watcher.TooSlow;
            }
            catch (OperationCanceledException) when (!ct.IsCancellationRequested)
            {
                try
                {
                    await recheck();
                }
                catch (Exception e) when (e is NotFoundException or PermissionDeniedException)
                {
                    RunTelemetry.WatchersCutOff.Add(1, new KeyValuePair<string, object?>("reason", "access"));
                    throw;
                }
                nextCheck = DateTime.UtcNow + interval;
            }
            if (!open)
            {
                yield break;
            }
        }
    }
}
