using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using Npgsql;
using TenantAtlas.Bench.Report;

namespace TenantAtlas.Bench.Measurement;

/// <summary>The plans PostgreSQL chose for the benchmark's queries, as evidence next to the figures.</summary>
public static partial class QueryPlans
{
    /// <summary>
    /// Runs <c>EXPLAIN (ANALYZE, BUFFERS)</c> of each query, prints the plan and reports its gist as a fact
    /// (index used, rows thrown away, buffers, time), so the report shows why a figure is what it is.
    /// </summary>
    public static async Task ExplainAsync(NpgsqlDataSource data, BenchReport report, string subject,
        params (string Name, string Sql, Action<NpgsqlParameterCollection> Bind)[] queries)
    {
        foreach (var (name, sql, bind) in queries)
        {
            await using var command = data.CreateCommand("EXPLAIN (ANALYZE, BUFFERS) " + sql);
            bind(command.Parameters);
            var plan = new StringBuilder();
            await using (var reader = await command.ExecuteReaderAsync())
            {
                while (await reader.ReadAsync())
                {
                    plan.AppendLine(reader.GetString(0));
                }
            }
            var text = plan.ToString();
            Console.WriteLine($"  EXPLAIN (ANALYZE, BUFFERS) {name}:");
            foreach (var line in text.Split('\n', StringSplitOptions.RemoveEmptyEntries))
            {
                Console.WriteLine("    " + line.TrimEnd());
            }

            var scans = ScanPattern().Matches(text).Select(m => m.Value).Distinct().ToList();
            var removed = RemovedPattern().Matches(text).Sum(m => long.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture));
            var hit = BuffersHitPattern().Match(text) is { Success: true } h ? h.Groups[1].Value : "0";
            var read = BuffersReadPattern().Match(text) is { Success: true } r ? r.Groups[1].Value : "0";
            var execution = ExecutionPattern().Match(text) is { Success: true } e ? e.Groups[1].Value : "?";
            report.AddFact(string.Create(CultureInfo.InvariantCulture,
                $"{subject} plan, {name}: {(scans.Count == 0 ? "no scan found" : string.Join(", ", scans))}; " +
                $"{removed:N0} rows removed by filter; shared buffers hit {hit}, read {read}; executed in {execution} ms."));
        }
    }

    [GeneratedRegex(@"(?:Index Only Scan|Index Scan Backward|Index Scan|Bitmap Index Scan|Seq Scan|Parallel Seq Scan) (?:using|on) \S+")]
    private static partial Regex ScanPattern();

    [GeneratedRegex(@"Rows Removed by (?:Filter|Index Recheck): (\d+)")]
    private static partial Regex RemovedPattern();

    [GeneratedRegex(@"Buffers: shared hit=(\d+)")]
    private static partial Regex BuffersHitPattern();

    [GeneratedRegex(@"Buffers: shared(?: hit=\d+)? read=(\d+)")]
    private static partial Regex BuffersReadPattern();

    [GeneratedRegex(@"Execution Time: ([\d.]+) ms")]
    private static partial Regex ExecutionPattern();
}
