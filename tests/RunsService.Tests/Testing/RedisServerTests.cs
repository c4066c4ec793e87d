using System.Net;
using System.Net.Sockets;
using System.Text;
using TenantAtlas.Testing;

namespace TenantAtlas.RunsService.Tests.Testing;

public sealed class RedisServerTests
{
    [Fact]
    public async Task Instances_are_private_and_answer_ping()
    {
        await using var first = await RedisServer.StartAsync();
        await using var second = await RedisServer.StartAsync();

        Assert.NotEqual(first.Port, second.Port);
        Assert.NotEqual(first.TempDirectory, second.TempDirectory);
        Assert.Equal($"127.0.0.1:{first.Port},abortConnect=false", first.ConnectionString);
        Assert.True(first.IsRunning);
        Assert.True(second.IsRunning);
        Assert.Equal("+PONG", await PingAsync(first.Port));
        Assert.Equal("+PONG", await PingAsync(second.Port));
    }

    [Fact]
    public async Task Stop_refuses_connections_and_restart_serves_again_on_the_same_port()
    {
        await using var server = await RedisServer.StartAsync();
        var port = server.Port;

        await server.StopAsync();
        await server.StopAsync(); // idempotent
        Assert.False(server.IsRunning);
        var refused = await Assert.ThrowsAsync<SocketException>(() => PingAsync(port));
        Assert.Equal(SocketError.ConnectionRefused, refused.SocketErrorCode);

        await server.RestartAsync();
        Assert.True(server.IsRunning);
        Assert.Equal(port, server.Port);
        Assert.Equal("+PONG", await PingAsync(port));

        await server.RestartAsync(); // restarting a running server works too
        Assert.Equal("+PONG", await PingAsync(port));
    }

    [Fact]
    public async Task Dispose_stops_the_server_and_deletes_its_directory()
    {
        var server = await RedisServer.StartAsync();
        var directory = server.TempDirectory;
        var port = server.Port;
        Assert.StartsWith("tenantatlas-redis-", Path.GetFileName(directory), StringComparison.Ordinal);
        Assert.True(File.Exists(Path.Combine(directory, "redis.log")));

        await server.DisposeAsync();
        await server.DisposeAsync(); // idempotent

        Assert.False(server.IsRunning);
        Assert.False(Directory.Exists(directory));
        await Assert.ThrowsAsync<SocketException>(() => PingAsync(port));
        await Assert.ThrowsAsync<ObjectDisposedException>(server.RestartAsync);
    }

    /// <summary>Sends PING over a plain TCP connection and returns the first reply line.</summary>
    private static async Task<string> PingAsync(int port)
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync(IPAddress.Loopback, port, cts.Token);
        await socket.SendAsync("PING\r\n"u8.ToArray(), SocketFlags.None, cts.Token);
        var reply = new StringBuilder();
        var buffer = new byte[64];
        while (!reply.ToString().Contains("\r\n", StringComparison.Ordinal))
        {
            var read = await socket.ReceiveAsync(buffer, SocketFlags.None, cts.Token);
            if (read == 0)
            {
                break;
            }

            reply.Append(Encoding.ASCII.GetString(buffer, 0, read));
        }

        return reply.ToString().TrimEnd('\r', '\n');
    }
}
