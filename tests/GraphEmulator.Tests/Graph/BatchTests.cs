using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Graph;
using Microsoft.Graph.Models;
using TenantAtlas.GraphEmulator.Tenants;

namespace TenantAtlas.GraphEmulator.Tests.Graph;

public sealed class BatchTests(GraphEmulatorFactory emulator) : IClassFixture<GraphEmulatorFactory>
{
    private static readonly string[] GroupType = ["group"];

    [Fact]
    public async Task SdkBatch_ReadsEveryPolicysAssignments_AndTheLogCountsEachSubRequest()
    {
        var tenant = await emulator.DefineTenantAsync(new TenantDefinition { DeviceConfigurations = 25, AssignmentsPerPolicy = 2 });
        using var client = emulator.CreateGraphClient(tenant);
        var batch = new BatchRequestContentCollection(client);
        var steps = new Dictionary<string, string>();
        foreach (var id in tenant.Summary.DeviceConfigurationIds)
            steps[await batch.AddBatchRequestStepAsync(client.DeviceManagement.DeviceConfigurations[id].Assignments.ToGetRequestInformation())] = id;

        var responses = await client.Batch.PostAsync(batch);

        Assert.All((await responses.GetResponsesStatusCodesAsync()).Values, status => Assert.Equal(HttpStatusCode.OK, status));
        foreach (var (step, policyId) in steps)
        {
            var assignments = await responses.GetResponseByIdAsync<DeviceConfigurationAssignmentCollectionResponse>(step);
            Assert.All(assignments.Value!, a => Assert.StartsWith(policyId + "_", a.Id, StringComparison.Ordinal));
            Assert.Equal(2, assignments.Value!.Count);
        }

        var requests = await emulator.GetRequestCountsAsync(tenant.TenantId);
        Assert.Equal(2, requests.Batches); // the SDK splits 25 steps into batches of 20 and 5
        Assert.Equal(25, requests.CollectionReads["assignments"]);
        Assert.Equal(27, requests.Total);
    }

    [Fact]
    public async Task ThrottledSubRequest_Answers429WithRetryAfter_InsideA200Batch()
    {
        var tenant = await emulator.DefineTenantAsync(new TenantDefinition { DeviceConfigurations = 3 });
        using var http = await emulator.CreateGraphHttpClientAsync(tenant);
        var ids = tenant.Summary.DeviceConfigurationIds;
        await emulator.SetFaultsAsync(tenant.TenantId, new FaultSettings(new ThrottleFault(1, RetryAfterSeconds: 7), FailingItemIds: [ids[2]]));

        using var response = await http.PostAsJsonAsync("/v1.0/$batch", new
        {
            requests = new object[]
            {
                new { id = "a", method = "GET", url = $"/deviceManagement/deviceConfigurations/{ids[0]}/assignments" },
                new { id = "b", method = "GET", url = $"deviceManagement/deviceConfigurations/{ids[1]}" },
                new { id = "c", method = "GET", url = $"/deviceManagement/deviceConfigurations/{ids[2]}/assignments" },
            },
        });

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var byId = body.RootElement.GetProperty("responses").EnumerateArray().ToDictionary(r => r.GetProperty("id").GetString()!);
        Assert.Equal(429, byId["a"].GetProperty("status").GetInt32());
        Assert.Equal("7", byId["a"].GetProperty("headers").GetProperty("Retry-After").GetString());
        Assert.Equal("TooManyRequests", byId["a"].GetProperty("body").GetProperty("error").GetProperty("code").GetString());
        Assert.Equal(200, byId["b"].GetProperty("status").GetInt32());
        Assert.Equal(ids[1], byId["b"].GetProperty("body").GetProperty("id").GetString());
        Assert.Equal(500, byId["c"].GetProperty("status").GetInt32());
        var requests = await emulator.GetRequestCountsAsync(tenant.TenantId);
        Assert.Equal(1, requests.Count(429));
        Assert.Equal(2, requests.Count(200)); // the batch and sub-request b
        Assert.Equal(1, requests.Count(500));
    }

    [Fact]
    public async Task BatchOfMoreThan20Requests_OrWithDuplicateIds_Is400()
    {
        var tenant = await emulator.DefineTenantAsync(new TenantDefinition { DeviceConfigurations = 1 });
        using var http = await emulator.CreateGraphHttpClientAsync(tenant);
        object Request(string id) => new { id, method = "GET", url = "/deviceManagement/deviceConfigurations" };

        using var tooMany = await http.PostAsJsonAsync("/v1.0/$batch", new { requests = Enumerable.Range(1, 21).Select(i => Request($"{i}")) });
        using var duplicate = await http.PostAsJsonAsync("/v1.0/$batch", new { requests = new[] { Request("1"), Request("1") } });

        Assert.Equal(HttpStatusCode.BadRequest, tooMany.StatusCode);
        Assert.Contains("20", await tooMany.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.BadRequest, duplicate.StatusCode);
        Assert.Empty((await emulator.GetRequestCountsAsync(tenant.TenantId)).CollectionReads);
    }

    [Fact]
    public async Task SubRequestPost_ReachesGetByIds()
    {
        var tenant = await emulator.DefineTenantAsync(new TenantDefinition());
        using var http = await emulator.CreateGraphHttpClientAsync(tenant);

        using var response = await http.PostAsJsonAsync("/v1.0/$batch", new
        {
            requests = new[]
            {
                new
                {
                    id = "groups", method = "POST", url = "/directoryObjects/getByIds",
                    headers = new Dictionary<string, string> { ["Content-Type"] = "application/json" },
                    body = new { ids = tenant.Summary.GroupIds.Take(3), types = GroupType },
                },
            },
        });

        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var sub = body.RootElement.GetProperty("responses")[0];
        Assert.Equal(200, sub.GetProperty("status").GetInt32());
        Assert.Equal(3, sub.GetProperty("body").GetProperty("value").GetArrayLength());
    }
}
