using System.Globalization;

namespace TenantAtlas.Bench.Report;

/// <summary>A measured value with its unit, e.g. 8120 runs/s or 1.4 ms.</summary>
public sealed record Figure(double Value, string Unit)
{
    public override string ToString()
    {
        if (double.IsNaN(Value))
        {
            return "n/a";
        }
        var format = Math.Abs(Value) >= 100 ? "N0" : Math.Abs(Value) >= 10 ? "0.0" : "0.00";
        return Value.ToString(format, CultureInfo.InvariantCulture) + " " + Unit;
    }
}

/// <summary>
/// One line of the results table: what we measured, next to the same-run baseline it is judged against, the
/// ratio, the target and whether it was met. A row without a baseline (an absolute target) has no ratio.
/// </summary>
public sealed record BenchRow(
    string Scenario,
    string Measure,
    Figure Ours,
    string? BaselineName,
    Figure? Baseline,
    double? Ratio,
    string Target,
    bool? Met);
