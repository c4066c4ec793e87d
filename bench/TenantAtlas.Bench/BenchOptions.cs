using System.Globalization;

namespace TenantAtlas.Bench;

/// <summary>Command line of the benchmark program.</summary>
public sealed record BenchOptions(bool Quick, string MarkdownPath, string JsonPath, string Command, IReadOnlySet<int> Only)
{
    public static readonly string Usage = """
        usage: TenantAtlas.Bench [--quick] [--only 1,4] [--out docs/benchmarks.md] [--json docs/benchmarks.json]
          --quick   small counts, seconds: proves every scenario still runs (CI); figures are not meaningful
          --only    run just these scenarios (1-3 start, 4 listing, 5-6 end to end, 7 backup capture, 8 restore, 9 retention purge,
                    10 two RunsService replicas), e.g. while profiling
          --out     the Markdown report; its results section is replaced, the rest of the file kept
          --json    the same figures as JSON
        """;

    /// <summary>Seconds each measured load phase lasts (after its warm-up).</summary>
    public TimeSpan Measure => Quick ? TimeSpan.FromSeconds(1) : TimeSpan.FromSeconds(8);

    public TimeSpan Warmup => Quick ? TimeSpan.FromMilliseconds(300) : TimeSpan.FromSeconds(2);

    /// <summary>Runs loaded for the listing scenario.</summary>
    public int ListingRuns => Quick ? 20_000 : 1_000_000;

    /// <summary>How deep the "deep page" is, in rows.</summary>
    public int ListingDepth => Quick ? 2_000 : 100_000;

    /// <summary>Runs sent at the paced rate for dispatch latency.</summary>
    public int PacedRuns => Quick ? 100 : 3_000;

    /// <summary>The paced rate, runs per second.</summary>
    public const int PacedRate = 100;

    /// <summary>Runs (and Hangfire jobs) pushed through as fast as possible for throughput.</summary>
    public int ThroughputRuns => Quick ? 300 : 10_000;

    /// <summary>Handlers at the same time, in our worker and in Hangfire's server alike.</summary>
    public const int WorkerCount = 8;

    /// <summary>Policies of the tenant scenario 7 captures.</summary>
    public int CapturePolicies => Quick ? 60 : 1_000;

    /// <summary>Policies restored in scenario 8 (with 2 assignments each: two writes a policy).</summary>
    public int RestorePolicies => Quick ? 20 : 200;

    /// <summary>Old completed runs loaded for scenario 9 and purged while EnsureRun traffic continues.</summary>
    public int RetentionRuns => Quick ? 5_000 : 1_000_000;

    public static BenchOptions Parse(string[] args, string repositoryRoot)
    {
        var quick = false;
        string? markdown = null;
        string? json = null;
        var only = new HashSet<int>();
        for (var i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--quick":
                    quick = true;
                    break;
                case "--out" when i + 1 < args.Length:
                    markdown = args[++i];
                    break;
                case "--only" when i + 1 < args.Length:
                    only.UnionWith(args[++i].Split(',').Select(n => int.Parse(n, CultureInfo.InvariantCulture)));
                    break;
                case "--json" when i + 1 < args.Length:
                    json = args[++i];
                    break;
                default:
                    throw new ArgumentException($"Unknown or incomplete argument '{args[i]}'.\n{Usage}");
            }
        }
        markdown ??= Path.Combine(repositoryRoot, quick ? "bench/results/quick.md" : "docs/benchmarks.md");
        json ??= Path.ChangeExtension(markdown, ".json");
        var command = "bash scripts/bench.sh" + (args.Length == 0 ? string.Empty : " " + string.Join(' ', args));
        return new BenchOptions(quick, Path.GetFullPath(markdown), Path.GetFullPath(json), command, only);
    }

    /// <summary>Whether scenario <paramref name="number"/> is to run (all of them unless --only says otherwise).</summary>
    public bool Runs(int number) => Only.Count == 0 || Only.Contains(number);

    public override string ToString() => string.Create(CultureInfo.InvariantCulture,
        $"{(Quick ? "quick" : "full")} mode, phases {Warmup.TotalSeconds:0.#} s warm-up + {Measure.TotalSeconds:0.#} s");
}
