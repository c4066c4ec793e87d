using Grpc.Net.Client;
using TenantAtlas.Testing.Fuzzing;
using static TenantAtlas.RunsService.Tests.RunsServiceFixture;

namespace TenantAtlas.RunsService.Tests.Grpc;

/// <summary>
/// Every unary RPC RunsService serves, fed mutated protobuf (truncated, wrong wire types, 100,000 repeated elements,
/// nesting past the recursion limit, invalid UTF-8, 10 MB): a caller-error status every time, never UNKNOWN or
/// INTERNAL, and no row written by a call that failed. Issue 12.
/// </summary>
public sealed class ProtocolFuzzTests(RunsServiceFixture service) : IClassFixture<RunsServiceFixture>
{
    [Fact]
    public async Task EveryRpc_AnswersMutatedRequests_WithACallerError_AndWritesNothing()
    {
        // The platform admin owns the workspace, so the sample requests reach past access checks into validation and writes.
        var (workspaceId, tenantId) = await service.CreateWorkspaceWithTenantAsync(PlatformAdmin, "Fuzz");
        var run = (await service.Runs(UserToken(PlatformAdmin)).EnsureRunAsync(InventorySync(workspaceId, tenantId))).Run;
        var known = new Dictionary<string, string>
        {
            ["workspace_id"] = workspaceId, ["tenant_id"] = tenantId, ["run_id"] = run.RunId, ["type"] = "inventory.sync",
            ["owner_subject"] = PlatformAdmin, ["status"] = "2", ["outcome"] = "0", ["page_size"] = "10", ["page_token"] = "", ["click_id"] = "",
        };
        using var user = service.Channel(UserToken(PlatformAdmin));
        using var worker = service.Channel(ServiceToken());
        var fuzzer = new GrpcFuzzer(method => (method.Name == "UpdateRun" ? worker : user).CreateCallInvoker(), known);
        var methods = GrpcFuzzer.ServedUnaryMethods(service.Services);

        var problems = new List<string>();
        foreach (var method in methods)
        {
            problems.AddRange(await fuzzer.FuzzAsync(method, WrittenRowsAsync));
        }

        Assert.Contains(methods, m => m.FullName == "tenantatlas.runs.v1.RunsService.EnsureRun");
        Assert.Contains(methods, m => m.FullName == "tenantatlas.access.v1.AccessService.CreateWorkspace");
        Assert.True(problems.Count == 0, string.Join(Environment.NewLine, problems));
    }

    private async Task<long> WrittenRowsAsync() => await service.CountAsync(
        "SELECT (SELECT count(*) FROM runs.operation_runs) + (SELECT count(*) FROM runs.workspaces) + (SELECT count(*) FROM runs.tenants)");
}
