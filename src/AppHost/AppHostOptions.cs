using System.Security.Cryptography;

namespace TenantAtlas.AppHost;

/// <summary>
/// Command line: <c>--reset</c> (delete the data directory first), <c>--data-dir DIR</c> (default .data/apphost),
/// <c>--quiet</c> (do not stream resource logs). Environment: OTEL_EXPORTER_OTLP_ENDPOINT sends telemetry to
/// another OTLP backend (e.g. a standalone Aspire dashboard) instead of the built-in trace viewer.
/// </summary>
public sealed record AppHostOptions(string RepositoryRoot, string DataDirectory, bool Reset, bool EchoLogs, string Configuration)
{
    public static AppHostOptions Parse(string[] args)
    {
        var root = FindRepositoryRoot();
        var dataDir = Path.Combine(root, ".data", "apphost");
        for (var i = 0; i < args.Length; i++)
        {
            if (args[i] == "--data-dir" && i + 1 < args.Length)
            {
                dataDir = Path.GetFullPath(args[++i]);
            }
        }
        // The services are built next to the AppHost, in the same configuration.
        var configuration = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar)).Parent?.Name ?? "Debug";
        return new AppHostOptions(root, dataDir, args.Contains("--reset"), !args.Contains("--quiet"), configuration);
    }

    /// <summary>The development signing key of this data directory (created once), shared by every service.</summary>
    public string SigningKey()
    {
        Directory.CreateDirectory(DataDirectory);
        var path = Path.Combine(DataDirectory, "dev-signing-key");
        if (!File.Exists(path))
        {
            File.WriteAllText(path, Convert.ToBase64String(RandomNumberGenerator.GetBytes(36)));
        }
        return File.ReadAllText(path).Trim();
    }

    private static string FindRepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "TenantAtlas.sln")))
            {
                return dir.FullName;
            }
        }
        return Directory.GetCurrentDirectory();
    }
}
