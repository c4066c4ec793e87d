using Grpc.Core;
using TenantAtlas.Runs.V1;
using TenantAtlas.ServiceDefaults;
using static TenantAtlas.RunsService.Tests.RunsServiceFixture;

namespace TenantAtlas.RunsService.Tests.Grpc;

/// <summary>Every call, answered or refused, tells the caller the server's own time in a server-timing trailer.</summary>
public sealed class ServerTimingTests(RunsServiceFixture service) : IClassFixture<RunsServiceFixture>
{
    private const string Owner = "timing-owner";

    [Fact]
    public async Task SuccessfulCall_CarriesServerTiming_NoLongerThanTheRoundTrip()
    {
        var (workspaceId, _) = await service.CreateWorkspaceWithTenantAsync(Owner);
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        using var call = service.Runs(UserToken(Owner)).ListRunsAsync(new ListRunsRequest { WorkspaceId = workspaceId });
        await call;
        var roundTrip = System.Diagnostics.Stopwatch.GetElapsedTime(started).TotalMilliseconds;

        var serverMs = ServerTimingInterceptor.Parse(call.GetTrailers());
        Assert.NotNull(serverMs);
        Assert.InRange(serverMs.Value, 0.0, roundTrip);
    }

    [Fact]
    public async Task RefusedCall_CarriesServerTimingToo()
    {
        var e = await FailsWith(StatusCode.InvalidArgument, () =>
            service.Runs(UserToken(Owner)).ListRunsAsync(new ListRunsRequest { WorkspaceId = "not-a-uuid" }).ResponseAsync);

        Assert.NotNull(ServerTimingInterceptor.Parse(e.Trailers));
    }

    [Theory]
    [InlineData("app;dur=1.5", 1.5)]
    [InlineData("app;dur=0.042;desc=\"handler\"", 0.042)]
    public void Parse_ReadsTheDuration(string value, double expected) =>
        Assert.Equal(expected, ServerTimingInterceptor.Parse(new Metadata { { ServerTimingInterceptor.TrailerName, value } }));

    [Fact]
    public void Parse_WithoutTrailer_IsNull() => Assert.Null(ServerTimingInterceptor.Parse([]));
}
