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

    /// <summary>
    /// An HTTP client of a Graph emulator's endpoints signed in as an app of the tenant (client credentials at the emulator's
    /// token endpoint, as against Entra ID), for raw Graph JSON a test or benchmark writes as an admin would.
    /// </summary>
    public static async Task<HttpClient> SignInAsync(Uri emulator, string entraTenantId, string clientId, string clientSecret)
    {
        var http = new HttpClient { BaseAddress = emulator };
        using var token = await http.PostAsync($"/{entraTenantId}/oauth2/v2.0/token", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["grant_type"] = "client_credentials", ["client_id"] = clientId, ["client_secret"] = clientSecret, ["scope"] = "https://graph.microsoft.com/.default",
        }));
        token.EnsureSuccessStatusCode();
        var accessToken = (await token.Content.ReadFromJsonAsync<System.Text.Json.JsonElement>()).GetProperty("access_token").GetString();
        http.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", accessToken);
        return http;
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
