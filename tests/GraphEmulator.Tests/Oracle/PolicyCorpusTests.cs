using System.Text.Json.Nodes;
using Microsoft.Graph.Models;
using TenantAtlas.GraphEmulator.Tenants;
using TenantAtlas.PolicyCorpus;
using Xunit.Abstractions;

namespace TenantAtlas.GraphEmulator.Tests.Oracle;

/// <summary>
/// The corpus (a policy of every v1.0 type, every writable property set, from the SDK's own models) is what it claims to be,
/// and the emulator keeps every value of it: created through the real GraphServiceClient and read back through it, every
/// property of every type is the same.
/// </summary>
public sealed class PolicyCorpusTests(GraphEmulatorFactory emulator, ITestOutputHelper output) : IClassFixture<GraphEmulatorFactory>
{
    [Fact]
    public void TheCorpus_HasOnePolicyOfEveryConcreteType_EachFullyWritten_AndIsTheSameEveryTime()
    {
        var corpus = Corpus.Generate();
        var again = Corpus.Generate();

        output.WriteLine($"{CorpusTypes.DeviceConfigurationTypes.Count} device configuration types, {CorpusTypes.CompliancePolicyTypes.Count} compliance types, " +
            $"{corpus.Sum(p => p.SettingPaths.Count)} values; read-only and left unset: " +
            string.Join(", ", corpus.SelectMany(p => p.ReadOnlyProperties.Select(r => $"{p.ODataType[17..]}.{r}"))));
        Assert.Equal(CorpusTypes.DeviceConfigurationTypes.Count + CorpusTypes.CompliancePolicyTypes.Count, corpus.Count);
        Assert.Equal(corpus.Count, corpus.Select(p => p.ODataType).Distinct().Count());
        // Graph's abstract intermediate is not a policy of its own; its two subtypes are.
        Assert.DoesNotContain(corpus, p => p.ODataType == "#microsoft.graph.appleDeviceFeaturesConfigurationBase");
        Assert.Contains(corpus, p => p.ODataType == "#microsoft.graph.iosDeviceFeaturesConfiguration");
        Assert.All(corpus, p =>
        {
            Assert.Equal(p.ODataType, p.Json["@odata.type"]!.GetValue<string>());
            Assert.DoesNotContain(p.Json, property => property.Key is "id" or "createdDateTime" or "lastModifiedDateTime" or "version" or "assignments");
        });
        var general = corpus.Single(p => p.ODataType == "#microsoft.graph.windows10GeneralConfiguration");
        Assert.True(general.SettingPaths.Count > 200, $"windows10GeneralConfiguration has {general.SettingPaths.Count} values");
        // An ordinary setting that names a password, with an enum value that is not the default.
        Assert.NotEqual("deviceDefault", general.Json["passwordRequiredType"]!.GetValue<string>());
        Assert.All(corpus.Where(p => p.Family == Corpus.CompliancePolicies), p => Assert.Single(p.Json["scheduledActionsForRule"]!.AsArray()));
        // Every OMA setting subtype the SDK has is in some custom configuration's omaSettings.
        var omaTypes = corpus.SelectMany(p => p.Json["omaSettings"] as JsonArray ?? []).Select(s => s!["@odata.type"]!.GetValue<string>()).Distinct().Count();
        Assert.Equal(CorpusTypes.LeavesOf(typeof(OmaSetting)).Count, omaTypes);
        Assert.Equal(corpus.Select(p => p.Json.ToJsonString()), again.Select(p => p.Json.ToJsonString()));
    }

    [Fact]
    public async Task EveryCorpusPolicy_CreatedThroughTheSdk_IsReadBackThroughIt_WithEveryValueTheSame()
    {
        var tenant = await emulator.DefineTenantAsync(new TenantDefinition { DeviceConfigurations = 0, CompliancePolicies = 0, PageSize = 10 });
        using var client = emulator.CreateGraphClient(tenant);
        var corpus = Corpus.Generate();

        foreach (var policy in corpus)
        {
            _ = policy.Family == Corpus.DeviceConfigurations
                ? await client.DeviceManagement.DeviceConfigurations.PostAsync((DeviceConfiguration)policy.Model)
                : (Entity?)await client.DeviceManagement.DeviceCompliancePolicies.PostAsync((DeviceCompliancePolicy)policy.Model);
        }
        var read = new List<Entity>();
        var configurations = await client.DeviceManagement.DeviceConfigurations.GetAsync();
        while (configurations is not null)
        {
            read.AddRange(configurations.Value ?? []);
            configurations = configurations.OdataNextLink is { } next ? await client.DeviceManagement.DeviceConfigurations.WithUrl(next).GetAsync() : null;
        }
        var compliance = await client.DeviceManagement.DeviceCompliancePolicies.GetAsync(r =>
            r.QueryParameters.Expand = ["scheduledActionsForRule($expand=scheduledActionConfigurations)"]);
        while (compliance is not null)
        {
            read.AddRange(compliance.Value ?? []);
            compliance = compliance.OdataNextLink is { } next ? await client.DeviceManagement.DeviceCompliancePolicies.WithUrl(next).GetAsync() : null;
        }

        var byName = read.ToDictionary(p => (string)p.GetType().GetProperty("DisplayName")!.GetValue(p)!);
        var differences = new List<string>();
        foreach (var policy in corpus)
        {
            Assert.True(byName.TryGetValue(policy.DisplayName, out var stored), $"{policy.ODataType} was not listed");
            Assert.Equal(policy.Model.GetType(), stored!.GetType());
            differences.AddRange(Differences(policy.ODataType, string.Empty, Comparable(policy.Json), Comparable(await RevealedAsync(client, Corpus.Serialize(stored)))));
        }
        Assert.True(differences.Count == 0, string.Join('\n', differences));
    }

    /// <summary>
    /// Intune keeps OMA string values encrypted and reads them masked (the emulator does too, docs/services/graph-emulator.md):
    /// the value sent is what getOmaSettingPlainTextValue reveals, and isEncrypted / secretReferenceValueId are Intune's.
    /// </summary>
    private static async Task<JsonObject> RevealedAsync(Microsoft.Graph.GraphServiceClient client, JsonObject read)
    {
        foreach (var setting in (read["omaSettings"] as JsonArray ?? []).OfType<JsonObject>())
        {
            if (setting["secretReferenceValueId"]?.GetValue<string>() is { } reference)
            {
                var plain = await client.DeviceManagement.DeviceConfigurations[read["id"]!.GetValue<string>()]
                    .GetOmaSettingPlainTextValueWithSecretReferenceValueId(reference).GetAsGetOmaSettingPlainTextValueWithSecretReferenceValueIdGetResponseAsync();
                setting["value"] = plain!.Value;
                setting.Remove("secretReferenceValueId");
                setting.Remove("isEncrypted");
            }
        }
        return read;
    }

    /// <summary>A policy without what the service assigns: id, dates, version, and the ids inside compliance actions.</summary>
    private static JsonObject Comparable(JsonObject policy)
    {
        var copy = (JsonObject)policy.DeepClone();
        foreach (var owned in new[] { "id", "createdDateTime", "lastModifiedDateTime", "version" })
        {
            copy.Remove(owned);
        }
        foreach (var rule in (copy["scheduledActionsForRule"] as JsonArray ?? []).OfType<JsonObject>())
        {
            rule.Remove("id");
            foreach (var action in (rule["scheduledActionConfigurations"] as JsonArray ?? []).OfType<JsonObject>())
            {
                action.Remove("id");
            }
        }
        return copy;
    }

    /// <summary>Every value that differs, named by type and JSON pointer.</summary>
    private static IEnumerable<string> Differences(string type, string path, JsonNode? expected, JsonNode? actual)
    {
        switch (expected, actual)
        {
            case (JsonObject e, JsonObject a):
                foreach (var key in e.Select(p => p.Key).Union(a.Select(p => p.Key)))
                {
                    foreach (var difference in Differences(type, $"{path}/{key}", e[key], a[key]))
                    {
                        yield return difference;
                    }
                }
                yield break;
            case (JsonArray e, JsonArray a) when e.Count == a.Count:
                for (var i = 0; i < e.Count; i++)
                {
                    foreach (var difference in Differences(type, $"{path}/{i}", e[i], a[i]))
                    {
                        yield return difference;
                    }
                }
                yield break;
        }
        var (wanted, got) = (expected?.ToJsonString() ?? "null", actual?.ToJsonString() ?? "null");
        if (wanted != got)
        {
            yield return $"{type} {path}: sent {wanted}, read {got}";
        }
    }
}
