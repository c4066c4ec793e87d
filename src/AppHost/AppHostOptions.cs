using System.Security.Cryptography;

namespace TenantAtlas.AppHost;

/// <summary>
/// The suite's AppHost settings (section <c>Suite</c>; Aspire keeps <c>AppHost</c> for its own), with short
/// command-line forms:
/// <c>--reset</c> (start from empty data), <c>--data-dir DIR</c> (default <c>.data/apphost</c> at the repository root),
/// <c>--replicas N</c> (instances of RunsService and InventoryService, default 1).
/// </summary>
public sealed record AppHostOptions(string DataDirectory, int Replicas)
{
    public const string Section = "Suite";

    /// <summary>Rewrites the short flags into configuration keys Aspire's command-line configuration understands.</summary>
    public static string[] Normalize(string[] args)
    {
        var normalized = new List<string>();
        for (var i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--reset":
                    normalized.Add($"--{Section}:Reset=true");
                    break;
                case "--replicas" when i + 1 < args.Length:
                    normalized.Add($"--{Section}:Replicas={args[++i]}");
                    break;
                case "--data-dir" when i + 1 < args.Length:
                    normalized.Add($"--{Section}:DataDirectory={Path.GetFullPath(args[++i])}");
                    break;
                default:
                    normalized.Add(args[i]);
                    break;
            }
        }
        return [.. normalized];
    }

    public static AppHostOptions From(IDistributedApplicationBuilder builder)
    {
        var section = builder.Configuration.GetSection(Section);
        var dataDirectory = section["DataDirectory"] is { Length: > 0 } configured
            ? Path.GetFullPath(configured)
            : Path.GetFullPath(Path.Combine(builder.AppHostDirectory, "..", "..", ".data", "apphost"));
        if (section.GetValue<bool>("Reset") && Directory.Exists(dataDirectory))
        {
            Directory.Delete(dataDirectory, recursive: true);
        }
        Directory.CreateDirectory(dataDirectory);
        var replicas = section.GetValue("Replicas", 1);
        if (replicas is < 1 or > 8)
        {
            throw new InvalidOperationException($"{Section}:Replicas (--replicas) must be between 1 and 8, not {replicas}.");
        }
        return new AppHostOptions(dataDirectory, replicas);
    }

    /// <summary>The development signing key of this data directory, created once, so tokens survive restarts.</summary>
    public string SigningKey()
    {
        var path = Path.Combine(DataDirectory, "dev-signing-key");
        if (!File.Exists(path))
        {
            File.WriteAllText(path, Convert.ToBase64String(RandomNumberGenerator.GetBytes(36)));
        }
        return File.ReadAllText(path).Trim();
    }
}
