namespace TenantAtlas.AppHost.Tests;

/// <summary>The AppHost's graph comes up healthy and does the suite's core job through its public front door.</summary>
[Collection(SharedSuite.Name)]
public sealed class SuiteSmokeTests(SuiteApp suite)
{
    [Fact]
    public async Task EveryResource_IsHealthy_AndASyncStartedThroughTheGateway_Succeeds()
    {
        foreach (var resource in SuiteApp.Resources)
        {
            Assert.True(suite.App.ResourceNotifications.TryGetCurrentState(resource, out var state), $"{resource} has no state");
            Assert.Equal("Running", state.Snapshot.State?.Text);
            Assert.Equal(Microsoft.Extensions.Diagnostics.HealthChecks.HealthStatus.Healthy, state.Snapshot.HealthStatus);
        }
        using var owner = suite.Gateway(suite.OwnerToken);

        var started = await SuiteApp.StartSyncAsync(owner, suite.TenantId);
        var run = await SuiteApp.CompletedRunAsync(owner, started.GetProperty("runId").GetString()!, TimeSpan.FromSeconds(90));

        Assert.Equal("RUN_OUTCOME_SUCCEEDED", run.GetProperty("outcome").GetString());
        // The demo tenant's 40 device configurations and 12 compliance policies, each read once.
        Assert.Equal(52, run.GetProperty("counts").GetProperty("succeeded").GetInt32());
        Assert.Matches("^[0-9a-f]{32}$", run.GetProperty("traceId").GetString());
    }

    [Fact]
    public async Task Gateway_AnswersUnauthenticatedCallsWith401_AndServesTheUi()
    {
        using var anonymous = suite.Gateway(token: null);

        using var api = await anonymous.GetAsync($"/v1/workspaces/{suite.WorkspaceId}/runs");
        using var ui = await anonymous.GetAsync("/");

        Assert.Equal(System.Net.HttpStatusCode.Unauthorized, api.StatusCode);
        Assert.Equal(System.Net.HttpStatusCode.OK, ui.StatusCode);
        Assert.Contains("TenantAtlas Operations", await ui.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }
}
