using Npgsql;
using TenantAtlas.Testing.Fuzzing;

namespace TenantAtlas.InventoryService.Tests;

/// <summary>
/// Every unary RPC InventoryService serves, fed the same seeded protobuf mutations as RunsService's
/// (tests/RunsService.Tests/Grpc/ProtocolFuzzTests.cs): caller-error statuses only, and no run started by a failed call.
/// </summary>
public sealed class ProtocolFuzzTests(SuiteFixture suite) : IClassFixture<SuiteFixture>
{
    [Fact]
    public async Task EveryRpc_AnswersMutatedRequests_WithACallerError_AndStartsNoRun()
    {
        var (workspaceId, tenantId, _, _) = await suite.CreateTenantAsync("fuzz-owner", deviceConfigurations: 1, compliancePolicies: 1);
        var known = new Dictionary<string, string> { ["workspace_id"] = workspaceId, ["tenant_id"] = tenantId, ["page_size"] = "10", ["page_token"] = "", ["run_id"] = "" };
        using var channel = suite.InventoryChannel(SuiteFixture.UserToken("fuzz-owner"));
        var fuzzer = new GrpcFuzzer(_ => channel.CreateCallInvoker(), known);
        var methods = GrpcFuzzer.ServedUnaryMethods(suite.Inventory.Services);

        var problems = new List<string>();
        foreach (var method in methods)
        {
            problems.AddRange(await fuzzer.FuzzAsync(method, RunsAsync));
        }

        Assert.Contains(methods, m => m.FullName == "tenantatlas.inventory.v1.InventoryService.StartInventorySync");
        Assert.True(problems.Count == 0, string.Join(Environment.NewLine, problems));
    }

    private async Task<long> RunsAsync()
    {
        await using var connection = new NpgsqlConnection(suite.RunsDb);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT count(*) FROM runs.operation_runs", connection);
        return (long)(await command.ExecuteScalarAsync())!;
    }
}
