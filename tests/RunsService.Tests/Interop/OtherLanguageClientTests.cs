using System.Diagnostics;
using TenantAtlas.Testing;
using static TenantAtlas.RunsService.Tests.RunsServiceFixture;

namespace TenantAtlas.RunsService.Tests.Interop;

/// <summary>
/// The contract works for a client in another language given only the protos and a signed token: RunsService runs
/// as its own process on real ports and tests/interop/runs-client.mjs (Node, @grpc/grpc-js) walks the acceptance path.
/// </summary>
public sealed class OtherLanguageClientTests
{
    [Fact]
    public async Task NodeClient_CreatesWorkspace_EnsuresRunTwice_CompletesAndListsIt_AndOutsiderGetsNotFound()
    {
        var root = ServiceProcess.RepositoryRoot();
        var nodeModules = Path.Combine(root, "node_modules", "@grpc", "grpc-js");
        Assert.True(Directory.Exists(nodeModules), $"Node packages are missing ({nodeModules}); run `npm ci` at the repository root (scripts/test.sh does).");

        var postgres = await PostgresServer.SharedAsync();
        var connectionString = await postgres.CreateDatabaseAsync("interop");
        await using var redis = await RedisServer.StartAsync();
        var grpcPort = ServiceProcess.FreePort();
        var httpPort = ServiceProcess.FreePort();
        await using var runsService = await ServiceProcess.StartAsync(
            ServiceProcess.ServiceAssembly("RunsService"),
            new Dictionary<string, string>
            {
                ["ConnectionStrings__runsdb"] = connectionString,
                ["ConnectionStrings__redis"] = redis.ConnectionString,
                ["Auth__SigningKey"] = SigningKey,
                ["Auth__PlatformAdmins__0"] = PlatformAdmin,
                ["Kestrel__Endpoints__grpc__Url"] = $"http://127.0.0.1:{grpcPort}",
                ["Kestrel__Endpoints__http__Url"] = $"http://127.0.0.1:{httpPort}",
            },
            new Uri($"http://127.0.0.1:{httpPort}/health"),
            TimeSpan.FromSeconds(60));

        var (exitCode, output) = await RunNodeAsync(root, new Dictionary<string, string>
        {
            ["RUNS_GRPC_ADDRESS"] = $"127.0.0.1:{grpcPort}",
            ["PROTO_ROOT"] = Path.Combine(root, "protos"),
            ["GOOGLE_API_PROTOS"] = GoogleApiProtos(),
            ["TOKEN_ADMIN"] = UserToken(PlatformAdmin),
            ["TOKEN_OWNER"] = UserToken("interop-owner", "Interop Owner"),
            ["TOKEN_SERVICE"] = ServiceToken(),
            ["TOKEN_OUTSIDER"] = UserToken("interop-outsider"),
        });

        Assert.True(exitCode == 0, $"node client failed ({exitCode}):\n{output}\n--- RunsService ---\n{runsService.RecentOutput}");
        Assert.EndsWith("OK", output.TrimEnd(), StringComparison.Ordinal);
    }

    /// <summary>google/api/annotations.proto and http.proto, from the restored Google.Api.CommonProtos package.</summary>
    private static string GoogleApiProtos()
    {
        var packages = Environment.GetEnvironmentVariable("NUGET_PACKAGES")
            ?? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");
        var dir = Path.Combine(packages, "google.api.commonprotos", "2.17.0", "content", "protos");
        Assert.True(File.Exists(Path.Combine(dir, "google", "api", "annotations.proto")), $"google/api protos not found under {dir}; restore the solution first.");
        return dir;
    }

    private static async Task<(int ExitCode, string Output)> RunNodeAsync(string root, IReadOnlyDictionary<string, string> environment)
    {
        var startInfo = new ProcessStartInfo("node") { WorkingDirectory = root, RedirectStandardOutput = true, RedirectStandardError = true };
        startInfo.ArgumentList.Add(Path.Combine("tests", "interop", "runs-client.mjs"));
        foreach (var (name, value) in environment)
        {
            startInfo.Environment[name] = value;
        }
        using var node = Process.Start(startInfo)!;
        var stdout = node.StandardOutput.ReadToEndAsync();
        var stderr = node.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        try
        {
            await node.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            node.Kill(entireProcessTree: true);
        }
        return (node.HasExited ? node.ExitCode : -1, await stdout + await stderr);
    }
}
