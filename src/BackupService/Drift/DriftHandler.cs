using System.Text.Json;
using Google.Protobuf.WellKnownTypes;
using Npgsql;
using TenantAtlas.BackupService.Capture;
using TenantAtlas.TenantGraph;
using TenantAtlas.Workers;

namespace TenantAtlas.BackupService.Drift;

/// <summary>What GenerateDrift stores in the run's context: the baseline set and the Entra tenant.</summary>
public sealed record DriftContext(Guid BaselineSetId, string EntraTenantId)
{
    private const string BaselineField = "baseline_backup_set_id";
    private const string EntraTenantIdField = "entra_tenant_id";

    public Struct ToStruct() => new()
    {
        Fields = { [BaselineField] = Value.ForString(BaselineSetId.ToString()), [EntraTenantIdField] = Value.ForString(EntraTenantId) },
    };

    public static DriftContext? From(Struct? context) =>
        context is not null && context.Fields.TryGetValue(BaselineField, out var set) && Guid.TryParse(set.StringValue, out var setId)
        && context.Fields.TryGetValue(EntraTenantIdField, out var entra) && entra.StringValue.Length > 0
            ? new DriftContext(setId, entra.StringValue)
            : null;
}

/// <summary>
/// <c>drift.generate</c>: reads the tenant's current policies of the families the baseline set captured (the same way a
/// capture reads them: raw JSON, secrets redacted, canonical hash) and compares them with the baseline's stored
/// versions: a policy only in the tenant is added, only in the baseline removed, in both as <see cref="DriftVerdict"/>
/// says (changed, or unknown when Graph masks its secrets). Findings replace the run's earlier ones, so a
/// redelivered run writes the same. Nothing is captured into a set.
/// </summary>
public sealed partial class DriftHandler(TenantGraphClients graphClients, PolicyCapture capture, NpgsqlDataSource dataSource,
    ILogger<DriftHandler> logger) : IRunHandler
{
    public const string Type = Contracts.RunTypes.DriftGenerate;

    public async Task HandleAsync(RunWorkContext run, CancellationToken cancellationToken)
    {
        var tenantId = run.TenantId ?? throw new RunFailureException("drift.no_tenant", $"{Type} needs a tenant.");
        var context = DriftContext.From(run.Context)
            ?? throw new RunFailureException("drift.bad_context", "The run's context names no baseline set or Entra tenant; generate the drift again.");
        var baseline = await SetVersions.LoadAsync(dataSource, context.BaselineSetId, tenantId, cancellationToken);
        if (baseline.Count == 0)
        {
            throw new RunFailureException("drift.baseline_gone", $"Backup set '{context.BaselineSetId}' holds no captured policy any more (deleted by retention?).");
        }

        var client = graphClients.For(context.EntraTenantId);
        var findings = new List<Finding>();
        foreach (var family in baseline.Select(b => b.Family).Where(PolicyFamilies.All.Contains).Distinct().Order(StringComparer.Ordinal))
        {
            var (list, current) = await capture.ReadFamilyAsync(client, tenantId, family, _ => true, cancellationToken);
            var before = baseline.Where(b => b.Family == family).ToDictionary(b => b.PolicyId, StringComparer.OrdinalIgnoreCase);
            var currentIds = current.Select(c => c.PolicyId).ToHashSet(StringComparer.OrdinalIgnoreCase);
            run.AddTotal(current.Count + before.Keys.Count(id => !currentIds.Contains(id)));
            foreach (var policy in current)
            {
                if (!policy.Captured)
                {
                    run.Failed(policy.FailureCode!, policy.FailureMessage!, policy.PolicyId);
                    continue;
                }
                if (!before.TryGetValue(policy.PolicyId, out var old))
                {
                    findings.Add(new Finding(DriftVerdict.Added, family, policy.PolicyId, policy.DisplayName, policy.OdataType, []));
                }
                else if (DriftVerdict.Of(old.ContentHash, old.Content, policy.ContentHash!, policy.Document!) is { } drift)
                {
                    findings.Add(new Finding(drift.Kind, family, policy.PolicyId, policy.DisplayName, policy.OdataType, drift.Changes));
                }
                run.Succeeded();
            }
            foreach (var gone in before.Values.Where(b => !currentIds.Contains(b.PolicyId)))
            {
                if (!list.Complete)
                {
                    // Not on the pages read: perhaps on the page that could not be read. Not reported as removed.
                    run.Failed(CaptureFailures.ListIncomplete, $"'{gone.DisplayName}' was not on the {family} pages Graph returned; the list could not be read to its end.", gone.PolicyId);
                    continue;
                }
                findings.Add(new Finding(DriftVerdict.Removed, family, gone.PolicyId, gone.DisplayName, gone.OdataType, []));
                run.Succeeded();
            }
        }
        await StoreAsync(run.RunId, tenantId, context.BaselineSetId, findings, cancellationToken);
        var found = findings.Count;
        LogDrift(logger, run.Run.RunId, found);
    }

    private sealed record Finding(string Kind, string Family, string PolicyId, string DisplayName, string OdataType, IReadOnlyList<PolicyChange> Changes);

    private async Task StoreAsync(Guid runId, Guid tenantId, Guid baselineSetId, List<Finding> findings, CancellationToken ct)
    {
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        await using var transaction = await connection.BeginTransactionAsync(ct);
        await using var batch = new NpgsqlBatch(connection, transaction);
        var clear = new NpgsqlBatchCommand("DELETE FROM backup.drift_findings WHERE run_id = @run");
        clear.Parameters.AddWithValue("run", runId);
        batch.BatchCommands.Add(clear);
        foreach (var finding in findings)
        {
            var insert = new NpgsqlBatchCommand("""
                INSERT INTO backup.drift_findings (id, run_id, tenant_id, baseline_set_id, kind, family, policy_id, display_name, odata_type, changes, created_at)
                VALUES (@id, @run, @tenant, @baseline, @kind, @family, @policy_id, @display_name, @odata_type, @changes, now())
                """);
            insert.Parameters.AddWithValue("id", Guid.CreateVersion7());
            insert.Parameters.AddWithValue("run", runId);
            insert.Parameters.AddWithValue("tenant", tenantId);
            insert.Parameters.AddWithValue("baseline", baselineSetId);
            insert.Parameters.AddWithValue("kind", finding.Kind);
            insert.Parameters.AddWithValue("family", finding.Family);
            insert.Parameters.AddWithValue("policy_id", finding.PolicyId);
            insert.Parameters.AddWithValue("display_name", finding.DisplayName);
            insert.Parameters.AddWithValue("odata_type", finding.OdataType);
            insert.Parameters.Add(new NpgsqlParameter("changes", NpgsqlTypes.NpgsqlDbType.Jsonb) { Value = JsonSerializer.Serialize(finding.Changes, CaptureWriter.StoredJson) });
            batch.BatchCommands.Add(insert);
        }
        await batch.ExecuteNonQueryAsync(ct);
        await transaction.CommitAsync(ct);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Run {RunId}: {Findings} drift findings")]
    private static partial void LogDrift(ILogger logger, string runId, int findings);
}
