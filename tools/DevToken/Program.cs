using Microsoft.Extensions.Configuration;
using TenantAtlas.ServiceDefaults;
using TenantAtlas.TokenIssuing;

// dev-token --sub <subject> [--name <display name>] [--service] [--hours <n>]
// The signing key comes from Auth__SigningKey, or from .data/apphost/dev-signing-key (written by the AppHost).
var arguments = new ConfigurationBuilder().AddCommandLine(args, new Dictionary<string, string>
{
    ["--sub"] = "sub", ["--name"] = "name", ["--service"] = "service", ["--hours"] = "hours",
}).Build();
var subject = arguments["sub"];
if (string.IsNullOrWhiteSpace(subject))
{
    Console.Error.WriteLine("usage: dotnet run --project tools/DevToken -- --sub <subject> [--name <display name>] [--service true] [--hours 8]");
    return 2;
}

var configuration = new ConfigurationBuilder().AddEnvironmentVariables().Build();
if (string.IsNullOrWhiteSpace(configuration["Auth:SigningKey"]) && FindKeyFile() is { } keyFile)
{
    configuration["Auth:SigningKey"] = File.ReadAllText(keyFile).Trim();
}

var options = TokenOptions.From(configuration);
var hours = double.TryParse(arguments["hours"], System.Globalization.CultureInfo.InvariantCulture, out var h) ? h : 8;
Console.WriteLine(DevTokens.Issue(options, subject, arguments["name"] ?? subject, string.Equals(arguments["service"], "true", StringComparison.OrdinalIgnoreCase),
    TimeSpan.FromHours(hours)));
return 0;

static string? FindKeyFile()
{
    for (var dir = new DirectoryInfo(Environment.CurrentDirectory); dir is not null; dir = dir.Parent)
    {
        var path = Path.Combine(dir.FullName, ".data", "apphost", "dev-signing-key");
        if (File.Exists(path))
        {
            return path;
        }
    }
    return null;
}
