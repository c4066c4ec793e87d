using TenantAtlas.Workers;
using System.Text.Json;
using Grpc.Core;
using Microsoft.EntityFrameworkCore;
using TenantAtlas.Backup.V1;
using TenantAtlas.BackupService.Capture;
using TenantAtlas.BackupService.Grpc;
using TenantAtlas.BackupService.Persistence;
using TenantAtlas.Runs.V1;
using TenantAtlas.TenantGraph;
using Capabilities = TenantAtlas.Contracts.Capabilities;

namespace TenantAtlas.BackupService.Drift;

/// <summary>Starting drift runs and reading their findings, with access decided by RunsService (the caller's token).</summary>
public sealed class DriftCommands(BackupDbContext db, TenantAccess access, BackupQueries queries, RunsService.RunsServiceClient runs, PageTokens pageTokens)
{
    private sealed record Cursor(string Family, string DisplayName, string PolicyId);

    public async Task<EnsureRunResponse> GenerateAsync(GenerateDriftRequest request, ServerCallContext context)
    {
        var v = new RequestValidator();
        var tenantId = v.RequiredId("tenant_id", request.TenantId);
        var baselineId = v.RequiredId("baseline_backup_set_id", request.BaselineBackupSetId);
        v.ThrowIfInvalid();

        var tenant = await access.RequireAsync(tenantId, Capabilities.DriftGenerate, "generate drift reports", context);
        var baseline = await queries.SetAsync(baselineId, context.CancellationToken);
        if (baseline.TenantId != tenantId)
        {
            // Only a caller who may see the other tenant learns that the set exists.
            try
            {
                await access.RequireAsync(baseline.TenantId, Capabilities.BackupSetsView, "view backup sets", context);
            }
            catch (Exception e) when (e is RpcException { StatusCode: StatusCode.NotFound } or PermissionDeniedException)
            {
                throw new NotFoundException(BackupQueries.SetNotFound(baselineId));
            }
            throw new FailedPreconditionException(
                $"baseline_backup_set_id: backup set '{baselineId}' is a backup of another tenant; choose a backup set of tenant '{tenantId}'.");
        }
        if (!await db.Items.AnyAsync(i => i.BackupSetId == baselineId && i.ContentHash != null, context.CancellationToken))
        {
            throw new FailedPreconditionException(
                $"baseline_backup_set_id: backup set '{baselineId}' holds no captured policy yet; capture into it first, or choose another set.");
        }
        return await runs.EnsureRunAsync(new EnsureRunRequest
        {
            WorkspaceId = tenant.WorkspaceId,
            TenantId = tenant.TenantId,
            Type = DriftHandler.Type,
            // The tenant and the baseline are the identity: the same comparison while it is running is the same work.
            IdentityInputs = { ["baseline"] = baselineId.ToString() },
            Context = new DriftContext(baselineId, tenant.EntraTenantId).ToStruct(),
        }, context.ForwardedAuthorization(), cancellationToken: context.CancellationToken);
    }

    public async Task<ListDriftFindingsResponse> ListAsync(ListDriftFindingsRequest request, ServerCallContext context)
    {
        var v = new RequestValidator();
        var runId = v.RequiredId("run_id", request.RunId);
        var kind = v.DefinedEnum("kind", request.Kind) switch
        {
            DriftKind.Added => DriftVerdict.Added,
            DriftKind.Removed => DriftVerdict.Removed,
            DriftKind.Changed => DriftVerdict.Changed,
            DriftKind.Unknown => DriftVerdict.Unknown,
            _ => null,
        };
        var pageSize = v.PageSize("page_size", request.PageSize, defaultSize: 100, maxSize: 500);
        v.ThrowIfInvalid();

        // RunsService decides who may see the run (NOT_FOUND / PERMISSION_DENIED as for GetRun).
        var run = (await runs.GetRunAsync(new GetRunRequest { RunId = runId.ToString() }, context.ForwardedAuthorization(),
            cancellationToken: context.CancellationToken)).Run;
        if (run.Type != DriftHandler.Type)
        {
            throw new RequestValidationException("run_id", $"Run '{runId}' is a {run.Type} run, not a drift.generate run.");
        }

        var filters = PageTokens.Fingerprint([runId.ToString(), kind]);
        var query = db.DriftFindings.AsNoTracking().Where(f => f.RunId == runId);
        if (kind is not null)
        {
            query = query.Where(f => f.Kind == kind);
        }
        if (request.PageToken.Length > 0)
        {
            var after = pageTokens.Decode<Cursor>(request.PageToken, filters);
            query = query.Where(f => string.Compare(f.Family, after.Family) > 0
                || (f.Family == after.Family && string.Compare(f.DisplayName, after.DisplayName) > 0)
                || (f.Family == after.Family && f.DisplayName == after.DisplayName && string.Compare(f.PolicyId, after.PolicyId) > 0));
        }
        var rows = await query.OrderBy(f => f.Family).ThenBy(f => f.DisplayName).ThenBy(f => f.PolicyId).Take(pageSize + 1).ToListAsync(context.CancellationToken);
        var response = new ListDriftFindingsResponse { BaselineBackupSetId = DriftContext.From(run.Context)?.BaselineSetId.ToString() ?? string.Empty };
        if (rows.Count > pageSize)
        {
            rows.RemoveAt(rows.Count - 1);
            response.NextPageToken = pageTokens.Encode(new Cursor(rows[^1].Family, rows[^1].DisplayName, rows[^1].PolicyId), filters);
        }
        response.Findings.AddRange(rows.Select(ToProto));
        return response;
    }

    private static DriftFinding ToProto(DriftFindingEntity finding)
    {
        var message = new DriftFinding
        {
            FindingId = finding.Id.ToString(),
            RunId = finding.RunId.ToString(),
            Kind = KindOf(finding.Kind),
            Family = PolicyFamilies.FromName(finding.Family),
            PolicyId = finding.PolicyId,
            DisplayName = finding.DisplayName,
            OdataType = finding.OdataType,
        };
        message.Changes.AddRange(JsonSerializer.Deserialize<List<PolicyChange>>(finding.Changes, CaptureWriter.StoredJson)!.Select(ToProto));
        return message;
    }

    public static DriftKind KindOf(string kind) => kind switch
    {
        DriftVerdict.Added => DriftKind.Added,
        DriftVerdict.Removed => DriftKind.Removed,
        DriftVerdict.Unknown => DriftKind.Unknown,
        _ => DriftKind.Changed,
    };

    public static DriftChange ToProto(PolicyChange change) => new()
    {
        Path = change.Path, OldValueJson = change.Old ?? string.Empty, NewValueJson = change.New ?? string.Empty, Secret = change.Secret,
        Unknown = change.Unknown,
    };
}
