using System.Text.Json;
using TenantAtlas.Testing;

namespace TenantAtlas.Bench.Tests;

/// <summary>
/// The benchmark's --quick mode, end to end: every scenario runs against real servers and reports its figures
/// next to its same-run baseline; the report keeps the hand-written part of the Markdown file.
/// </summary>
public sealed class QuickBenchmarkTests
{
    private const string HandWritten = "# Benchmarks\n\nHand-written analysis that a run must keep.\n\n";

    [Fact]
    public async Task QuickRun_ReportsEveryScenario_WithBaselinesAndRatios_AndKeepsTheHandWrittenText()
    {
        var directory = Directory.CreateTempSubdirectory("tenantatlas-bench-").FullName;
        var markdown = Path.Combine(directory, "benchmarks.md");
        var json = Path.Combine(directory, "benchmarks.json");
        await File.WriteAllTextAsync(markdown, HandWritten +
            "<!-- bench:results:begin (written by bench/TenantAtlas.Bench; do not edit by hand) -->\nstale figures\n<!-- bench:results:end -->\n");

        var output = await ProcessRunner.RunAsync("dotnet", [ServiceProcess.BuiltAssembly(Path.Combine("bench", "TenantAtlas.Bench")), "--quick", "--out", markdown, "--json", json],
            TimeSpan.FromMinutes(10));

        using var report = JsonDocument.Parse(await File.ReadAllTextAsync(json));
        var rows = report.RootElement.GetProperty("rows").EnumerateArray().ToList();
        foreach (var scenario in (string[])["1.", "2.", "3.", "4.", "5.", "6."])
        {
            Assert.True(rows.Any(r => r.GetProperty("scenario").GetString()!.StartsWith(scenario, StringComparison.Ordinal)),
                $"No row for scenario {scenario}\n{output}");
        }
        foreach (var row in rows)
        {
            var ours = row.GetProperty("ours").GetProperty("value").GetDouble();
            Assert.True(double.IsFinite(ours) && ours > 0, $"Row without a measured value: {row}");
            if (row.GetProperty("baseline").ValueKind != JsonValueKind.Null)
            {
                var ratio = row.GetProperty("ratio").GetDouble();
                Assert.True(double.IsFinite(ratio) && ratio > 0, $"Row with a baseline but no ratio: {row}");
            }
        }
        // Scenario 9 (retention) writes its own section and JSON file.
        using var retention = JsonDocument.Parse(await File.ReadAllTextAsync(Path.ChangeExtension(json, ".retention.json")));
        Assert.Contains(retention.RootElement.GetProperty("rows").EnumerateArray(),
            r => r.GetProperty("scenario").GetString()!.StartsWith("9.", StringComparison.Ordinal));
        // Scenario 10 (two RunsService replicas) too: both throughputs measured, the ratio judged against its target.
        using var replicas = JsonDocument.Parse(await File.ReadAllTextAsync(Path.ChangeExtension(json, ".replicas.json")));
        Assert.Contains(replicas.RootElement.GetProperty("rows").EnumerateArray(),
            r => r.GetProperty("scenario").GetString()!.StartsWith("10.", StringComparison.Ordinal)
                && r.GetProperty("ratio").GetDouble() > 0 && r.GetProperty("met").ValueKind != JsonValueKind.Null);
        var facts = report.RootElement.GetProperty("facts").EnumerateArray().Select(f => f.GetString()!).ToList();
        Assert.Contains(facts, f => f.Contains("left exactly 1 run.", StringComparison.Ordinal));

        var document = await File.ReadAllTextAsync(markdown);
        Assert.StartsWith(HandWritten, document, StringComparison.Ordinal);
        Assert.DoesNotContain("stale figures", document, StringComparison.Ordinal);
        Assert.Contains("| scenario | measure | TenantAtlas | baseline (same run) | baseline | ratio | target | met |", document, StringComparison.Ordinal);
        Directory.Delete(directory, recursive: true);
    }
}
