using TenantAtlas.Workers;

namespace TenantAtlas.Bench.Worker;

/// <summary>Does no work: notes when it started (the end of dispatch latency) and completes the run.</summary>
internal sealed class NoopHandler(HandlerStarts starts) : IRunHandler
{
    public Task HandleAsync(RunWorkContext run, CancellationToken cancellationToken)
    {
        starts.Record(run.RunId);
        run.Succeeded(1);
        return Task.CompletedTask;
    }
}
