namespace TenantAtlas.AppHost.Hosting;

/// <summary>A local Redis (append-only file in the data directory, kept between runs). Referenced as ConnectionStrings__{name}.</summary>
public sealed class RedisResource(string name, int port) : Resource(name)
{
    private ManagedProcess? server;

    public int Port { get; } = port;

    public string ConnectionString => $"127.0.0.1:{Port}";

    public override string DisplayUrl => $"redis://127.0.0.1:{Port}";

    public override int? ProcessId => server?.Id;

    public override Task StartAsync(SuiteContext context, CancellationToken ct)
    {
        State = ResourceState.Starting;
        var directory = Path.Combine(context.DataDirectory, Name);
        Directory.CreateDirectory(directory);
        server = ManagedProcess.Start(Name, ConsoleColor.DarkRed, "redis-server",
            ["--port", Port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--bind", "127.0.0.1", "--dir", directory,
             "--appendonly", "yes", "--save", ""],
            new Dictionary<string, string>(), directory, context.EchoLogs);
        return Task.CompletedTask;
    }

    public override async Task<bool> IsHealthyAsync(CancellationToken ct)
    {
        if (server is null || server.HasExited || !await Ports.AcceptsAsync(Port, ct))
        {
            return false;
        }
        State = ResourceState.Running;
        return true;
    }

    public override async Task StopAsync()
    {
        if (server is not null)
        {
            await server.StopAsync(TimeSpan.FromSeconds(10));
            State = ResourceState.Stopped;
        }
    }

    public override string Diagnostics() => server?.Tail() ?? "not started";
}
