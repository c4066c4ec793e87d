using System.Net.Http.Json;
using System.Text.Json;
using Grpc.Core;
using TenantAtlas.Backup.V1;
using TenantAtlas.Inventory.V1;
using TenantAtlas.Runs.V1;
using static TenantAtlas.Testing.Suite.DomainSuiteFixture;

namespace TenantAtlas.BackupService.Tests;

/// <summary>drift.generate: the tenant as it is now against a baseline backup set, finding by finding, with JSON pointers.</summary>
public sealed class DriftTests(BackupSuiteFixture suite) : IClassFixture<BackupSuiteFixture>
{
    private static readonly PolicySelection Configurations = new() { Families = { PolicyFamily.DeviceConfigurations } };

    [Fact]
    public async Task Drift_FindsTheAddedTheRemovedAndTheChangedPolicy_WithTheChangedValuesAsJsonPointers()
    {
        var (_, tenantId, entraTenantId, policyIds) = await suite.CreateTenantAsync("drift-owner", deviceConfigurations: 6, compliancePolicies: 0);
        var baseline = await CaptureAsync("drift-owner", tenantId);
        using var admin = suite.EmulatorAdmin();
        var added = await (await admin.PostAsJsonAsync($"/emulator/tenants/{entraTenantId}/policies/deviceConfigurations", new Dictionary<string, object>
        {
            ["@odata.type"] = "#microsoft.graph.windows10GeneralConfiguration", ["displayName"] = "Added after the baseline", ["cameraBlocked"] = true,
        })).Content.ReadFromJsonAsync<JsonElement>();
        (await admin.DeleteAsync($"/emulator/tenants/{entraTenantId}/policies/deviceConfigurations/{policyIds[1]}")).EnsureSuccessStatusCode();
        (await admin.PatchAsJsonAsync($"/emulator/tenants/{entraTenantId}/policies/deviceConfigurations/{policyIds[0]}", new Dictionary<string, object>
        {
            ["passwordMinimumLength"] = 42, ["tenantAtlas/marker~1"] = "new",
        })).EnsureSuccessStatusCode();

        var (run, findings) = await DriftAsync("drift-owner", tenantId, baseline);

        Assert.Equal(RunOutcome.Succeeded, run.Outcome);
        Assert.Equal(3, findings.Count);
        Assert.Equal(added.GetProperty("id").GetString(), findings.Single(f => f.Kind == DriftKind.Added).PolicyId);
        Assert.Equal(policyIds[1], findings.Single(f => f.Kind == DriftKind.Removed).PolicyId);
        var changed = findings.Single(f => f.Kind == DriftKind.Changed);
        Assert.Equal(policyIds[0], changed.PolicyId);
        // Version and lastModifiedDateTime changed too, but they are not the policy: only the two values are findings.
        Assert.Equal(["/passwordMinimumLength", "/tenantAtlas~1marker~01"], changed.Changes.Select(c => c.Path).Order(StringComparer.Ordinal));
        var length = changed.Changes.Single(c => c.Path == "/passwordMinimumLength");
        Assert.Equal("42", length.NewValueJson);
        Assert.NotEqual("42", length.OldValueJson);
        var marker = changed.Changes.Single(c => c.Path != "/passwordMinimumLength");
        Assert.Equal("null", marker.OldValueJson);
        Assert.Equal("\"new\"", marker.NewValueJson);
    }

    [Fact]
    public async Task CompareBackupSets_ShowsWhatTheSecondSetAdds_Lacks_AndHoldsInAnotherVersion()
    {
        var (_, tenantId, entraTenantId, policyIds) = await suite.CreateTenantAsync("compare-owner", deviceConfigurations: 5, compliancePolicies: 0);
        var (_, otherTenantId, _, _) = await suite.CreateTenantAsync("compare-owner", deviceConfigurations: 1, compliancePolicies: 0);
        var first = await CaptureAsync("compare-owner", tenantId);
        using var admin = suite.EmulatorAdmin();
        (await admin.DeleteAsync($"/emulator/tenants/{entraTenantId}/policies/deviceConfigurations/{policyIds[4]}")).EnsureSuccessStatusCode();
        (await admin.PatchAsJsonAsync($"/emulator/tenants/{entraTenantId}/policies/deviceConfigurations/{policyIds[2]}", new { passwordMinimumLength = 99 }))
            .EnsureSuccessStatusCode();
        (await admin.PostAsJsonAsync($"/emulator/tenants/{entraTenantId}/policies/deviceConfigurations", new Dictionary<string, object>
        {
            ["@odata.type"] = "#microsoft.graph.windows10GeneralConfiguration", ["displayName"] = "Only in the second set",
        })).EnsureSuccessStatusCode();
        var second = await CaptureAsync("compare-owner", tenantId);
        var api = suite.BackupApi(UserToken("compare-owner"));
        var otherTenantsSet = await CaptureAsync("compare-owner", otherTenantId);

        var compared = await api.CompareBackupSetsAsync(new CompareBackupSetsRequest { BackupSetId = first, OtherBackupSetId = second });
        var otherTenant = await FailsWith(StatusCode.FailedPrecondition, () => api.CompareBackupSetsAsync(new CompareBackupSetsRequest
        {
            BackupSetId = first, OtherBackupSetId = otherTenantsSet,
        }).ResponseAsync);

        Assert.Equal(3, compared.Unchanged);
        Assert.Equal([DriftKind.Added, DriftKind.Removed, DriftKind.Changed], compared.Differences.Select(d => d.Kind).Order());
        Assert.Equal(policyIds[4], compared.Differences.Single(d => d.Kind == DriftKind.Removed).PolicyId);
        var changed = compared.Differences.Single(d => d.Kind == DriftKind.Changed);
        Assert.Equal(policyIds[2], changed.PolicyId);
        Assert.Equal("99", changed.Changes.Single(c => c.Path == "/passwordMinimumLength").NewValueJson);
        Assert.Contains("another tenant", otherTenant.Status.Detail);
    }

    [Fact]
    public async Task ChangedSecret_IsShownOnlyAsChanged()
    {
        var (_, tenantId, entraTenantId, _) = await suite.CreateTenantAsync("drift-secret-owner", deviceConfigurations: 1, compliancePolicies: 0);
        var tenant = await suite.DefineGraphTenantAsync(entraTenantId, new
        {
            clientId = GraphClientId, clientSecret = GraphClientSecret, deviceConfigurations = 2, compliancePolicies = 0, wifiEvery = 2, seed = 5,
        });
        var wifi = tenant.GetProperty("deviceConfigurationIds")[1].GetString();
        var baseline = await CaptureAsync("drift-secret-owner", tenantId);
        using var admin = suite.EmulatorAdmin();
        (await admin.PatchAsJsonAsync($"/emulator/tenants/{entraTenantId}/policies/deviceConfigurations/{wifi}", new { preSharedKey = "a-new-key-nobody-sees" }))
            .EnsureSuccessStatusCode();

        var (_, findings) = await DriftAsync("drift-secret-owner", tenantId, baseline);

        var change = Assert.Single(Assert.Single(findings).Changes);
        Assert.Equal("/preSharedKey", change.Path);
        Assert.True(change.Secret);
        Assert.Empty(change.OldValueJson);
        Assert.Empty(change.NewValueJson);
        Assert.DoesNotContain("a-new-key-nobody-sees", await suite.BackupScalarAsync<string>("SELECT coalesce(string_agg(changes::text, ''), '') FROM backup.drift_findings"));
    }

    // Graph shows an encrypted OMA value only as "****": two captures of the mask prove nothing about the secret behind it,
    // so its drift is "unknown", never "unchanged" — even when the value behind the mask was rotated.
    [Fact]
    public async Task SecretGraphOnlyShowsMasked_IsUnknown_NeverUnchanged_WhetherOrNotItWasRotated()
    {
        var (_, tenantId, entraTenantId, _) = await suite.CreateTenantAsync("drift-masked-owner", deviceConfigurations: 1, compliancePolicies: 0);
        var tenant = await suite.DefineGraphTenantAsync(entraTenantId, new
        {
            clientId = GraphClientId, clientSecret = GraphClientSecret, deviceConfigurations = 3, compliancePolicies = 0, encryptedOmaSettingsEvery = 3, seed = 5,
        });
        var custom = tenant.GetProperty("deviceConfigurationIds")[2].GetString();
        var baseline = await CaptureAsync("drift-masked-owner", tenantId);

        var (_, findings) = await DriftAsync("drift-masked-owner", tenantId, baseline);
        var compared = await suite.BackupApi(UserToken("drift-masked-owner")).CompareBackupSetsAsync(new CompareBackupSetsRequest
        {
            BackupSetId = baseline, OtherBackupSetId = await CaptureAsync("drift-masked-owner", tenantId),
        });

        var finding = Assert.Single(findings);
        Assert.Equal(custom, finding.PolicyId);
        Assert.Equal(DriftKind.Unknown, finding.Kind);
        var change = Assert.Single(finding.Changes);
        Assert.Equal("/omaSettings/0/value", change.Path);
        Assert.True(change.Secret && change.Unknown);
        Assert.Equal(2, compared.Unchanged);
        Assert.Equal(DriftKind.Unknown, Assert.Single(compared.Differences).Kind);
    }

    [Fact]
    public async Task Baseline_OfAnotherTenant_OrWithNothingCaptured_IsAFailedPrecondition_AndStartsNoRun()
    {
        var (_, tenantId, _, _) = await suite.CreateTenantAsync("drift-bad-owner", deviceConfigurations: 1, compliancePolicies: 0);
        var (_, otherTenantId, _, _) = await suite.CreateTenantAsync("drift-bad-owner", deviceConfigurations: 1, compliancePolicies: 0);
        var api = suite.BackupApi(UserToken("drift-bad-owner"));
        var othersSet = await CaptureAsync("drift-bad-owner", otherTenantId);
        var empty = (await api.CreateBackupSetAsync(new CreateBackupSetRequest { TenantId = tenantId, DisplayName = "Empty" })).BackupSet;

        var other = await FailsWith(StatusCode.FailedPrecondition, () => api.GenerateDriftAsync(new GenerateDriftRequest
        {
            TenantId = tenantId, BaselineBackupSetId = othersSet,
        }).ResponseAsync);
        var nothing = await FailsWith(StatusCode.FailedPrecondition, () => api.GenerateDriftAsync(new GenerateDriftRequest
        {
            TenantId = tenantId, BaselineBackupSetId = empty.BackupSetId,
        }).ResponseAsync);
        var stranger = await FailsWith(StatusCode.NotFound, () => suite.BackupApi(UserToken("drift-stranger")).GenerateDriftAsync(new GenerateDriftRequest
        {
            TenantId = tenantId, BaselineBackupSetId = empty.BackupSetId,
        }).ResponseAsync);

        Assert.Contains("another tenant", other.Status.Detail);
        Assert.Contains("no captured policy", nothing.Status.Detail);
        var runs = await suite.Runs(UserToken("drift-bad-owner")).ListRunsAsync(new ListRunsRequest { WorkspaceId = empty.WorkspaceId, TenantId = tenantId });
        Assert.DoesNotContain(runs.Runs, r => r.Type == "drift.generate");
    }

    private async Task<string> CaptureAsync(string owner, string tenantId)
    {
        var api = suite.BackupApi(UserToken(owner));
        var set = (await api.CreateBackupSetAsync(new CreateBackupSetRequest { TenantId = tenantId, DisplayName = "Baseline" })).BackupSet;
        var started = await api.AddPoliciesAsync(new AddPoliciesRequest { BackupSetId = set.BackupSetId, Selection = Configurations });
        Assert.Equal(RunOutcome.Succeeded, (await suite.WaitForCompletionAsync(started.Run.RunId, TimeSpan.FromSeconds(60))).Outcome);
        return set.BackupSetId;
    }

    private async Task<(Run Run, List<DriftFinding> Findings)> DriftAsync(string owner, string tenantId, string baselineSetId)
    {
        var api = suite.BackupApi(UserToken(owner));
        var started = await api.GenerateDriftAsync(new GenerateDriftRequest { TenantId = tenantId, BaselineBackupSetId = baselineSetId });
        Assert.Equal("drift.generate", started.Run.Type);
        var run = await suite.WaitForCompletionAsync(started.Run.RunId, TimeSpan.FromSeconds(60));
        var page = await api.ListDriftFindingsAsync(new ListDriftFindingsRequest { RunId = run.RunId });
        Assert.Equal(baselineSetId, page.BaselineBackupSetId);
        return (run, [.. page.Findings]);
    }
}
