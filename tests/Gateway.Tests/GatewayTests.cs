using System.Net;
using System.Text.Json;
using static TenantAtlas.Gateway.Tests.GatewayFixture;

namespace TenantAtlas.Gateway.Tests;

/// <summary>Every error a frontend can meet, reached through the gateway, with the one JSON error shape.</summary>
public sealed class GatewayTests(GatewayFixture fixture) : IClassFixture<GatewayFixture>
{
    private static async Task<(HttpStatusCode Status, JsonElement Body)> JsonAsync(HttpResponseMessage response)
    {
        using (response)
        {
            var text = await response.Content.ReadAsStringAsync();
            Assert.StartsWith("application/json", response.Content.Headers.ContentType?.MediaType ?? string.Empty, StringComparison.Ordinal);
            return (response.StatusCode, JsonDocument.Parse(text).RootElement.Clone());
        }
    }

    [Fact]
    public async Task Member_ReadsRunsThroughTheGateway_WithTheirTokenForwardedUnchanged()
    {
        var (workspaceId, runId) = await fixture.ScenarioAsync("gw-owner", "gw-reader");
        var owner = fixture.Gateway(Token("gw-owner"));

        var (status, run) = await JsonAsync(await owner.GetAsync($"/v1/runs/{runId}"));
        var (listStatus, list) = await JsonAsync(await owner.GetAsync($"/v1/workspaces/{workspaceId}/runs"));

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(runId, run.GetProperty("run").GetProperty("runId").GetString());
        Assert.Equal("gw-owner", run.GetProperty("run").GetProperty("initiator").GetProperty("subject").GetString());
        Assert.Equal(HttpStatusCode.OK, listStatus);
        Assert.Equal(runId, list.GetProperty("runs")[0].GetProperty("runId").GetString());
    }

    // WatchRun through the gateway: each change arrives as it happens (the proxy does not buffer the stream), one JSON
    // object per line, and the stream ends with the completed run.
    [Fact]
    public async Task WatchRun_StreamsThroughTheGateway_ALineAtATime_UntilTheRunCompletes()
    {
        var (_, runId) = await fixture.ScenarioAsync("gw-watch-owner", "gw-watch-reader");
        using var owner = fixture.Gateway(Token("gw-watch-owner"));
        using var response = await owner.GetAsync($"/v1/runs/{runId}:watch", HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync());
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));

        var queued = await reader.ReadLineAsync(timeout.Token);
        await fixture.UpdateRunAsync(runId, TenantAtlas.Runs.V1.RunStatus.Running);
        var running = await reader.ReadLineAsync(timeout.Token);
        await fixture.UpdateRunAsync(runId, TenantAtlas.Runs.V1.RunStatus.Completed);
        var completed = await reader.ReadLineAsync(timeout.Token);
        var end = await reader.ReadToEndAsync(timeout.Token);

        static string Status(string? line) => JsonDocument.Parse(line!).RootElement.GetProperty("run").GetProperty("status").GetString()!;
        Assert.Equal(["RUN_STATUS_QUEUED", "RUN_STATUS_RUNNING", "RUN_STATUS_COMPLETED"], new[] { Status(queued), Status(running), Status(completed) });
        Assert.Equal(string.Empty, end.Trim());
    }

    [Fact]
    public async Task ErrorCodes_MapToHttp_WithTheJsonErrorBody()
    {
        var (_, runId) = await fixture.ScenarioAsync("gw-owner-2", "gw-reader-2");

        var unauthenticated = await JsonAsync(await fixture.Gateway(null).GetAsync($"/v1/runs/{runId}"));
        var forged = await JsonAsync(await fixture.Gateway("not-a-jwt").GetAsync($"/v1/runs/{runId}"));
        var notFound = await JsonAsync(await fixture.Gateway(Token("gw-outsider")).GetAsync($"/v1/runs/{runId}"));
        var forbidden = await JsonAsync(await fixture.Gateway(Token("gw-reader-2")).GetAsync($"/v1/runs/{runId}"));
        var invalid = await JsonAsync(await fixture.Gateway(Token("gw-owner-2")).GetAsync("/v1/runs/not-a-uuid"));
        var noRoute = await JsonAsync(await fixture.Gateway(Token("gw-owner-2")).GetAsync("/nothing-here"));

        Assert.Equal((HttpStatusCode.Unauthorized, 16), (unauthenticated.Status, unauthenticated.Body.GetProperty("code").GetInt32()));
        Assert.Equal((HttpStatusCode.Unauthorized, 16), (forged.Status, forged.Body.GetProperty("code").GetInt32()));
        Assert.Equal((HttpStatusCode.NotFound, 5), (notFound.Status, notFound.Body.GetProperty("code").GetInt32()));
        Assert.Equal((HttpStatusCode.Forbidden, 7), (forbidden.Status, forbidden.Body.GetProperty("code").GetInt32()));
        Assert.Equal((HttpStatusCode.BadRequest, 3), (invalid.Status, invalid.Body.GetProperty("code").GetInt32()));
        Assert.Equal((HttpStatusCode.NotFound, 5), (noRoute.Status, noRoute.Body.GetProperty("code").GetInt32()));
        Assert.Contains("tenant.inventory_sync.run", forbidden.Body.GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.Equal("run_id", invalid.Body.GetProperty("details")[0].GetProperty("fieldViolations")[0].GetProperty("field").GetString());
    }

    [Fact]
    public async Task UpstreamDown_Is503_WithTheJsonErrorBody()
    {
        var (status, body) = await JsonAsync(await fixture.Gateway(Token("gw-owner")).PostAsync(
            $"/v1/tenants/{Guid.NewGuid()}/inventory:sync", new StringContent("{}", System.Text.Encoding.UTF8, "application/json")));

        Assert.Equal(HttpStatusCode.ServiceUnavailable, status);
        Assert.Equal(14, body.GetProperty("code").GetInt32());
    }

    [Fact]
    public async Task OpenApiDocument_Is503_WithTheJsonErrorBody_WhenAServiceIsDown()
    {
        var (status, body) = await JsonAsync(await fixture.Gateway(null).GetAsync("/openapi/v1.json"));

        Assert.Equal(HttpStatusCode.ServiceUnavailable, status);
        Assert.Equal(14, body.GetProperty("code").GetInt32());
        // The first of the services that are down (the fixture runs neither InventoryService nor BackupService).
        Assert.Matches("The API description of (inventory|backup|restore) is unavailable", body.GetProperty("message").GetString());
    }

    [Fact]
    public async Task EachUser_IsRateLimited_OnTheirOwn()
    {
        var busy = fixture.Gateway(Token("gw-busy-user"));
        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < RequestsPerMinute + 1; i++)
        {
            using var response = await busy.GetAsync("/v1/notifications");
            statuses.Add(response.StatusCode);
        }
        var (limitedStatus, limited) = await JsonAsync(await busy.GetAsync("/v1/notifications"));
        using var other = await fixture.Gateway(Token("gw-calm-user")).GetAsync("/v1/notifications");

        Assert.Equal(RequestsPerMinute, statuses.Count(s => s == HttpStatusCode.OK));
        Assert.Equal(HttpStatusCode.TooManyRequests, limitedStatus);
        Assert.Equal(8, limited.GetProperty("code").GetInt32());
        Assert.Equal(HttpStatusCode.OK, other.StatusCode);
    }

    [Fact]
    public async Task Responses_CarrySecurityHeaders()
    {
        using var response = await fixture.Gateway(null).GetAsync("/v1/notifications");

        Assert.Equal("nosniff", response.Headers.GetValues("X-Content-Type-Options").Single());
        Assert.Equal("DENY", response.Headers.GetValues("X-Frame-Options").Single());
        Assert.Contains("frame-ancestors 'none'", response.Headers.GetValues("Content-Security-Policy").Single(), StringComparison.Ordinal);
    }
}
