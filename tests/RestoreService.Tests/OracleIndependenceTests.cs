extern alias emulator;
extern alias restore;

using TenantAtlas.PolicyCorpus;
using TenantAtlas.TenantGraph;

namespace TenantAtlas.RestoreService.Tests;

/// <summary>
/// The oracle can disagree with the product: the emulator's notion of what Graph refuses or keeps secret
/// (GraphPolicySchema, GraphSecretPropertyTable, from Graph's documentation) and the corpus (from the SDK's models) are
/// their own — other tables in other assemblies that reference no product code — not the product's RestorableForm and
/// SecretProperties.
/// </summary>
public sealed class OracleIndependenceTests
{
    private static readonly string[] ProductAssemblies = ["TenantGraph", "RestoreService", "BackupService", "InventoryService", "Workers", "ServiceDefaults"];

    [Fact]
    public void TheEmulatorsTables_AndTheCorpus_AreNotTheProductsTables_AndReferenceNoProductCode()
    {
        var emulatorAssembly = typeof(emulator::Program).Assembly;
        var schema = emulatorAssembly.GetType("TenantAtlas.GraphEmulator.Endpoints.GraphPolicySchema", throwOnError: true)!;
        var secrets = emulatorAssembly.GetType("TenantAtlas.GraphEmulator.Tenants.GraphSecretPropertyTable", throwOnError: true)!;

        Assert.NotEqual(typeof(SecretProperties).Assembly.Location, secrets.Assembly.Location);
        Assert.NotEqual(typeof(restore::TenantAtlas.RestoreService.Planning.RestorableForm).Assembly.Location, schema.Assembly.Location);
        Assert.NotEqual(typeof(SecretProperties).Assembly.Location, typeof(Corpus).Assembly.Location);
        Assert.DoesNotContain(emulatorAssembly.GetReferencedAssemblies(), a => ProductAssemblies.Contains(a.Name));
        Assert.DoesNotContain(typeof(Corpus).Assembly.GetReferencedAssemblies(), a => ProductAssemblies.Contains(a.Name));
    }
}
