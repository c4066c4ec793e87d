using System.Diagnostics;
using Grpc.Net.Client;
using TenantAtlas.Runs.V1;
using Xunit.Abstractions;
using RunsClient = TenantAtlas.Runs.V1.RunsService.RunsServiceClient;

namespace TenantAtlas.AppHost.Tests.Faults;

/// <summary>What every fault scenario needs: the suite, a RunsService client as the owner, waits that time out into a figure.</summary>
[Collection(SharedFaultSuite.Name)]
[Trait("Category", "Faults")]
public abstract class FaultScenario(FaultSuite faults, ITestOutputHelper output) : IDisposable
{
    private GrpcChannel? channel;

    protected FaultSuite Faults { get; } = faults;

    protected SuiteApp Suite => Faults.Suite;

    protected ITestOutputHelper Output { get; } = output;

    protected RunsClient Runs => new(channel ??= Suite.RunsChannel(Suite.OwnerToken));

    /// <summary>Starts an inventory sync of a tenant through the gateway; returns its run id.</summary>
    protected async Task<string> StartSyncAsync(string tenantId)
    {
        using var gateway = Suite.Gateway(Suite.OwnerToken);
        return (await SuiteApp.StartSyncAsync(gateway, tenantId)).GetProperty("runId").GetString()!;
    }

    /// <summary>The run once completed, or null when it is still queued or running after <paramref name="within"/> (stuck).</summary>
    protected async Task<Run?> CompletedOrNullAsync(string runId, TimeSpan within)
    {
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            try
            {
                var run = (await Runs.GetRunAsync(new GetRunRequest { RunId = runId })).Run;
                if (run.Status == RunStatus.Completed)
                {
                    return run;
                }
            }
            catch (Grpc.Core.RpcException e) when (e.StatusCode == Grpc.Core.StatusCode.Unavailable)
            {
                // A scenario may have RunsService or PostgreSQL away for a moment.
            }
            if (deadline.Elapsed > within)
            {
                return null;
            }
            await Task.Delay(200);
        }
    }

    /// <summary>How many times the handler enumerated a tenant's device configurations: one per execution of its sync.</summary>
    protected async Task<int> SyncExecutionsAsync(string entraTenantId) =>
        (await Suite.GraphEmulatorAsync(HttpMethod.Get, $"/emulator/tenants/{entraTenantId}/requests"))
            .GetProperty("collectionReads").TryGetProperty("deviceConfigurations", out var reads) ? reads.GetInt32() : 0;

    protected void Record(FaultResult result) => FaultReport.Record(Output, result);

    public void Dispose()
    {
        channel?.Dispose();
        GC.SuppressFinalize(this);
    }
}
