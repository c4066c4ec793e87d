using System.Buffers.Text;
using System.Text;
using System.Text.Json.Nodes;
using Google.Protobuf.WellKnownTypes;
using Grpc.Net.Client;
using Grpc.Core;
using TenantAtlas.Access.V1;
using TenantAtlas.Runs.V1;
using static TenantAtlas.RunsService.Tests.RunsServiceFixture;

namespace TenantAtlas.RunsService.Tests.Runs;

public sealed class ListRunsTests(RunsServiceFixture service) : IClassFixture<RunsServiceFixture>
{
    private const string Owner = "list-owner";
    private readonly TenantAtlas.Runs.V1.RunsService.RunsServiceClient worker = service.Runs(ServiceToken());

    private async Task<Run> StartAsync(string workspaceId, string? tenantId, string type, string key, string? token = null)
    {
        var request = new EnsureRunRequest { WorkspaceId = workspaceId, TenantId = tenantId ?? string.Empty, Type = type, IdentityInputs = { ["key"] = key } };
        return (await service.Runs(token ?? UserToken(Owner)).EnsureRunAsync(request)).Run;
    }

    // Runs of types no service handles yet cannot be started, but a workspace may hold them: written past EnsureRun.
    private async Task<Run> SeedAsync(string workspaceId, string? tenantId, string type, string key) =>
        (await service.SeedRunAsync(workspaceId, tenantId, type, Owner, new Dictionary<string, string> { ["key"] = key })).Run;

    private async Task<List<Run>> ListAllAsync(ListRunsRequest request, string? token = null)
    {
        var client = service.Runs(token ?? UserToken(Owner));
        var runs = new List<Run>();
        while (true)
        {
            var page = await client.ListRunsAsync(request);
            runs.AddRange(page.Runs);
            if (page.NextPageToken.Length == 0)
            {
                return runs;
            }
            request = request.Clone();
            request.PageToken = page.NextPageToken;
        }
    }

    [Fact]
    public async Task ListRuns_NewestFirst_FilteredByTypeTenantAndBucket()
    {
        var (workspaceId, tenantA) = await service.CreateWorkspaceWithTenantAsync(Owner);
        var tenantB = await service.RegisterTenantAsync(Owner, workspaceId, "B");
        var syncA = await StartAsync(workspaceId, tenantA, "inventory.sync", "1");
        var groupsA = await SeedAsync(workspaceId, tenantA, "directory_groups.sync", "1");
        var syncB = await StartAsync(workspaceId, tenantB, "inventory.sync", "1");
        var report = await SeedAsync(workspaceId, null, "operations_report.generate", "1");
        await worker.UpdateRunAsync(new UpdateRunRequest { RunId = syncB.RunId, Status = RunStatus.Completed, SetCounts = new RunCountsPatch { Succeeded = 1, Failed = 1 } });
        await worker.UpdateRunAsync(new UpdateRunRequest { RunId = groupsA.RunId, Status = RunStatus.Running });

        var all = await ListAllAsync(new ListRunsRequest { WorkspaceId = workspaceId });
        var syncs = await ListAllAsync(new ListRunsRequest { WorkspaceId = workspaceId, Types_ = { "inventory.sync" } });
        var ofTenantA = await ListAllAsync(new ListRunsRequest { WorkspaceId = workspaceId, TenantId = tenantA });
        var partial = await ListAllAsync(new ListRunsRequest { WorkspaceId = workspaceId, StatusBuckets = { StatusBucket.PartiallySucceeded } });
        var active = await ListAllAsync(new ListRunsRequest { WorkspaceId = workspaceId, StatusBuckets = { StatusBucket.Queued, StatusBucket.Running } });

        Assert.Equal([report.RunId, syncB.RunId, groupsA.RunId, syncA.RunId], all.Select(r => r.RunId));
        Assert.Equal([syncB.RunId, syncA.RunId], syncs.Select(r => r.RunId));
        Assert.Equal([groupsA.RunId, syncA.RunId], ofTenantA.Select(r => r.RunId));
        Assert.Equal([syncB.RunId], partial.Select(r => r.RunId));
        Assert.Equal([report.RunId, groupsA.RunId, syncA.RunId], active.Select(r => r.RunId));
    }

    [Fact]
    public async Task ListRuns_FiltersByCreatedTimeRangeAndInitiator()
    {
        var (workspaceId, tenantId) = await service.CreateWorkspaceWithTenantAsync(Owner);
        await service.SetMemberAsync(Owner, workspaceId, "operator-1", Role.Operator);
        var before = await StartAsync(workspaceId, tenantId, "inventory.sync", "before");
        await Task.Delay(50);
        var from = DateTime.UtcNow;
        var mine = await StartAsync(workspaceId, tenantId, "inventory.sync", "in-range");
        var theirs = await StartAsync(workspaceId, tenantId, "inventory.sync", "by-operator", UserToken("operator-1"));
        await Task.Delay(50);
        var to = DateTime.UtcNow;
        await StartAsync(workspaceId, tenantId, "inventory.sync", "after");

        var inRange = await ListAllAsync(new ListRunsRequest { WorkspaceId = workspaceId, CreatedAfter = Timestamp.FromDateTime(from), CreatedBefore = Timestamp.FromDateTime(to) });
        var byOperator = await ListAllAsync(new ListRunsRequest { WorkspaceId = workspaceId, InitiatorSubject = "operator-1" });

        Assert.Equal([theirs.RunId, mine.RunId], inRange.Select(r => r.RunId));
        Assert.Equal([theirs.RunId], byOperator.Select(r => r.RunId));
        Assert.DoesNotContain(before.RunId, inRange.Select(r => r.RunId));
    }

    [Fact]
    public async Task ListRuns_Paging_IsStable_WhileNewRunsArrive()
    {
        var (workspaceId, tenantId) = await service.CreateWorkspaceWithTenantAsync(Owner);
        var existing = new List<string>();
        for (var i = 0; i < 45; i++)
        {
            existing.Add((await StartAsync(workspaceId, tenantId, "inventory.sync", $"existing-{i}")).RunId);
        }
        existing.Reverse();

        var client = service.Runs(UserToken(Owner));
        var seen = new List<string>();
        var request = new ListRunsRequest { WorkspaceId = workspaceId, PageSize = 10 };
        var inserted = 0;
        while (true)
        {
            var page = await client.ListRunsAsync(request);
            seen.AddRange(page.Runs.Select(r => r.RunId));
            // New runs keep arriving between pages; they are newer than the cursor and must not shift later pages.
            await Task.WhenAll(Enumerable.Range(0, 3).Select(i => StartAsync(workspaceId, tenantId, "inventory.sync", $"new-{inserted++}-{i}")));
            if (page.NextPageToken.Length == 0)
            {
                break;
            }
            request.PageToken = page.NextPageToken;
        }

        Assert.Equal(existing, seen);
    }

    [Fact]
    public async Task ListRuns_PageSize_IsCapped_AndNegativeIsInvalid()
    {
        var (workspaceId, tenantId) = await service.CreateWorkspaceWithTenantAsync(Owner);
        var client = service.Runs(UserToken(Owner));
        await Task.WhenAll(Enumerable.Range(0, 205).Select(i => StartAsync(workspaceId, tenantId, "inventory.sync", $"run-{i}")));

        var page = await client.ListRunsAsync(new ListRunsRequest { WorkspaceId = workspaceId, PageSize = 10_000 });
        var defaultPage = await client.ListRunsAsync(new ListRunsRequest { WorkspaceId = workspaceId });

        Assert.Equal(200, page.Runs.Count);
        Assert.NotEmpty(page.NextPageToken);
        Assert.Equal(50, defaultPage.Runs.Count);
        await FailsWith(StatusCode.InvalidArgument, () => client.ListRunsAsync(new ListRunsRequest { WorkspaceId = workspaceId, PageSize = -1 }).ResponseAsync);
    }

    [Fact]
    public async Task ListRuns_RejectsPageToken_FromOtherFilters_OrGarbage()
    {
        var (workspaceId, tenantId) = await service.CreateWorkspaceWithTenantAsync(Owner);
        var client = service.Runs(UserToken(Owner));
        await StartAsync(workspaceId, tenantId, "inventory.sync", "1");
        await StartAsync(workspaceId, tenantId, "inventory.sync", "2");
        var token = (await client.ListRunsAsync(new ListRunsRequest { WorkspaceId = workspaceId, PageSize = 1 })).NextPageToken;

        await FailsWith(StatusCode.InvalidArgument, () => client.ListRunsAsync(new ListRunsRequest
        {
            WorkspaceId = workspaceId, PageSize = 1, PageToken = token, Types_ = { "inventory.sync" },
        }).ResponseAsync);
        await FailsWith(StatusCode.InvalidArgument, () => client.ListRunsAsync(new ListRunsRequest
        {
            WorkspaceId = workspaceId, PageToken = "not-a-token!",
        }).ResponseAsync);
    }

    [Fact]
    public async Task ListRuns_RejectsAnEditedPageToken_AcceptsOneFromAnotherReplica()
    {
        var (workspaceId, tenantId) = await service.CreateWorkspaceWithTenantAsync(Owner);
        var client = service.Runs(UserToken(Owner));
        foreach (var key in new[] { "1", "2", "3" })
        {
            await StartAsync(workspaceId, tenantId, "inventory.sync", key);
        }
        var first = await client.ListRunsAsync(new ListRunsRequest { WorkspaceId = workspaceId, PageSize = 1 });
        var payload = first.NextPageToken.Split('.')[0];
        var position = JsonNode.Parse(Base64Url.DecodeFromChars(payload))!;
        position["P"]!["At"] = 253402300800000000L * 10; // past the year 9999: nothing the service ever issued
        var edited = Base64Url.EncodeToString(Encoding.UTF8.GetBytes(position.ToJsonString())) + first.NextPageToken[payload.Length..];

        var refused = await FailsWith(StatusCode.InvalidArgument, () => client.ListRunsAsync(new ListRunsRequest
        {
            WorkspaceId = workspaceId, PageSize = 1, PageToken = edited,
        }).ResponseAsync);
        using var replica = service.StartReplica();
        var onReplica = new TenantAtlas.Runs.V1.RunsService.RunsServiceClient(GrpcChannel.ForAddress(replica.Server.BaseAddress,
            new GrpcChannelOptions { HttpHandler = new BearerTokenHandler(UserToken(Owner)) { InnerHandler = replica.Server.CreateHandler() } }));
        var second = await onReplica.ListRunsAsync(new ListRunsRequest { WorkspaceId = workspaceId, PageSize = 1, PageToken = first.NextPageToken });

        Assert.Contains("page_token", refused.Status.Detail, StringComparison.Ordinal);
        Assert.Single(second.Runs);
        Assert.NotEqual(first.Runs[0].RunId, second.Runs[0].RunId);
    }
}
