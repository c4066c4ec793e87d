using TenantAtlas.RunsService.Runs;

namespace TenantAtlas.RunsService.Tests.Runs;

public sealed class RunIdentityTests
{
    private static readonly Guid Workspace = Guid.Parse("0190c0de-0000-7000-8000-000000000001");
    private static readonly Guid Tenant = Guid.Parse("0190c0de-0000-7000-8000-0000000000aa");

    // Known answers computed independently (Python hashlib over the encoding in docs/contract.md), so the C#
    // implementation and the documentation are checked against each other.
    [Fact]
    public void Hash_MatchesDocumentedKnownAnswer_ForTenantRun()
    {
        var inputs = new Dictionary<string, string>
        {
            ["scope"] = "all", ["policy_types"] = "deviceConfiguration,compliance", ["region"] = "Zürich",
            ["a_b"] = "3", ["a.b"] = "2", ["a-b"] = "1",
        };

        var hash = RunIdentity.Hash(Workspace, Tenant, "inventory.sync", IdentityPolicyName.WhileActive, "", inputs);

        Assert.Equal("b0388deb5ffd7f64c45c2aeea1e3d6c166705a49488de29ef069b1901343d1e9", hash);
    }

    [Fact]
    public void Hash_MatchesDocumentedKnownAnswer_ForWorkspacePlanePerClickRun()
    {
        var hash = RunIdentity.Hash(Workspace, null, "operations_report.generate", IdentityPolicyName.PerClick, "click-42",
            new Dictionary<string, string>());

        Assert.Equal("2f7f08e6ebe54d960559ac8c68ec9970eb2e16f5329bafc81988868f779539ff", hash);
    }

    [Fact]
    public void Hash_DiffersByPolicyClickTenantAndInputs()
    {
        var inputs = new Dictionary<string, string> { ["scope"] = "all" };
        var hashes = new[]
        {
            RunIdentity.Hash(Workspace, Tenant, "inventory.sync", IdentityPolicyName.WhileActive, "", inputs),
            RunIdentity.Hash(Workspace, Tenant, "inventory.sync", IdentityPolicyName.Once, "", inputs),
            RunIdentity.Hash(Workspace, Tenant, "inventory.sync", IdentityPolicyName.PerClick, "c1", inputs),
            RunIdentity.Hash(Workspace, Tenant, "inventory.sync", IdentityPolicyName.PerClick, "c2", inputs),
            RunIdentity.Hash(Workspace, null, "inventory.sync", IdentityPolicyName.WhileActive, "", inputs),
            RunIdentity.Hash(Workspace, Tenant, "inventory.sync", IdentityPolicyName.WhileActive, "", new Dictionary<string, string> { ["scope"] = "al", ["l"] = "" }),
        };

        Assert.Equal(hashes.Length, hashes.Distinct().Count());
    }
}
