using System.Net.Http.Json;
using Grpc.Core;
using TenantAtlas.Access.V1;
using TenantAtlas.Inventory.V1;
using TenantAtlas.Runs.V1;
using static TenantAtlas.Testing.Suite.DomainSuiteFixture;

namespace TenantAtlas.InventoryService.Tests;

/// <summary>directory_groups.sync, SearchDirectoryGroups and ResolveDirectoryGroups: the cache a restore's group mapping searches (DB-only).</summary>
public sealed class DirectoryGroupsTests(SuiteFixture suite) : IClassFixture<SuiteFixture>
{
    [Fact]
    public async Task Sync_PagesEveryGroupIntoTheCache_SearchFindsThemByPrefixAndContains_WithoutCallingGraph()
    {
        var (_, tenantId, entraTenantId, _) = await suite.CreateTenantAsync("groups-owner", deviceConfigurations: 1, compliancePolicies: 0);
        // More groups than the 999 a page of /groups holds at most (the handler asks for $top=999).
        await DefineGroupsAsync(entraTenantId, groups: 1_200);
        var api = suite.InventoryApi(UserToken("groups-owner"));

        var started = await api.StartDirectoryGroupsSyncAsync(new StartDirectoryGroupsSyncRequest { TenantId = tenantId });
        var run = await suite.WaitForCompletionAsync(started.Run.RunId);

        Assert.True(started.Created);
        Assert.Equal("directory_groups.sync", run.Type);
        Assert.Equal(RunOutcome.Succeeded, run.Outcome);
        Assert.Equal(1_200, run.Counts.Total);
        Assert.Equal(1_200, run.Counts.Succeeded);
        Assert.Equal(2, await GroupListRequestsAsync(entraTenantId));

        var all = await SearchAllAsync(api, new SearchDirectoryGroupsRequest { TenantId = tenantId, PageSize = 200 });
        Assert.Equal(1_200, all.Count);
        Assert.Equal(1_200, all.Select(g => g.GroupId).Distinct().Count());
        Assert.Equal(all.Select(g => g.DisplayName.ToLowerInvariant()), all.Select(g => g.DisplayName.ToLowerInvariant()).Order(StringComparer.Ordinal));
        Assert.All(all, g => Assert.Equal(run.RunId, g.LastSeenRunId));
        Assert.Contains(all, g => g.GroupTypes.Contains("DynamicMembership") && g.MembershipRule.Length > 0);
        Assert.Contains(all, g => g.GroupTypes.Count == 0 && g.MembershipRule.Length == 0 && g.SecurityEnabled);

        // The generated names are "SG-Intune-{audience}-{nnn}[ (dynamic)]": a prefix, a contains, and case does not matter.
        var prefixed = await SearchAllAsync(api, new SearchDirectoryGroupsRequest { TenantId = tenantId, Query = "sg-INTUNE-", PageSize = 200 });
        Assert.Equal(1_200, prefixed.Count);
        var dynamicGroups = await SearchAllAsync(api, new SearchDirectoryGroupsRequest { TenantId = tenantId, Query = "(DYNAMIC)", Match = GroupMatch.Contains, PageSize = 7 });
        Assert.Equal(400, dynamicGroups.Count);
        Assert.Equal(all.Count(g => g.DisplayName.EndsWith("(dynamic)", StringComparison.Ordinal)), dynamicGroups.Count);
        Assert.Empty(await SearchAllAsync(api, new SearchDirectoryGroupsRequest { TenantId = tenantId, Query = "(dynamic)" }));
        // A dynamic group's name ends in " (dynamic)", so it is the prefix of no other name.
        var one = all.Where(g => g.DisplayName.EndsWith("(dynamic)", StringComparison.Ordinal)).ElementAt(100);
        Assert.Equal([one.GroupId], (await SearchAllAsync(api, new SearchDirectoryGroupsRequest { TenantId = tenantId, Query = one.DisplayName })).Select(g => g.GroupId));
        // LIKE's wildcards in a query are plain characters.
        Assert.Empty(await SearchAllAsync(api, new SearchDirectoryGroupsRequest { TenantId = tenantId, Query = "%", Match = GroupMatch.Contains }));
        Assert.Empty(await SearchAllAsync(api, new SearchDirectoryGroupsRequest { TenantId = tenantId, Query = "SG_Intune" }));

        // Searching is database-only: no request reached Graph for it.
        Assert.Equal(2, await GroupListRequestsAsync(entraTenantId));
        await suite.AssertNoActiveRunsAsync();
    }

    [Fact]
    public async Task GroupsGoneFromTheTenant_AreMarkedDeletedByTheNextCompleteSync_AndHiddenUnlessAskedFor()
    {
        var (_, tenantId, entraTenantId, _) = await suite.CreateTenantAsync("groups-deleted-owner", deviceConfigurations: 1, compliancePolicies: 0);
        await DefineGroupsAsync(entraTenantId, groups: 12);
        var api = suite.InventoryApi(UserToken("groups-deleted-owner"));
        await suite.WaitForCompletionAsync((await api.StartDirectoryGroupsSyncAsync(new StartDirectoryGroupsSyncRequest { TenantId = tenantId })).Run.RunId);
        var before = await SearchAllAsync(api, new SearchDirectoryGroupsRequest { TenantId = tenantId });

        // The same seed with fewer groups: the first 8 stay, 4 are gone.
        await DefineGroupsAsync(entraTenantId, groups: 8);
        var second = await suite.WaitForCompletionAsync((await api.StartDirectoryGroupsSyncAsync(new StartDirectoryGroupsSyncRequest { TenantId = tenantId })).Run.RunId);
        Assert.Equal(8, second.Counts.Total);

        var current = await SearchAllAsync(api, new SearchDirectoryGroupsRequest { TenantId = tenantId });
        var withDeleted = await SearchAllAsync(api, new SearchDirectoryGroupsRequest { TenantId = tenantId, IncludeDeleted = true });
        Assert.Equal(8, current.Count);
        Assert.All(current, g => Assert.False(g.Deleted));
        Assert.Equal(before.Select(g => g.GroupId).Order(), withDeleted.Select(g => g.GroupId).Order());
        Assert.Equal(4, withDeleted.Count(g => g.Deleted));
        Assert.All(withDeleted.Where(g => g.Deleted), g => Assert.NotEqual(second.RunId, g.LastSeenRunId));
    }

    [Fact]
    public async Task AListingThatBreaksOff_FailsTheRun_AndMarksNothingDeleted()
    {
        var (_, tenantId, entraTenantId, _) = await suite.CreateTenantAsync("groups-broken-owner", deviceConfigurations: 1, compliancePolicies: 0);
        await DefineGroupsAsync(entraTenantId, groups: 1_005);
        var api = suite.InventoryApi(UserToken("groups-broken-owner"));
        await suite.WaitForCompletionAsync((await api.StartDirectoryGroupsSyncAsync(new StartDirectoryGroupsSyncRequest { TenantId = tenantId })).Run.RunId);

        // Three groups fewer, and the second page refused (400: not a status the SDK retries): the run never sees the
        // end of the list, so it cannot tell which groups are gone.
        await DefineGroupsAsync(entraTenantId, groups: 1_002);
        await suite.SetGraphFaultsAsync(entraTenantId, new { failPageOnce = new { collection = "groups", page = 2, status = 400 } });
        var broken = await suite.WaitForCompletionAsync((await api.StartDirectoryGroupsSyncAsync(new StartDirectoryGroupsSyncRequest { TenantId = tenantId })).Run.RunId);

        Assert.Equal(RunOutcome.Failed, broken.Outcome);
        Assert.Equal("graph.list_failed", Assert.Single(broken.Failures).Code);
        var groups = await SearchAllAsync(api, new SearchDirectoryGroupsRequest { TenantId = tenantId, IncludeDeleted = true, PageSize = 200 });
        Assert.Equal(1_005, groups.Count);
        Assert.All(groups, g => Assert.False(g.Deleted));
        // The first page (999 groups) was stored as it arrived.
        Assert.Equal(999, groups.Count(g => g.LastSeenRunId == broken.RunId));
    }

    [Fact]
    public async Task BadInput_IsInvalidArgument_AnotherWorkspacesTenantIsNotFound_AndAReadonlyMemberMayNotSearch()
    {
        var (workspaceId, tenantId, _, _) = await suite.CreateTenantAsync("groups-access-owner", deviceConfigurations: 1, compliancePolicies: 0);
        var api = suite.InventoryApi(UserToken("groups-access-owner"));

        var bad = await FailsWith(StatusCode.InvalidArgument, () => api.SearchDirectoryGroupsAsync(new SearchDirectoryGroupsRequest
        {
            TenantId = "not-a-uuid", Query = new string('x', 257), Match = (GroupMatch)9, PageSize = -1,
        }).ResponseAsync);
        foreach (var field in new[] { "tenant_id", "query", "match", "page_size" })
        {
            Assert.Contains(field, bad.Status.Detail, StringComparison.Ordinal);
        }
        await FailsWith(StatusCode.InvalidArgument, () => api.SearchDirectoryGroupsAsync(new SearchDirectoryGroupsRequest { TenantId = tenantId, PageToken = "not-a-token" }).ResponseAsync);
        await FailsWith(StatusCode.InvalidArgument, () => api.StartDirectoryGroupsSyncAsync(new StartDirectoryGroupsSyncRequest()).ResponseAsync);

        await FailsWith(StatusCode.NotFound, () => suite.InventoryApi(UserToken("someone-else"))
            .SearchDirectoryGroupsAsync(new SearchDirectoryGroupsRequest { TenantId = tenantId }).ResponseAsync);
        await FailsWith(StatusCode.NotFound, () => suite.InventoryApi(UserToken("someone-else"))
            .StartDirectoryGroupsSyncAsync(new StartDirectoryGroupsSyncRequest { TenantId = tenantId }).ResponseAsync);

        await suite.Access(UserToken("groups-access-owner")).SetMemberAsync(new SetMemberRequest
        {
            WorkspaceId = workspaceId, Subject = "groups-reader", DisplayName = "Reader", Role = Role.Readonly,
        });
        var reader = suite.InventoryApi(UserToken("groups-reader"));
        var denied = await FailsWith(StatusCode.PermissionDenied, () => reader.SearchDirectoryGroupsAsync(new SearchDirectoryGroupsRequest { TenantId = tenantId }).ResponseAsync);
        Assert.Contains("tenant.sync", denied.Status.Detail, StringComparison.Ordinal);
        await FailsWith(StatusCode.PermissionDenied, () => reader.StartDirectoryGroupsSyncAsync(new StartDirectoryGroupsSyncRequest { TenantId = tenantId }).ResponseAsync);
        await suite.AssertNoActiveRunsAsync();
    }

    [Fact]
    public async Task Resolve_FindsGroupsByIdAndByExactName_EveryGroupOfACollidingName_WithoutCallingGraph()
    {
        var (_, tenantId, entraTenantId, _) = await suite.CreateTenantAsync("resolve-owner", deviceConfigurations: 1, compliancePolicies: 0);
        await DefineGroupsAsync(entraTenantId, groups: 6);
        // Entra lets two groups share a name (here in different case); two more names have letters beyond ASCII, one of
        // them (İ) one that .NET's invariant lower-casing leaves as it is while PostgreSQL's folds it.
        var finance = new[] { await AddGroupAsync(entraTenantId, "Finance Team"), await AddGroupAsync(entraTenantId, "FINANCE team") };
        var equipe = await AddGroupAsync(entraTenantId, "Équipe Ventes");
        var istanbul = await AddGroupAsync(entraTenantId, "İstanbul Ofis");
        var api = suite.InventoryApi(UserToken("resolve-owner"));
        var run = await suite.WaitForCompletionAsync((await api.StartDirectoryGroupsSyncAsync(new StartDirectoryGroupsSyncRequest { TenantId = tenantId })).Run.RunId);
        var cached = await SearchAllAsync(api, new SearchDirectoryGroupsRequest { TenantId = tenantId });
        var generated = cached.Where(g => g.DisplayName.StartsWith("SG-Intune-", StringComparison.Ordinal)).ToList();
        var listed = await GroupListRequestsAsync(entraTenantId);

        var resolved = await api.ResolveDirectoryGroupsAsync(new ResolveDirectoryGroupsRequest
        {
            TenantId = tenantId,
            GroupIds = { generated[0].GroupId, generated[1].GroupId.ToUpperInvariant(), Guid.NewGuid().ToString() },
            DisplayNames = { "  finance TEAM ", "équipe ventes", "İSTANBUL OFIS", generated[2].DisplayName.ToUpperInvariant(), "No such group" },
        });

        Assert.Equal(Sorted(generated[0].GroupId, generated[1].GroupId), Sorted([.. resolved.ById.Select(g => g.GroupId)]));
        Assert.Equal(Sorted(finance[0], finance[1], equipe, istanbul, generated[2].GroupId), Sorted([.. resolved.ByName.Select(g => g.GroupId)]));
        Assert.Equal(2, resolved.ByName.Count(g => g.DisplayName.Equals("finance team", StringComparison.OrdinalIgnoreCase)));
        Assert.All(resolved.ById.Concat(resolved.ByName), g => Assert.Equal(run.RunId, g.LastSeenRunId));
        Assert.Equal(cached.Max(g => g.LastSeenAt.ToDateTime()), resolved.SyncedAt.ToDateTime());

        // Neither list is required: asking nothing answers when the cache was filled.
        Assert.Equal(resolved.SyncedAt, (await api.ResolveDirectoryGroupsAsync(new ResolveDirectoryGroupsRequest { TenantId = tenantId })).SyncedAt);
        // Resolving is database-only: no request reached Graph for it.
        Assert.Equal(listed, await GroupListRequestsAsync(entraTenantId));
    }

    [Fact]
    public async Task Resolve_HidesGroupsACompleteSyncNoLongerFound_UnlessAsked_AndSyncedAtFollowsTheSyncs()
    {
        var (_, tenantId, entraTenantId, _) = await suite.CreateTenantAsync("resolve-deleted-owner", deviceConfigurations: 1, compliancePolicies: 0);
        await DefineGroupsAsync(entraTenantId, groups: 12);
        var api = suite.InventoryApi(UserToken("resolve-deleted-owner"));

        var never = await api.ResolveDirectoryGroupsAsync(new ResolveDirectoryGroupsRequest { TenantId = tenantId, DisplayNames = { "SG-Intune" } });
        Assert.Null(never.SyncedAt);
        Assert.Empty(never.ByName);

        await suite.WaitForCompletionAsync((await api.StartDirectoryGroupsSyncAsync(new StartDirectoryGroupsSyncRequest { TenantId = tenantId })).Run.RunId);
        var first = await SearchAllAsync(api, new SearchDirectoryGroupsRequest { TenantId = tenantId });
        await DefineGroupsAsync(entraTenantId, groups: 8);
        var second = await suite.WaitForCompletionAsync((await api.StartDirectoryGroupsSyncAsync(new StartDirectoryGroupsSyncRequest { TenantId = tenantId })).Run.RunId);
        var gone = (await SearchAllAsync(api, new SearchDirectoryGroupsRequest { TenantId = tenantId, IncludeDeleted = true })).Where(g => g.Deleted).ToList();
        Assert.Equal(4, gone.Count);

        ResolveDirectoryGroupsRequest Everything(bool includeDeleted)
        {
            var request = new ResolveDirectoryGroupsRequest { TenantId = tenantId, IncludeDeleted = includeDeleted };
            request.GroupIds.AddRange(first.Select(g => g.GroupId));
            request.DisplayNames.AddRange(gone.Select(g => g.DisplayName));
            return request;
        }
        var current = await api.ResolveDirectoryGroupsAsync(Everything(includeDeleted: false));
        var withDeleted = await api.ResolveDirectoryGroupsAsync(Everything(includeDeleted: true));

        Assert.Equal(8, current.ById.Count);
        Assert.All(current.ById, g => Assert.False(g.Deleted));
        Assert.Empty(current.ByName);
        Assert.Equal(first.Select(g => g.GroupId).Order(), withDeleted.ById.Select(g => g.GroupId).Order());
        Assert.Equal(gone.Select(g => g.GroupId).Order(), withDeleted.ByName.Select(g => g.GroupId).Order());
        Assert.All(withDeleted.ByName, g => Assert.True(g.Deleted));
        // synced_at is the second sync's: the latest time a sync stored a group the tenant still has.
        var stillThere = current.ById.Where(g => g.LastSeenRunId == second.RunId).ToList();
        Assert.Equal(8, stillThere.Count);
        Assert.Equal(stillThere.Max(g => g.LastSeenAt.ToDateTime()), current.SyncedAt.ToDateTime());
        Assert.True(current.SyncedAt.ToDateTime() > gone.Max(g => g.LastSeenAt.ToDateTime()));
        Assert.Equal(current.SyncedAt, withDeleted.SyncedAt);
    }

    [Fact]
    public async Task Resolve_BadInputIsInvalidArgument_AnotherWorkspacesTenantIsNotFound_AServiceMayResolve()
    {
        var (workspaceId, tenantId, _, _) = await suite.CreateTenantAsync("resolve-access-owner", deviceConfigurations: 1, compliancePolicies: 0);
        var api = suite.InventoryApi(UserToken("resolve-access-owner"));

        var tooMany = new ResolveDirectoryGroupsRequest { TenantId = tenantId };
        tooMany.GroupIds.AddRange(Enumerable.Range(0, 1_001).Select(_ => Guid.NewGuid().ToString()));
        tooMany.DisplayNames.AddRange(Enumerable.Range(0, 1_001).Select(i => $"Group {i}"));
        var refused = await FailsWith(StatusCode.InvalidArgument, () => api.ResolveDirectoryGroupsAsync(tooMany).ResponseAsync);
        Assert.Contains("group_ids: at most 1000 values (got 1001)", refused.Status.Detail, StringComparison.Ordinal);
        Assert.Contains("display_names: at most 1000 values (got 1001)", refused.Status.Detail, StringComparison.Ordinal);

        var bad = await FailsWith(StatusCode.InvalidArgument, () => api.ResolveDirectoryGroupsAsync(new ResolveDirectoryGroupsRequest
        {
            GroupIds = { Guid.NewGuid().ToString(), "SG-Intune-Finance" },
            DisplayNames = { "   ", new string('x', 257) },
        }).ResponseAsync);
        foreach (var field in new[] { "tenant_id", "group_ids[1]", "'SG-Intune-Finance'", "display_names[0]", "display_names[1]", "at most 256" })
        {
            Assert.Contains(field, bad.Status.Detail, StringComparison.Ordinal);
        }
        Assert.DoesNotContain("group_ids[0]", bad.Status.Detail, StringComparison.Ordinal);

        var request = new ResolveDirectoryGroupsRequest { TenantId = tenantId, DisplayNames = { "Finance Team" } };
        await FailsWith(StatusCode.NotFound, () => suite.InventoryApi(UserToken("someone-else")).ResolveDirectoryGroupsAsync(request).ResponseAsync);
        await FailsWith(StatusCode.NotFound, () => api.ResolveDirectoryGroupsAsync(new ResolveDirectoryGroupsRequest { TenantId = Guid.NewGuid().ToString() }).ResponseAsync);
        await suite.Access(UserToken("resolve-access-owner")).SetMemberAsync(new SetMemberRequest
        {
            WorkspaceId = workspaceId, Subject = "resolve-reader", DisplayName = "Reader", Role = Role.Readonly,
        });
        var denied = await FailsWith(StatusCode.PermissionDenied, () => suite.InventoryApi(UserToken("resolve-reader")).ResolveDirectoryGroupsAsync(request).ResponseAsync);
        Assert.Contains("tenant.sync", denied.Status.Detail, StringComparison.Ordinal);

        // RestoreService's planner resolves with its service token, as it may search.
        var asService = await suite.InventoryApi(ServiceToken()).ResolveDirectoryGroupsAsync(request);
        Assert.Empty(asService.ByName);
        Assert.Null(asService.SyncedAt);
    }

    /// <summary>Redefines the emulated tenant's groups (same seed as the fixture's tenant, so ids are stable across counts).</summary>
    private async Task DefineGroupsAsync(string entraTenantId, int groups)
    {
        using var admin = suite.EmulatorAdmin();
        using var response = await admin.PutAsJsonAsync($"/emulator/tenants/{entraTenantId}", new
        {
            clientId = GraphClientId, clientSecret = GraphClientSecret, deviceConfigurations = 1, compliancePolicies = 0,
            assignmentsPerPolicy = 1, seed = 7, groups,
        });
        response.EnsureSuccessStatusCode();
    }

    /// <summary>Adds a group of the given name to the emulated tenant (beside the generated ones); returns its id.</summary>
    private async Task<string> AddGroupAsync(string entraTenantId, string displayName)
    {
        using var admin = suite.EmulatorAdmin();
        using var response = await admin.PostAsJsonAsync($"/emulator/tenants/{entraTenantId}/groups", new { displayName });
        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadFromJsonAsync<System.Text.Json.JsonElement>()).GetProperty("id").GetString()!;
    }

    private static string[] Sorted(params string[] ids) => [.. ids.Order(StringComparer.Ordinal)];

    /// <summary>Pages of /groups served to the tenant.</summary>
    private async Task<int> GroupListRequestsAsync(string entraTenantId)
    {
        using var admin = suite.EmulatorAdmin();
        var log = await admin.GetFromJsonAsync<System.Text.Json.JsonElement>($"/emulator/tenants/{entraTenantId}/requests");
        return log.GetProperty("pageReads").TryGetProperty("groups", out var pages) ? pages.EnumerateObject().Sum(p => p.Value.GetInt32()) : 0;
    }

    private static async Task<List<DirectoryGroup>> SearchAllAsync(TenantAtlas.Inventory.V1.InventoryService.InventoryServiceClient api, SearchDirectoryGroupsRequest request)
    {
        var groups = new List<DirectoryGroup>();
        do
        {
            var page = await api.SearchDirectoryGroupsAsync(request);
            groups.AddRange(page.Groups);
            request.PageToken = page.NextPageToken;
        }
        while (request.PageToken.Length > 0);
        return groups;
    }
}
