using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace TenantAtlas.Bench.Report;

/// <summary>
/// Collects the rows and facts of one benchmark run and writes them as Markdown (the section between the
/// <c>bench:{section}</c> markers of the report; the hand-written rest of the file is kept) and as JSON. The run
/// backbone's scenarios (1–6) write section "results"; the backup capture (7) its own section, so each can be
/// re-measured without erasing the other's figures.
/// </summary>
public sealed class BenchReport(BenchOptions options, string section = "results")
{
    private string Begin => $"<!-- bench:{section}:begin (written by bench/TenantAtlas.Bench; do not edit by hand) -->";
    private string End => $"<!-- bench:{section}:end -->";

    private string JsonPath => section == "results" ? options.JsonPath : Path.ChangeExtension(options.JsonPath, $".{section}.json");

    private readonly List<BenchRow> rows = [];
    private readonly List<string> facts = [];
    private readonly DateTimeOffset started = DateTimeOffset.UtcNow;

    public IReadOnlyList<BenchRow> Rows => rows;

    public IReadOnlyList<string> Facts => facts;

    public void Add(BenchRow row)
    {
        rows.Add(row);
        var ratio = row.Ratio is { } r ? string.Create(CultureInfo.InvariantCulture, $" ratio {r:0.00}") : string.Empty;
        Console.WriteLine($"  {row.Scenario} | {row.Measure}: {row.Ours}{(row.Baseline is null ? "" : $" vs {row.Baseline}")}{ratio} (target {row.Target}: {Verdict(row.Met)})");
    }

    /// <summary>A fact established during the run (e.g. "exactly one run exists after the storm").</summary>
    public void AddFact(string fact)
    {
        facts.Add(fact);
        Console.WriteLine($"  fact: {fact}");
    }

    public static string Machine()
    {
        var cpu = File.Exists("/proc/cpuinfo")
            ? File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal))?.Split(':', 2)[1].Trim()
            : null;
        var memory = File.Exists("/proc/meminfo")
            ? File.ReadLines("/proc/meminfo").First().Split(':', 2)[1].Trim()
            : "?";
        return $"{Environment.ProcessorCount} cores ({cpu ?? RuntimeInformation.ProcessArchitecture.ToString()}), {memory} RAM, " +
            $"{RuntimeInformation.OSDescription}, {RuntimeInformation.FrameworkDescription}, PostgreSQL 15 (fsync, synchronous_commit, full_page_writes on), Redis 7";
    }

    public async Task WriteAsync()
    {
        Directory.CreateDirectory(Path.GetDirectoryName(options.MarkdownPath)!);
        Directory.CreateDirectory(Path.GetDirectoryName(JsonPath)!);
        var existing = File.Exists(options.MarkdownPath) ? await File.ReadAllTextAsync(options.MarkdownPath) : DefaultDocument;
        var begin = existing.IndexOf(Begin, StringComparison.Ordinal);
        var end = existing.IndexOf(End, StringComparison.Ordinal);
        var results = Begin + "\n" + Markdown() + End;
        var document = begin >= 0 && end > begin
            ? existing[..begin] + results + existing[(end + End.Length)..]
            : existing.TrimEnd() + "\n\n" + results + "\n";
        await File.WriteAllTextAsync(options.MarkdownPath, document);
        await File.WriteAllTextAsync(JsonPath, Json());
        Console.WriteLine($"Wrote {options.MarkdownPath} (section {section}) and {JsonPath}");
    }

    private string Markdown()
    {
        var md = new StringBuilder();
        md.AppendLine(CultureInfo.InvariantCulture, $"Run {started:yyyy-MM-dd HH:mm} UTC, {options}.  ");
        md.AppendLine(CultureInfo.InvariantCulture, $"Command: `{options.Command}`  ");
        md.AppendLine(CultureInfo.InvariantCulture, $"Machine: {Machine()}");
        md.AppendLine();
        md.AppendLine("| scenario | measure | TenantAtlas | baseline (same run) | baseline | ratio | target | met |");
        md.AppendLine("| --- | --- | ---: | --- | ---: | ---: | --- | --- |");
        foreach (var row in rows)
        {
            var ratio = row.Ratio is { } r ? r.ToString("0.00", CultureInfo.InvariantCulture) + "×" : "";
            md.AppendLine(CultureInfo.InvariantCulture,
                $"| {row.Scenario} | {row.Measure} | {row.Ours} | {row.BaselineName ?? ""} | {row.Baseline?.ToString() ?? ""} | {ratio} | {row.Target} | {Verdict(row.Met)} |");
        }
        if (facts.Count > 0)
        {
            md.AppendLine();
            foreach (var fact in facts)
            {
                md.AppendLine(CultureInfo.InvariantCulture, $"- {fact}");
            }
        }
        return md.ToString();
    }

    private string Json() => JsonSerializer.Serialize(new
    {
        started,
        mode = options.Quick ? "quick" : "full",
        command = options.Command,
        machine = Machine(),
        rows,
        facts,
    }, JsonOptions);

    private static readonly JsonSerializerOptions JsonOptions = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowNamedFloatingPointLiterals,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    private static string Verdict(bool? met) => met switch { true => "yes", false => "**no**", null => "—" };

    private const string DefaultDocument = "# Benchmarks\n";
}
