using Microsoft.Extensions.DependencyInjection;
using TenantAtlas.Contracts;
using TenantAtlas.Runs.V1;
using TenantAtlas.RunsService.Access;
using TenantAtlas.RunsService.Runs;
using static TenantAtlas.RunsService.Tests.RunsServiceFixture;
using ProtoRole = TenantAtlas.Access.V1.Role;
using Role = TenantAtlas.RunsService.Access.Role;

namespace TenantAtlas.RunsService.Tests.Access;

/// <summary>
/// The SQL that decides access for speed (EnsureRun's gate, ListRuns' visibility filter) against the C# rule
/// (<see cref="AccessRule"/>), over the whole access matrix: every role × tenant entitlement × tenant × run type.
/// </summary>
public sealed class AccessRuleParityTests(RunsServiceFixture service) : IClassFixture<RunsServiceFixture>
{
    private const string Owner = "parity-owner";

    private enum Entitlement { AllTenants, OnlyA, OnlyB }

    /// <summary>A workspace with tenants A and B, a tenant X of another workspace, and one member per role × entitlement.</summary>
    private sealed record Matrix(Guid WorkspaceId, Guid TenantA, Guid TenantB, Guid ForeignTenant, IReadOnlyList<Membership?> Members);

    private async Task<Matrix> MatrixAsync(string name)
    {
        var (workspaceId, tenantA) = await service.CreateWorkspaceWithTenantAsync(Owner, name);
        var tenantB = await service.RegisterTenantAsync(Owner, workspaceId, $"{name} B");
        var (_, foreignTenant) = await service.CreateWorkspaceWithTenantAsync(Owner, $"{name} elsewhere");
        var workspace = Guid.Parse(workspaceId);
        List<Membership?> members = [null]; // an outsider: no membership at all
        foreach (var role in Role.All)
        {
            foreach (var entitlement in Enum.GetValues<Entitlement>())
            {
                var subject = $"{name}-{role}-{entitlement}".ToLowerInvariant();
                string[] tenants = entitlement switch
                {
                    Entitlement.OnlyA => [tenantA],
                    Entitlement.OnlyB => [tenantB],
                    _ => [],
                };
                await service.SetMemberAsync(Owner, workspaceId, subject, ToProto(role), tenants);
                members.Add(new Membership(workspace, subject, subject, role, tenants.Length == 0 ? null : [.. tenants.Select(Guid.Parse)]));
            }
        }
        return new Matrix(workspace, Guid.Parse(tenantA), Guid.Parse(tenantB), Guid.Parse(foreignTenant), members);
    }

    [Fact]
    public async Task StartGate_InSql_AllowsExactlyWhatTheRuleAllows()
    {
        var matrix = await MatrixAsync("gate");
        var store = service.Services.GetRequiredService<RunStore>();
        (Guid? Id, bool InWorkspace)[] tenants =
            [(matrix.TenantA, true), (matrix.TenantB, true), (matrix.ForeignTenant, false), (Guid.NewGuid(), false)];
        var cases = 0;
        List<string> disagreements = [];

        foreach (var member in matrix.Members)
        {
            var subject = member?.Subject ?? "parity-outsider";
            foreach (var type in RunTypes.All.Values)
            {
                // Only what request validation lets through: tenant-plane types name a tenant, workspace-plane ones do not.
                var targets = type.Plane == RunPlane.Tenant ? tenants : [(null, true)];
                foreach (var (tenantId, inWorkspace) in targets)
                {
                    var expected = AccessRule.Decide(member, tenantId, inWorkspace, type) == AccessDecision.Allowed;
                    var gated = await store.TryEnsureAsync(NewRun(matrix.WorkspaceId, tenantId, type, subject),
                        new StartGate(subject, Role.Granting(type.Capability)), CancellationToken.None);
                    cases++;
                    if ((gated is not null) != expected)
                    {
                        disagreements.Add($"{subject} {type.Name} tenant={Describe(matrix, tenantId)}: rule {(expected ? "allows" : "refuses")}, SQL gate {(gated is null ? "refuses" : "allows")}");
                    }
                }
            }
        }

        Assert.Empty(disagreements);
        // 13 members (outsider included), each tenant-plane type against 4 tenants, each workspace-plane type once.
        Assert.Equal(13 * (TenantPlaneTypes * 4 + WorkspacePlaneTypes), cases);
    }

    [Fact]
    public async Task ListRuns_InSql_ShowsExactlyWhatTheRuleLetsAMemberView()
    {
        var matrix = await MatrixAsync("view");
        List<(Run Run, Guid? TenantId, RunType Type)> runs = [];
        foreach (var type in RunTypes.All.Values)
        {
            Guid?[] targets = type.Plane == RunPlane.Tenant ? [matrix.TenantA, matrix.TenantB] : [null];
            foreach (var tenantId in targets)
            {
                // System runs of every type, also those EnsureRun refuses because no service handles them yet.
                var (run, _) = await service.SeedRunAsync(matrix.WorkspaceId.ToString(), tenantId?.ToString(), type.Name, null,
                    new Dictionary<string, string>());
                runs.Add((run, tenantId, type));
            }
        }
        var someAllowedSomeNot = 0;

        foreach (var member in matrix.Members.OfType<Membership>())
        {
            var listed = await service.Runs(UserToken(member.Subject))
                .ListRunsAsync(new ListRunsRequest { WorkspaceId = matrix.WorkspaceId.ToString(), PageSize = 200 });
            var expected = runs.Where(r => AccessRule.Decide(member, r.TenantId, true, r.Type) == AccessDecision.Allowed)
                .Select(r => r.Run.RunId).Order(StringComparer.Ordinal).ToList();

            Assert.True(expected.SequenceEqual(listed.Runs.Select(r => r.RunId).Order(StringComparer.Ordinal)),
                $"{member.Subject}: the rule lets them view {expected.Count} runs, ListRuns shows {listed.Runs.Count}.");
            someAllowedSomeNot += expected.Count > 0 && expected.Count < runs.Count ? 1 : 0;
        }

        Assert.Equal(TenantPlaneTypes * 2 + WorkspacePlaneTypes, runs.Count);
        Assert.True(someAllowedSomeNot >= 8, "the matrix should hold members who see some runs but not all");
    }

    private static int TenantPlaneTypes => RunTypes.All.Values.Count(t => t.Plane == RunPlane.Tenant);

    private static int WorkspacePlaneTypes => RunTypes.All.Values.Count(t => t.Plane == RunPlane.Workspace);

    private static NewRun NewRun(Guid workspaceId, Guid? tenantId, RunType type, string subject)
    {
        var clickId = Guid.NewGuid().ToString();
        var inputs = new Dictionary<string, string>();
        return new NewRun(workspaceId, tenantId, type.Name, IdentityPolicyName.PerClick,
            RunIdentity.Hash(workspaceId, tenantId, type.Name, IdentityPolicyName.PerClick, clickId, inputs),
            inputs, subject, subject, "{}", null, type.Stream, null);
    }

    private static string Describe(Matrix matrix, Guid? tenantId) =>
        tenantId == matrix.TenantA ? "A" : tenantId == matrix.TenantB ? "B" : tenantId == matrix.ForeignTenant ? "foreign" : tenantId is null ? "none" : "unknown";

    private static ProtoRole ToProto(Role role) => TenantAtlas.RunsService.Grpc.ProtoMapping.ToProto(role);
}
