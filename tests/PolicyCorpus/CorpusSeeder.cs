using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;

namespace TenantAtlas.PolicyCorpus;

/// <summary>One corpus policy as a tenant holds it: the policy, its id there, and the assignments it was given.</summary>
public sealed record SeededPolicy(CorpusPolicy Policy, string Id, JsonArray Assignments);

/// <summary>
/// Puts the corpus into a tenant as an admin would, through Graph itself (an <see cref="HttpClient"/> signed in to the
/// tenant): POST each policy's JSON, then one /assign with the set the caller chooses for it.
/// </summary>
public static class CorpusSeeder
{
    public static async Task<List<SeededPolicy>> SeedAsync(HttpClient graph, IReadOnlyList<CorpusPolicy> corpus, Func<CorpusPolicy, JsonArray> assignments)
    {
        var seeded = new List<SeededPolicy>(corpus.Count);
        foreach (var policy in corpus)
        {
            var collection = policy.Family == Corpus.DeviceConfigurations ? "deviceConfigurations" : "deviceCompliancePolicies";
            var created = await SendAsync(graph, $"/v1.0/deviceManagement/{collection}", policy.Json);
            var id = created!["id"]!.GetValue<string>();
            var assigned = assignments(policy);
            await SendAsync(graph, $"/v1.0/deviceManagement/{collection}/{id}/assign", new JsonObject { ["assignments"] = assigned.DeepClone() });
            seeded.Add(new SeededPolicy(policy, id, assigned));
        }
        return seeded;
    }

    private static async Task<JsonNode?> SendAsync(HttpClient graph, string path, JsonNode body)
    {
        using var response = await graph.PostAsync(path, new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json"));
        var text = await response.Content.ReadAsStringAsync();
        if (!response.IsSuccessStatusCode)
        {
            throw new InvalidOperationException($"POST {path} answered {(int)response.StatusCode}: {text}");
        }
        return text.Length == 0 ? null : JsonNode.Parse(text);
    }
}
