extern alias inventory;

using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Grpc.Core;
using StackExchange.Redis;
using TenantAtlas.Access.V1;
using TenantAtlas.Contracts;
using TenantAtlas.Inventory.V1;
using TenantAtlas.Runs.V1;
using static TenantAtlas.Testing.Suite.DomainSuiteFixture;

namespace TenantAtlas.InventoryService.Tests;

public sealed class InventorySyncTests(SuiteFixture suite) : IClassFixture<SuiteFixture>
{
    [Fact]
    public async Task Sync_CompletesSucceeded_WithTheEmulatorsCounts_FollowingEveryNextLink_AndStoresTheItems()
    {
        var (_, tenantId, entraTenantId, policyIds) = await suite.CreateTenantAsync("sync-owner", deviceConfigurations: 23, compliancePolicies: 9, pageSize: 5);

        var started = await suite.InventoryApi(UserToken("sync-owner")).StartInventorySyncAsync(new StartInventorySyncRequest { TenantId = tenantId });
        var run = await suite.WaitForCompletionAsync(started.Run.RunId);

        Assert.True(started.Created);
        Assert.Equal(RunOutcome.Succeeded, run.Outcome);
        Assert.Equal(32, run.Counts.Total);
        Assert.Equal(32, run.Counts.Succeeded);
        Assert.Equal(32, run.Counts.Processed);
        Assert.Equal(0, run.Counts.Failed);
        Assert.Equal("sync-owner", run.Initiator.Subject);
        var items = await suite.InventoryApi(UserToken("sync-owner")).ListInventoryItemsAsync(new ListInventoryItemsRequest { TenantId = tenantId, RunId = run.RunId, PageSize = 500 });
        Assert.Equal(policyIds.Order(), items.Items.Select(i => i.ItemId).Order());
        Assert.All(items.Items, i => Assert.Equal(run.RunId, i.LastSeenRunId));
        Assert.All(items.Items, i => Assert.StartsWith("#microsoft.graph.", i.OdataType, StringComparison.Ordinal));
        Assert.All(items.Items, i => Assert.Equal(2, i.AssignmentTargets.Count));
        Assert.Contains(items.Items, i => i.AssignmentTargets.Contains("allDevices"));
        // 23 + 9 items in pages of 5: 5 + 2 list pages, one assignments call per item.
        Assert.Equal(7 + 32, (await suite.GraphRequestsByStatusAsync(entraTenantId))["200"]);
        await suite.AssertNoActiveRunsAsync();
    }

    // Issue 15's acceptance: a sync of 2,000 policies, cancelled mid-way, ends cancelled with the counts of what it stored,
    // within 2 s of the request (the handler stops between chunks; in-flight Graph reads are cancelled with it).
    [Fact]
    public async Task Sync_CancelledMidWay_EndsCancelled_WithPartialCounts_WithinTwoSeconds()
    {
        var (_, tenantId, entraTenantId, _) = await suite.CreateTenantAsync("cancel-owner", deviceConfigurations: 2000, compliancePolicies: 0, pageSize: 500);
        await suite.SetGraphFaultsAsync(entraTenantId, new { latencyMs = 20 });
        var started = await suite.InventoryApi(UserToken("cancel-owner")).StartInventorySyncAsync(new StartInventorySyncRequest { TenantId = tenantId });
        await suite.WaitForRunAsync(started.Run.RunId, r => r.Counts.Succeeded >= inventory::TenantAtlas.InventoryService.Sync.InventorySyncHandler.ItemsPerWrite);

        var clock = System.Diagnostics.Stopwatch.StartNew();
        var cancel = await suite.Runs(UserToken("cancel-owner")).CancelRunAsync(new CancelRunRequest { RunId = started.Run.RunId });
        var run = await suite.WaitForCompletionAsync(started.Run.RunId, TimeSpan.FromSeconds(2));
        clock.Stop();

        Assert.True(cancel.Requested);
        Assert.Equal(RunStatus.Running, cancel.Run.Status);
        Assert.Equal(RunOutcome.Cancelled, run.Outcome);
        Assert.Equal(2000, run.Counts.Total);
        Assert.InRange(run.Counts.Succeeded, inventory::TenantAtlas.InventoryService.Sync.InventorySyncHandler.ItemsPerWrite, 1999);
        Assert.Equal(run.Counts.Succeeded, run.Counts.Processed);
        Assert.Empty(run.Failures);
        // What the counts say was stored is what the inventory holds for the run.
        var items = await suite.InventoryApi(UserToken("cancel-owner")).ListInventoryItemsAsync(new ListInventoryItemsRequest
        {
            TenantId = tenantId, RunId = run.RunId, PageSize = 200,
        });
        Assert.NotEmpty(items.Items);
        Console.WriteLine($"inventory.sync of 2,000 cancelled after {run.Counts.Succeeded} items; completed {clock.ElapsedMilliseconds} ms after CancelRun");
        await suite.AssertNoActiveRunsAsync();
    }

    [Fact]
    public async Task Items_PageByKeyset_EveryItemOnce_AndATokenOfOtherFiltersIsRefused()
    {
        var (_, tenantId, _, policyIds) = await suite.CreateTenantAsync("paging-owner", deviceConfigurations: 7, compliancePolicies: 4);
        var api = suite.InventoryApi(UserToken("paging-owner"));
        var run = await suite.WaitForCompletionAsync((await api.StartInventorySyncAsync(new StartInventorySyncRequest { TenantId = tenantId })).Run.RunId);

        List<string> seen = [];
        var request = new ListInventoryItemsRequest { TenantId = tenantId, PageSize = 3 };
        string? token = null;
        do
        {
            request.PageToken = token ?? string.Empty;
            var page = await api.ListInventoryItemsAsync(request);
            seen.AddRange(page.Items.Select(i => i.ItemId));
            token = page.NextPageToken.Length > 0 ? page.NextPageToken : null;
            if (token is not null)
            {
                var replayed = await FailsWith(StatusCode.InvalidArgument, () => api.ListInventoryItemsAsync(
                    new ListInventoryItemsRequest { TenantId = tenantId, RunId = run.RunId, PageSize = 3, PageToken = token }).ResponseAsync);
                Assert.Contains("page_token", replayed.Status.Detail, StringComparison.Ordinal);
            }
        }
        while (token is not null);

        Assert.Equal(policyIds.Order(), seen.Order());
        Assert.Equal(seen.Count, seen.Distinct().Count());
        await FailsWith(StatusCode.InvalidArgument, () => api.ListInventoryItemsAsync(
            new ListInventoryItemsRequest { TenantId = tenantId, PageToken = "not-a-token" }).ResponseAsync);
    }

    [Fact]
    public async Task SecondStart_WhileActive_ReturnsTheSameRun_AndDispatchesNothing()
    {
        var (_, tenantId, entraTenantId, _) = await suite.CreateTenantAsync("dup-owner", deviceConfigurations: 8, compliancePolicies: 0);
        await suite.SetGraphFaultsAsync(entraTenantId, new { latencyMs = 300 });
        var api = suite.InventoryApi(UserToken("dup-owner"));

        var first = await api.StartInventorySyncAsync(new StartInventorySyncRequest { TenantId = tenantId });
        var second = await api.StartInventorySyncAsync(new StartInventorySyncRequest
        {
            TenantId = tenantId, Families = { PolicyFamily.CompliancePolicies, PolicyFamily.DeviceConfigurations },
        });
        var run = await suite.WaitForCompletionAsync(first.Run.RunId);

        Assert.True(first.Created);
        Assert.False(second.Created);
        Assert.Equal(first.Run.RunId, second.Run.RunId);
        await using var redis = await ConnectionMultiplexer.ConnectAsync(suite.Redis.ConnectionString);
        var entries = await redis.GetDatabase().StreamRangeAsync(RunJobs.StreamOf("inventory"));
        Assert.Single(entries, e => e[RunJobs.RunIdField] == first.Run.RunId);
        Assert.Equal(RunOutcome.Succeeded, run.Outcome);
        await suite.AssertNoActiveRunsAsync();
    }

    [Fact]
    public async Task ThrottleStorm_WithAndWithoutRetryAfter_StillCompletes()
    {
        var (_, tenantId, entraTenantId, _) = await suite.CreateTenantAsync("throttle-owner", deviceConfigurations: 6, compliancePolicies: 2);
        await suite.SetGraphFaultsAsync(entraTenantId, new { throttle = new { count = 4, retryAfterSeconds = 1 } });

        var started = await suite.InventoryApi(UserToken("throttle-owner")).StartInventorySyncAsync(new StartInventorySyncRequest { TenantId = tenantId });
        var run = await suite.WaitForCompletionAsync(started.Run.RunId);
        await suite.SetGraphFaultsAsync(entraTenantId, new { throttle = new { count = 3, retryAfterSeconds = (int?)null } });
        var again = await suite.InventoryApi(UserToken("throttle-owner")).StartInventorySyncAsync(new StartInventorySyncRequest { TenantId = tenantId });
        var second = await suite.WaitForCompletionAsync(again.Run.RunId);

        Assert.Equal(RunOutcome.Succeeded, run.Outcome);
        Assert.Equal(8, run.Counts.Succeeded);
        Assert.Equal(RunOutcome.Succeeded, second.Outcome);
        Assert.Equal(7, (await suite.GraphRequestsByStatusAsync(entraTenantId))["429"]);
        await suite.AssertNoActiveRunsAsync();
    }

    [Fact]
    public async Task FailingItems_MakeTheRunPartiallySucceeded_WithOneSanitizedFailurePerItem()
    {
        var (_, tenantId, entraTenantId, policyIds) = await suite.CreateTenantAsync("partial-owner", deviceConfigurations: 10, compliancePolicies: 4);
        var failing = new[] { policyIds[2], policyIds[11] };
        await suite.SetGraphFaultsAsync(entraTenantId, new { failingItemIds = failing, failingStatus = 500 });

        var started = await suite.InventoryApi(UserToken("partial-owner")).StartInventorySyncAsync(new StartInventorySyncRequest { TenantId = tenantId });
        var run = await suite.WaitForCompletionAsync(started.Run.RunId);

        Assert.Equal(RunOutcome.PartiallySucceeded, run.Outcome);
        Assert.Equal(StatusBucket.PartiallySucceeded, run.StatusBucket);
        Assert.Equal(14, run.Counts.Total);
        Assert.Equal(12, run.Counts.Succeeded);
        Assert.Equal(2, run.Counts.Failed);
        Assert.Equal(failing.Order(), run.Failures.Select(f => f.Item).Order());
        Assert.All(run.Failures, f => Assert.Equal("graph.item_unreadable", f.Code));
        Assert.All(run.Failures, f => Assert.Contains("500", f.Message, StringComparison.Ordinal));
        await suite.AssertNoActiveRunsAsync();
    }

    [Fact]
    public async Task RefusedCredentials_FailTheRun_AsCouldNotProceed()
    {
        var (_, tenantId, entraTenantId, _) = await suite.CreateTenantAsync("refused-owner", deviceConfigurations: 3, compliancePolicies: 0);
        using (var admin = suite.EmulatorAdmin())
        {
            (await admin.PutAsJsonAsync($"/emulator/tenants/{entraTenantId}", new { clientId = GraphClientId, clientSecret = "rotated-secret", deviceConfigurations = 3 })).EnsureSuccessStatusCode();
        }

        var started = await suite.InventoryApi(UserToken("refused-owner")).StartInventorySyncAsync(new StartInventorySyncRequest { TenantId = tenantId });
        var run = await suite.WaitForCompletionAsync(started.Run.RunId);

        Assert.Equal(RunOutcome.Failed, run.Outcome);
        var failure = Assert.Single(run.Failures);
        Assert.Equal("graph.unauthorized", failure.Code);
        Assert.DoesNotContain("rotated-secret", failure.Message, StringComparison.Ordinal);
        await suite.AssertNoActiveRunsAsync();
    }

    [Fact]
    public async Task OneRun_IsOneTrace_AcrossTheStartRequest_TheRelay_TheWorker_AndItsGraphCalls()
    {
        var (_, tenantId, _, _) = await suite.CreateTenantAsync("trace-owner", deviceConfigurations: 2, compliancePolicies: 1);

        var started = await suite.InventoryApi(UserToken("trace-owner")).StartInventorySyncAsync(new StartInventorySyncRequest { TenantId = tenantId });
        var run = await suite.WaitForCompletionAsync(started.Run.RunId);
        // Spans are exported when they end; the worker's process span ends last, just after the run completes.
        var trace = await Eventually.UntilAsync(() =>
        {
            lock (suite.Spans)
            {
                return Task.FromResult<List<System.Diagnostics.Activity>>([.. suite.Spans.Where(s => s.TraceId.ToHexString() == run.TraceId)]);
            }
        }, spans => spans.Any(s => s.Source.Name == "TenantAtlas.Workers"), TimeSpan.FromSeconds(5), "the worker's span of the run is exported");
        Assert.NotEmpty(run.TraceId);
        Assert.Contains(trace, s => s.DisplayName.Contains("InventoryService/StartInventorySync", StringComparison.Ordinal));
        Assert.Contains(trace, s => s.DisplayName.Contains("RunsService/EnsureRun", StringComparison.Ordinal));
        Assert.Contains(trace, s => s.Source.Name == "TenantAtlas.Runs.Dispatch" && s.Kind == System.Diagnostics.ActivityKind.Producer);
        var process = Assert.Single(trace, s => s.Source.Name == "TenantAtlas.Workers" && s.Kind == System.Diagnostics.ActivityKind.Consumer);
        Assert.Equal(run.RunId, process.GetTagItem("tenantatlas.run.id"));
        // The worker's Graph calls, as HTTP client spans of the SDK's requests.
        Assert.Contains(trace, s => s.Kind == System.Diagnostics.ActivityKind.Client
            && (s.GetTagItem("url.full") as string ?? string.Empty).Contains("/v1.0/deviceManagement/", StringComparison.Ordinal));
        await suite.AssertNoActiveRunsAsync();
    }

    [Fact]
    public async Task Access_IsRunsServices_NotFoundForOutsiders_PermissionDeniedForReadonly()
    {
        var (workspaceId, tenantId, _, _) = await suite.CreateTenantAsync("access-owner", deviceConfigurations: 1, compliancePolicies: 0);
        await suite.Access(UserToken("access-owner")).SetMemberAsync(new SetMemberRequest
        {
            WorkspaceId = workspaceId, Subject = "access-reader", DisplayName = "Reader", Role = TenantAtlas.Access.V1.Role.Readonly,
        });

        var outsider = await Assert.ThrowsAsync<RpcException>(() => suite.InventoryApi(UserToken("access-outsider"))
            .StartInventorySyncAsync(new StartInventorySyncRequest { TenantId = tenantId }).ResponseAsync);
        var reader = await Assert.ThrowsAsync<RpcException>(() => suite.InventoryApi(UserToken("access-reader"))
            .StartInventorySyncAsync(new StartInventorySyncRequest { TenantId = tenantId }).ResponseAsync);
        var readerItems = await Assert.ThrowsAsync<RpcException>(() => suite.InventoryApi(UserToken("access-reader"))
            .ListInventoryItemsAsync(new ListInventoryItemsRequest { TenantId = tenantId }).ResponseAsync);
        var malformed = await Assert.ThrowsAsync<RpcException>(() => suite.InventoryApi(UserToken("access-owner"))
            .StartInventorySyncAsync(new StartInventorySyncRequest { TenantId = tenantId, Families = { (PolicyFamily)7 } }).ResponseAsync);

        Assert.Equal(StatusCode.NotFound, outsider.StatusCode);
        Assert.Equal(StatusCode.PermissionDenied, reader.StatusCode);
        Assert.Equal(StatusCode.PermissionDenied, readerItems.StatusCode);
        Assert.Equal(StatusCode.InvalidArgument, malformed.StatusCode);
        await suite.AssertNoActiveRunsAsync();
    }

    [Fact]
    public async Task RestStart_ByJsonTranscoding_ReturnsTheRun()
    {
        var (_, tenantId, _, _) = await suite.CreateTenantAsync("rest-owner", deviceConfigurations: 2, compliancePolicies: 0);
        var http = suite.Inventory.CreateClient();
        http.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", UserToken("rest-owner"));

        using var response = await http.PostAsJsonAsync($"/v1/tenants/{tenantId}/inventory:sync", new { });
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var runId = body.RootElement.GetProperty("run").GetProperty("runId").GetString()!;
        await suite.WaitForCompletionAsync(runId);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.True(body.RootElement.GetProperty("created").GetBoolean());
        await suite.AssertNoActiveRunsAsync();
    }
}
