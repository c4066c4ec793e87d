using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using TenantAtlas.Runs.V1;
using static TenantAtlas.RunsService.Tests.RunsServiceFixture;

namespace TenantAtlas.RunsService.Tests.Grpc;

/// <summary>Request bytes that are not a valid message are the caller's mistake: INVALID_ARGUMENT, never UNKNOWN, nothing written.</summary>
public sealed class MalformedMessageTests(RunsServiceFixture service) : IClassFixture<RunsServiceFixture>
{
    private static readonly Marshaller<byte[]> Raw = Marshallers.Create(bytes => bytes, bytes => bytes);

    private Task<byte[]> CallAsync(string method, byte[] body, string? token) =>
        service.Channel(token).CreateCallInvoker().AsyncUnaryCall(
            new Method<byte[], byte[]>(MethodType.Unary, "tenantatlas.runs.v1.RunsService", method, Raw, Raw),
            null, new CallOptions(), body).ResponseAsync;

    public static TheoryData<string, byte[], string> Garbage() => new()
    {
        { "random bytes", [0xff, 0xff, 0xff, 0xff, 0x0f, 0x42, 0x13], "not a valid tenantatlas.runs.v1.GetRunRequest" },
        { "truncated field", new GetRunRequest { RunId = Guid.NewGuid().ToString() }.ToByteArray()[..10], "not a valid tenantatlas.runs.v1.GetRunRequest" },
        { "invalid UTF-8 in a string", [0x0a, 0x03, 0xc3, 0x28, 0xff], "not a valid tenantatlas.runs.v1.GetRunRequest" },
        // A known field number with another wire type is kept as an unknown field: the request then lacks run_id.
        { "wrong wire type", [0x0d, 0x01, 0x02, 0x03, 0x04], "run_id" },
    };

    [Theory]
    [MemberData(nameof(Garbage))]
    public async Task GetRun_WithBytesThatAreNoMessage_IsInvalidArgument(string name, byte[] body, string saying)
    {
        var e = await FailsWith(StatusCode.InvalidArgument, () => CallAsync("GetRun", body, UserToken("malformed-caller")));

        Assert.True(e.Status.Detail.Contains(saying, StringComparison.Ordinal), $"{name}: {e.Status.Detail}");
    }

    [Fact]
    public async Task EnsureRun_WithAContextNestedTooDeep_IsInvalidArgument_AndWritesNothing()
    {
        var (workspaceId, tenantId) = await service.CreateWorkspaceWithTenantAsync("deep-owner");
        var value = Value.ForString("leaf");
        for (var i = 0; i < 40; i++)
        {
            value = Value.ForStruct(new Struct { Fields = { ["n"] = value } });
        }
        var request = InventorySync(workspaceId, tenantId);
        request.Context = value.StructValue;

        await FailsWith(StatusCode.InvalidArgument, () => CallAsync("EnsureRun", request.ToByteArray(), UserToken("deep-owner")));

        Assert.Equal(0, await service.CountAsync("SELECT count(*) FROM runs.operation_runs WHERE workspace_id = @w", ("w", Guid.Parse(workspaceId))));
    }
}
