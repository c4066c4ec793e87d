using TenantAtlas.Workers;
using System.Text.Json.Nodes;
using Grpc.Core;
using Npgsql;
using TenantAtlas.Backup.V1;
using TenantAtlas.BackupService.Capture;
using TenantAtlas.BackupService.Grpc;
using TenantAtlas.TenantGraph;
using Capabilities = TenantAtlas.Contracts.Capabilities;

namespace TenantAtlas.BackupService.Drift;

/// <summary>CompareBackupSets: two sets of one tenant, policy by policy, from the database (the drift vocabulary, nothing stored).</summary>
public sealed class SetComparison(BackupQueries queries, TenantAccess access, NpgsqlDataSource dataSource)
{
    public async Task<CompareBackupSetsResponse> CompareAsync(CompareBackupSetsRequest request, ServerCallContext context)
    {
        var v = new RequestValidator();
        var baseId = v.RequiredId("backup_set_id", request.BackupSetId);
        var otherId = v.RequiredId("other_backup_set_id", request.OtherBackupSetId);
        v.ThrowIfInvalid();

        var first = await queries.SetAsync(baseId, context.CancellationToken);
        var second = await queries.SetAsync(otherId, context.CancellationToken);
        await access.RequireForAsync(first.TenantId, Capabilities.BackupSetsView, "view backup sets", BackupQueries.SetNotFound(baseId), context);
        await access.RequireForAsync(second.TenantId, Capabilities.BackupSetsView, "view backup sets", BackupQueries.SetNotFound(otherId), context);
        if (first.TenantId != second.TenantId)
        {
            throw new FailedPreconditionException(
                $"other_backup_set_id: backup set '{otherId}' is a backup of another tenant; compare two sets of the same tenant.");
        }

        var before = (await SetVersions.LoadAsync(dataSource, baseId, first.TenantId, context.CancellationToken)).ToDictionary(Key);
        var after = (await SetVersions.LoadAsync(dataSource, otherId, first.TenantId, context.CancellationToken)).ToDictionary(Key);
        var response = new CompareBackupSetsResponse();
        var differences = new List<DriftFinding>();
        foreach (var key in before.Keys.Union(after.Keys))
        {
            var old = before.GetValueOrDefault(key);
            var now = after.GetValueOrDefault(key);
            var drift = old is not null && now is not null ? DriftVerdict.Of(old.ContentHash, old.Content, now.ContentHash, JsonNode.Parse(now.Content)!) : null;
            if (old is not null && now is not null && drift is null)
            {
                response.Unchanged++;
                continue;
            }
            var shown = now ?? old!;
            var finding = new DriftFinding
            {
                Kind = old is null ? DriftKind.Added : now is null ? DriftKind.Removed : DriftCommands.KindOf(drift!.Kind),
                Family = PolicyFamilies.FromName(shown.Family),
                PolicyId = shown.PolicyId,
                DisplayName = shown.DisplayName,
                OdataType = shown.OdataType,
            };
            finding.Changes.AddRange((drift?.Changes ?? []).Select(DriftCommands.ToProto));
            differences.Add(finding);
        }
        response.Differences.AddRange(differences.OrderBy(d => d.Family).ThenBy(d => d.DisplayName, StringComparer.Ordinal).ThenBy(d => d.PolicyId, StringComparer.Ordinal));
        return response;
    }

    private static (string Family, string PolicyId) Key(SetPolicy policy) => (policy.Family, policy.PolicyId.ToLowerInvariant());
}
