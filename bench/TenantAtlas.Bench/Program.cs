using TenantAtlas.Bench;
using TenantAtlas.Bench.Report;
using TenantAtlas.Bench.Scenarios;
using TenantAtlas.Testing;

// The benchmark program of docs/benchmarks.md: every figure next to a baseline measured in this same run.
BenchOptions options;
try
{
    options = BenchOptions.Parse(args, ServiceProcess.RepositoryRoot());
}
catch (ArgumentException e)
{
    Console.Error.WriteLine(e.Message);
    return 2;
}

Console.WriteLine($"TenantAtlas benchmarks, {options}");
Console.WriteLine(BenchReport.Machine());
if (Enumerable.Range(1, 6).Any(options.Runs))
{
    var report = new BenchReport(options);
    await using (var suite = await BenchSuite.StartAsync())
    {
        await StartScenarios.RunAsync(suite, options, report);
        if (options.Runs(4))
        {
            await ListingScenario.RunAsync(suite, options, report);
        }
        if (options.Runs(5) || options.Runs(6))
        {
            await EndToEndScenario.RunAsync(suite, options, report);
        }
    }
    await report.WriteAsync();
}
if (options.Runs(7))
{
    var capture = new BenchReport(options, "capture");
    await CaptureScenario.RunAsync(options, capture);
    await capture.WriteAsync();
}
if (options.Runs(8))
{
    var restore = new BenchReport(options, "restore");
    await RestoreScenario.RunAsync(options, restore);
    await restore.WriteAsync();
}
if (options.Runs(9))
{
    var retention = new BenchReport(options, "retention");
    await RetentionScenario.RunAsync(options, retention);
    await retention.WriteAsync();
}
if (options.Runs(10))
{
    var replicas = new BenchReport(options, "replicas");
    await ReplicasScenario.RunAsync(options, replicas);
    await replicas.WriteAsync();
}
return 0;
