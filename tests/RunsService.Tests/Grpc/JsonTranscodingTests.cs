using System.Net;
using System.Text.Json;
using static TenantAtlas.RunsService.Tests.RunsServiceFixture;

namespace TenantAtlas.RunsService.Tests.Grpc;

/// <summary>The google.api.http reads answer JSON with the same status semantics as gRPC.</summary>
public sealed class JsonTranscodingTests(RunsServiceFixture service) : IClassFixture<RunsServiceFixture>
{
    private const string Owner = "rest-owner";
    private const string ReaderOwner = "rest-reader-owner";

    [Fact]
    public async Task RestReads_ReturnJson_ForAMember()
    {
        var (workspaceId, tenantId) = await service.CreateWorkspaceWithTenantAsync(ReaderOwner);
        var run = (await service.Runs(UserToken(ReaderOwner)).EnsureRunAsync(InventorySync(workspaceId, tenantId))).Run;
        var http = service.Http(UserToken(ReaderOwner));

        using var detail = JsonDocument.Parse(await http.GetStringAsync($"/v1/runs/{run.RunId}"));
        using var list = JsonDocument.Parse(await http.GetStringAsync($"/v1/workspaces/{workspaceId}/runs?pageSize=5&types=inventory.sync"));
        using var notifications = JsonDocument.Parse(await http.GetStringAsync("/v1/notifications"));
        using var workspaces = JsonDocument.Parse(await http.GetStringAsync("/v1/workspaces"));

        Assert.Equal(run.RunId, detail.RootElement.GetProperty("run").GetProperty("runId").GetString());
        Assert.Equal("RUN_STATUS_QUEUED", detail.RootElement.GetProperty("run").GetProperty("status").GetString());
        Assert.Equal(run.RunId, list.RootElement.GetProperty("runs")[0].GetProperty("runId").GetString());
        Assert.Equal("1", notifications.RootElement.GetProperty("unreadCount").GetRawText().Trim('"'));
        Assert.Equal(workspaceId, workspaces.RootElement.GetProperty("workspaces")[0].GetProperty("workspace").GetProperty("workspaceId").GetString());
    }

    [Fact]
    public async Task RestReads_MapStatusCodes_ToHttp_WithJsonErrorBody()
    {
        var (workspaceId, tenantId) = await service.CreateWorkspaceWithTenantAsync(Owner);
        var run = (await service.Runs(UserToken(Owner)).EnsureRunAsync(InventorySync(workspaceId, tenantId))).Run;

        using var anonymous = await service.Http(null).GetAsync($"/v1/runs/{run.RunId}");
        using var outsider = await service.Http(UserToken("rest-outsider")).GetAsync($"/v1/runs/{run.RunId}");
        using var malformed = await service.Http(UserToken(Owner)).GetAsync("/v1/runs/not-a-uuid");

        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, outsider.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, malformed.StatusCode);
        using var badRequest = JsonDocument.Parse(await malformed.Content.ReadAsStringAsync());
        Assert.Equal("run_id", badRequest.RootElement.GetProperty("details")[0].GetProperty("fieldViolations")[0].GetProperty("field").GetString());
        using var error = JsonDocument.Parse(await outsider.Content.ReadAsStringAsync());
        Assert.Equal(5, error.RootElement.GetProperty("code").GetInt32());
        Assert.Contains(run.RunId, error.RootElement.GetProperty("message").GetString(), StringComparison.Ordinal);
    }
}
