using System.Text.Json;
using Xunit.Abstractions;

namespace TenantAtlas.AppHost.Tests.Faults;

/// <summary>
/// What one fault scenario measured. <b>Lost</b>: acknowledged runs (or their work) that are gone. <b>Duplicated</b>:
/// runs created twice for one identity, or work counted twice. <b>Stuck</b>: runs still queued or running when the
/// scenario's time is up. All three must be 0; the assertions say so, the report records the figures.
/// </summary>
public sealed record FaultResult(string Scenario, string Recovery, int Lost, int Duplicated, int Stuck, string Detail);

/// <summary>
/// Prints each result to the test output and, when <c>FAULTS_RESULTS</c> names a file (scripts/faults.sh), appends it
/// there as a JSON line, from which docs/reliability.md's table is made.
/// </summary>
public static class FaultReport
{
    public static void Record(ITestOutputHelper output, FaultResult result)
    {
        output.WriteLine($"{result.Scenario}: recovery {result.Recovery}; lost {result.Lost}, duplicated {result.Duplicated}, stuck {result.Stuck}; {result.Detail}");
        if (Environment.GetEnvironmentVariable("FAULTS_RESULTS") is { Length: > 0 } path)
        {
            lock (typeof(FaultReport))
            {
                File.AppendAllText(path, JsonSerializer.Serialize(result) + Environment.NewLine);
            }
        }
        Assert.True(result is { Lost: 0, Duplicated: 0, Stuck: 0 }, $"{result.Scenario}: {result}");
    }

    public static string Seconds(TimeSpan elapsed) => $"{elapsed.TotalSeconds:0.0} s";
}
