using System.Diagnostics;
using System.Globalization;
using Google.Protobuf.WellKnownTypes;
using Npgsql;
using NpgsqlTypes;
using TenantAtlas.Bench.Measurement;
using TenantAtlas.Bench.Report;
using TenantAtlas.Runs.V1;
using RunsClient = TenantAtlas.Runs.V1.RunsService.RunsServiceClient;

namespace TenantAtlas.Bench.Scenarios;

/// <summary>
/// Scenario 4: ListRuns over a workspace holding <see cref="BenchOptions.ListingRuns"/> runs of history (loaded with
/// binary COPY: 50 tenants, 90 days, all run types). Measures the newest page, a page <see cref="BenchOptions.ListingDepth"/>
/// rows deep reached by page tokens, and a filtered page, each server-side (the <c>server-timing</c> trailer) and
/// round trip, next to the same SQL sent raw through Npgsql, and contrasts keyset paging with OFFSET.
/// </summary>
public static partial class ListingScenario
{
    private const int PageSize = 50;
    private const int WalkPageSize = 200;
    private const string FilteredType = "inventory.sync";

    /// <summary>
    /// The run types of the suite (src/Contracts/RunTypes.cs) with their share of the history. History is written with
    /// COPY, not EnsureRun, so it holds runs of types no service handles yet as well: a workspace keeps such runs
    /// once their services exist, and listing must be measured with the whole mix.
    /// </summary>
    private static readonly (string Type, double Weight, string Policy)[] TypeMix =
    [
        ("inventory.sync", 0.40, "while_active"),
        ("directory_groups.sync", 0.14, "while_active"),
        ("drift.generate", 0.11, "while_active"),
        ("backup_schedule.scheduled", 0.15, "once"),
        ("backup_schedule.run_now", 0.05, "per_click"),
        ("backup_schedule.retry", 0.03, "once"),
        ("backup_set.add_policies", 0.04, "per_click"),
        ("restore.execute", 0.03, "per_click"),
        ("operations_report.generate", 0.05, "while_active"), // workspace plane: tenant_id NULL
    ];

    private const string WorkspacePlaneType = "operations_report.generate";

    private static readonly string[] FilteredTypes = [FilteredType];
    private static readonly string[] FailedOutcome = ["failed"];

    // RunStore's column list and query shape (src/RunsService/Runs/RunRows.cs, RunStore.List.cs).
    private const string Columns =
        "id, workspace_id, tenant_id, type, status, outcome, identity_policy, run_identity_hash, identity_inputs, " +
        "initiator_subject, initiator_name, count_total, count_processed, count_succeeded, count_failed, count_skipped, " +
        "failures, failures_dropped, context, trace_id, created_at, started_at, completed_at, updated_at";

    private const string Select = $"SELECT {Columns} FROM runs.operation_runs WHERE workspace_id = @workspace_id";
    private const string Order = " ORDER BY created_at DESC, id DESC";
    private const string NewestSql = Select + Order + " LIMIT @limit";
    private const string DeepSql = Select + " AND (created_at, id) < (@after_created_at, @after_id)" + Order + " LIMIT @limit";
    private const string OffsetSql = Select + Order + " OFFSET @offset LIMIT @limit";

    private const string FilteredSql = Select + " AND type = ANY(@types)" +
        " AND (status = ANY(@bucket_statuses) OR (status = 'completed' AND outcome = ANY(@bucket_outcomes)))" +
        " AND created_at >= @created_after AND created_at < @created_before" + Order + " LIMIT @limit";

    public static async Task RunAsync(BenchSuite suite, BenchOptions options, BenchReport report)
    {
        var scenario = string.Create(CultureInfo.InvariantCulture, $"4. Listing, {options.ListingRuns:N0} runs");
        Console.WriteLine(scenario);
        var workspace = suite.ListingWorkspace;
        var client = suite.OwnerRuns;
        var depth = options.ListingDepth;
        var samples = options.Quick ? 20 : 200;
        var warmups = options.Quick ? 3 : 20;

        await LoadAsync(suite.RunsData, workspace, suite.ListingTenants, options.ListingRuns, report);

        // The three ListRuns requests measured. Whole seconds, so the filter fingerprint is plain.
        var now = DateTime.UtcNow;
        now = new DateTime(now.Ticks - now.Ticks % TimeSpan.TicksPerSecond, DateTimeKind.Utc);
        var createdAfter = now.AddDays(-30);
        var createdBefore = now.AddDays(-1);
        var newest = new ListRunsRequest { WorkspaceId = workspace.ToString(), PageSize = PageSize };
        var (deep, cursor, walk) = await WalkToDepthAsync(client, workspace, depth);
        var filtered = new ListRunsRequest
        {
            WorkspaceId = workspace.ToString(),
            Types_ = { FilteredType },
            StatusBuckets = { StatusBucket.Failed },
            CreatedAfter = Timestamp.FromDateTime(createdAfter),
            CreatedBefore = Timestamp.FromDateTime(createdBefore),
            PageSize = PageSize,
        };
        report.AddFact(string.Create(CultureInfo.InvariantCulture,
            $"Listing: walking {depth:N0} rows deep by page token took {walk.Pages:N0} ListRuns calls of {WalkPageSize} runs, " +
            $"{walk.Elapsed.TotalSeconds:0.0} s ({walk.Elapsed.TotalMilliseconds / walk.Pages:0.00} ms per page on average)."));

        // The same SQL RunStore sends for each, through plain Npgsql.
        var rawNewest = new RawQuery(NewestSql, p => Bind(p, workspace, PageSize + 1));
        var rawDeep = new RawQuery(DeepSql, p =>
        {
            Bind(p, workspace, PageSize + 1);
            p.AddWithValue("after_created_at", NpgsqlDbType.TimestampTz, cursor.CreatedAt);
            p.AddWithValue("after_id", NpgsqlDbType.Uuid, cursor.Id);
        });
        var rawFiltered = new RawQuery(FilteredSql, p =>
        {
            Bind(p, workspace, PageSize + 1);
            p.AddWithValue("types", NpgsqlDbType.Array | NpgsqlDbType.Text, FilteredTypes);
            p.AddWithValue("bucket_statuses", NpgsqlDbType.Array | NpgsqlDbType.Text, Array.Empty<string>());
            p.AddWithValue("bucket_outcomes", NpgsqlDbType.Array | NpgsqlDbType.Text, FailedOutcome);
            p.AddWithValue("created_after", NpgsqlDbType.TimestampTz, createdAfter);
            p.AddWithValue("created_before", NpgsqlDbType.TimestampTz, createdBefore);
        });
        var rawOffset = new RawQuery(OffsetSql, p =>
        {
            Bind(p, workspace, PageSize);
            p.AddWithValue("offset", NpgsqlDbType.Bigint, (long)depth);
        });

        await CheckPagesAsync(suite.RunsData, client, deep, filtered, rawOffset, createdAfter, createdBefore, depth, report);
        await QueryPlans.ExplainAsync(suite.RunsData, report, "Listing", ("newest page", rawNewest.Sql, rawNewest.Bind),
            ("deep page (keyset)", rawDeep.Sql, rawDeep.Bind), ("filtered page", rawFiltered.Sql, rawFiltered.Bind),
            ("deep page (OFFSET, contrast)", rawOffset.Sql, rawOffset.Bind));

        // Round-robin over the six page probes, so a slow moment on the machine hits them all alike rather than one
        // block. The OFFSET contrast runs on its own afterwards: its 100,000-row scan would evict the caches the next
        // probe in the round uses.
        Console.WriteLine($"  measuring ({samples} calls each, interleaved, after {warmups} warm-up calls each)...");
        var newestOurs = Probe.Grpc(client, newest);
        var newestRaw = Probe.Raw(suite.RunsData, rawNewest);
        var deepOurs = Probe.Grpc(client, deep);
        var deepRaw = Probe.Raw(suite.RunsData, rawDeep);
        var filteredOurs = Probe.Grpc(client, filtered);
        var filteredRaw = Probe.Raw(suite.RunsData, rawFiltered);
        var offsetRaw = Probe.Raw(suite.RunsData, rawOffset);
        await RoundRobinAsync([newestOurs, newestRaw, deepOurs, deepRaw, filteredOurs, filteredRaw], warmups, samples);
        await RoundRobinAsync([offsetRaw], Math.Min(warmups, 5), samples);

        LatencyStats newestServer = newestOurs.Server, newestTrip = newestOurs.RoundTrip, newestBase = newestRaw.RoundTrip;
        LatencyStats deepServer = deepOurs.Server, deepTrip = deepOurs.RoundTrip, deepBase = deepRaw.RoundTrip;
        LatencyStats filteredServer = filteredOurs.Server, filteredTrip = filteredOurs.RoundTrip, filteredBase = filteredRaw.RoundTrip;
        var offset = offsetRaw.RoundTrip;
        var depthText = depth.ToString("N0", CultureInfo.InvariantCulture);
        const string rawNewestName = "raw newest-page SQL (round trip)";

        report.Add(new BenchRow(scenario, $"newest page ({PageSize}): server-side p50{P99(newestServer)}",
            Ms(newestServer.P50), rawNewestName, Ms(newestBase.P50), Ratio(newestServer.P50, newestBase.P50),
            "≤ 2 ms", Judge(newestServer.P50, v => v <= 2)));
        report.Add(new BenchRow(scenario, $"newest page ({PageSize}): round trip p50{P99(newestTrip)}",
            Ms(newestTrip.P50), rawNewestName, Ms(newestBase.P50), Ratio(newestTrip.P50, newestBase.P50), "—", null));

        var deepRatio = Ratio(deepServer.P50, newestServer.P50);
        report.Add(new BenchRow(scenario, $"page {depthText} deep by token: server-side p50{P99(deepServer)}",
            Ms(deepServer.P50), "newest page, server-side p50", Ms(newestServer.P50), deepRatio,
            "≤ 2 ms and ≤ 1.5× newest", Judge(deepServer.P50, v => v <= 2 && deepRatio <= 1.5)));
        report.Add(new BenchRow(scenario, $"page {depthText} deep by token: round trip p50{P99(deepTrip)}",
            Ms(deepTrip.P50), "raw keyset SQL at that depth (round trip)", Ms(deepBase.P50),
            Ratio(deepTrip.P50, deepBase.P50), "—", null));

        report.Add(new BenchRow(scenario, $"filtered ({FilteredType} + failed + 30 days): server-side p50{P99(filteredServer)}",
            Ms(filteredServer.P50), "raw filtered SQL (round trip)", Ms(filteredBase.P50), Ratio(filteredServer.P50, filteredBase.P50),
            "≤ 5 ms", Judge(filteredServer.P50, v => v <= 5)));
        report.Add(new BenchRow(scenario, $"filtered ({FilteredType} + failed + 30 days): round trip p50{P99(filteredTrip)}",
            Ms(filteredTrip.P50), "raw filtered SQL (round trip)", Ms(filteredBase.P50),
            Ratio(filteredTrip.P50, filteredBase.P50), "—", null));

        report.Add(new BenchRow(scenario, $"contrast: page {depthText} deep, ListRuns by token vs raw OFFSET {depthText} (round trip p50)",
            Ms(deepTrip.P50), $"raw OFFSET {depthText} LIMIT {PageSize}{P99(offset)}", Ms(offset.P50),
            Ratio(deepTrip.P50, offset.P50), "—", null));

        if (double.IsNaN(newestServer.P50))
        {
            report.AddFact("Listing: RunsService sent no server-timing trailer, so server-side figures are n/a and their targets unjudged.");
        }
    }

    // ---------------------------------------------------------------- requests and checks

    /// <summary>
    /// Pages through the newest runs with the largest page size until <paramref name="depth"/> runs are behind, and returns
    /// the request for the page of 50 at that depth (its token covers the filters, not the page size) and its cursor.
    /// </summary>
    private static async Task<(ListRunsRequest Request, (DateTime CreatedAt, Guid Id) Cursor, (int Pages, TimeSpan Elapsed) Walk)> WalkToDepthAsync(
        RunsClient client, Guid workspace, int depth)
    {
        var token = string.Empty;
        Run? last = null;
        var seen = 0;
        var pages = 0;
        var started = Stopwatch.GetTimestamp();
        while (seen < depth)
        {
            var response = await client.ListRunsAsync(new ListRunsRequest
            {
                WorkspaceId = workspace.ToString(), PageSize = Math.Min(WalkPageSize, depth - seen), PageToken = token,
            });
            pages++;
            seen += response.Runs.Count;
            last = response.Runs.LastOrDefault() ?? last;
            token = response.NextPageToken;
            if (token.Length == 0)
            {
                throw new InvalidOperationException($"ListRuns ran out of runs after {seen:N0}; the listing workspace should hold more than {depth:N0}.");
            }
        }
        var elapsed = Stopwatch.GetElapsedTime(started);
        var request = new ListRunsRequest { WorkspaceId = workspace.ToString(), PageSize = PageSize, PageToken = token };
        return (request, (last!.CreatedAt.ToDateTime(), Guid.Parse(last.RunId)), (pages, elapsed));
    }

    /// <summary>
    /// Before timing anything: the deep page by token must be exactly rows depth+1 … depth+50 (what OFFSET returns), and
    /// the filtered page must hold only runs matching the filter.
    /// </summary>
    private static async Task CheckPagesAsync(NpgsqlDataSource data, RunsClient client, ListRunsRequest deep, ListRunsRequest filtered,
        RawQuery offset, DateTime createdAfter, DateTime createdBefore, int depth, BenchReport report)
    {
        var byToken = (await client.ListRunsAsync(deep)).Runs.Select(r => Guid.Parse(r.RunId)).ToList();
        var byOffset = new List<Guid>(PageSize);
        await using (var command = data.CreateCommand(offset.Sql))
        {
            offset.Bind(command.Parameters);
            await using var reader = await command.ExecuteReaderAsync();
            while (await reader.ReadAsync())
            {
                byOffset.Add(reader.GetGuid(0));
            }
        }
        if (byToken.Count != PageSize || !byToken.SequenceEqual(byOffset))
        {
            throw new InvalidOperationException(
                $"The page {depth:N0} deep by token ({byToken.Count} runs) differs from OFFSET {depth:N0} LIMIT {PageSize} ({byOffset.Count} runs).");
        }

        var page = (await client.ListRunsAsync(filtered)).Runs;
        var stray = page.FirstOrDefault(r => r.Type != FilteredType || r.StatusBucket != StatusBucket.Failed
            || r.CreatedAt.ToDateTime() < createdAfter || r.CreatedAt.ToDateTime() >= createdBefore);
        if (page.Count != PageSize || stray is not null)
        {
            throw new InvalidOperationException(
                $"The filtered page holds {page.Count} runs (expected {PageSize}){(stray is null ? "" : $", among them run {stray.RunId} outside the filter")}.");
        }
        report.AddFact(string.Create(CultureInfo.InvariantCulture,
            $"Listing: the page {depth:N0} deep by token is exactly OFFSET {depth:N0} LIMIT {PageSize}; the filtered page holds {PageSize} matching runs."));
    }

    // ---------------------------------------------------------------- figures

    private static Figure Ms(double value) => new(value, "ms");

    private static double? Ratio(double ours, double baseline) =>
        double.IsNaN(ours) || double.IsNaN(baseline) || baseline <= 0 ? null : ours / baseline;

    /// <summary>Met only from a measured value; unjudged (—) when the server sent no timing.</summary>
    private static bool? Judge(double value, Func<double, bool> target) => double.IsNaN(value) ? null : target(value);

    private static string P99(LatencyStats stats) =>
        stats.Count == 0 ? string.Empty : string.Create(CultureInfo.InvariantCulture, $" (p99 {stats.P99:0.00} ms, {stats.Count} calls)");

    private static async Task<T> ScalarAsync<T>(NpgsqlDataSource data, string sql)
    {
        await using var command = data.CreateCommand(sql);
        return (T)(await command.ExecuteScalarAsync())!;
    }
}
