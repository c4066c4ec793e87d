using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using TenantAtlas.GraphEmulator.Endpoints;
using TenantAtlas.GraphEmulator.Tenants;

namespace TenantAtlas.GraphEmulator.Tests.Endpoints;

public sealed class GroupListTests(GraphEmulatorFactory emulator) : IClassFixture<GraphEmulatorFactory>
{
    [Fact]
    public async Task Groups_PageWithNextLinks_ThatKeepTopAndSelect()
    {
        var tenant = await emulator.DefineTenantAsync(new TenantDefinition { Groups = 7 });
        using var http = await emulator.CreateGraphHttpClientAsync(tenant);

        var ids = new List<string>();
        string? next = "/v1.0/groups?$top=3&$select=id,displayName,groupTypes,membershipRule,deletedDateTime";
        var pages = 0;
        while (next is not null)
        {
            using var page = JsonDocument.Parse(await http.GetStringAsync(next));
            foreach (var group in page.RootElement.GetProperty("value").EnumerateArray())
            {
                Assert.Equal(["id", "displayName", "groupTypes", "membershipRule", "deletedDateTime"], group.EnumerateObject().Select(p => p.Name));
                Assert.Equal(JsonValueKind.Null, group.GetProperty("deletedDateTime").ValueKind);
                ids.Add(group.GetProperty("id").GetString()!);
            }

            next = page.RootElement.TryGetProperty("@odata.nextLink", out var link) ? link.GetString() : null;
            if (next is not null)
                Assert.Contains("$select=", next, StringComparison.Ordinal);
            pages++;
        }

        Assert.Equal(3, pages);
        Assert.Equal(tenant.Summary.GroupIds, ids);
    }

    [Fact]
    public async Task Groups_SelectThroughTheSdk_AndAnUnknownPropertyIs400()
    {
        var tenant = await emulator.DefineTenantAsync(new TenantDefinition { Groups = 3 });
        using var client = emulator.CreateGraphClient(tenant);
        using var http = await emulator.CreateGraphHttpClientAsync(tenant);

        var groups = (await client.Groups.GetAsync(r => r.QueryParameters.Select = ["displayName", "membershipRule"]))!.Value!;
        using var unknown = await http.GetAsync("/v1.0/groups?$select=displayName,noSuchProperty");

        Assert.Equal(3, groups.Count);
        Assert.All(groups, g => Assert.Null(g.Id));
        Assert.All(groups, g => Assert.False(string.IsNullOrEmpty(g.DisplayName)));
        Assert.False(string.IsNullOrEmpty(groups[2].MembershipRule));
        Assert.Equal(HttpStatusCode.BadRequest, unknown.StatusCode);
        Assert.Contains("noSuchProperty", await unknown.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task AdminAddedGroups_AreListed_AndResolvable()
    {
        var tenant = await emulator.DefineTenantAsync(new TenantDefinition { Groups = 2 });
        using var admin = emulator.CreateClient();
        using var client = emulator.CreateGraphClient(tenant);
        var id = Guid.NewGuid().ToString();

        using var added = await admin.PostAsJsonAsync($"/emulator/tenants/{tenant.TenantId}/groups",
            new GroupDefinition("SG-Restore-Target", Id: id, MembershipRule: "(device.deviceOSType -eq \"Windows\")"));
        using var duplicate = await admin.PostAsJsonAsync($"/emulator/tenants/{tenant.TenantId}/groups", new GroupDefinition("Again", Id: id));
        using var noName = await admin.PostAsJsonAsync($"/emulator/tenants/{tenant.TenantId}/groups", new GroupDefinition(""));
        var groups = (await client.Groups.GetAsync())!.Value!;
        var group = await client.Groups[id].GetAsync();

        Assert.Equal(HttpStatusCode.Created, added.StatusCode);
        Assert.Equal(HttpStatusCode.Conflict, duplicate.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, noName.StatusCode);
        Assert.Equal([.. tenant.Summary.GroupIds, id], groups.Select(g => g.Id));
        Assert.Equal("SG-Restore-Target", group!.DisplayName);
        Assert.Equal(["DynamicMembership"], group.GroupTypes);

        using var removed = await admin.DeleteAsync($"/emulator/tenants/{tenant.TenantId}/groups/{id}");
        Assert.Equal(HttpStatusCode.NoContent, removed.StatusCode);
        Assert.DoesNotContain(id, (await emulator.GetSummaryAsync(tenant.TenantId)).GroupIds);
    }
}
