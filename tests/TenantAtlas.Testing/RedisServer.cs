using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace TenantAtlas.Testing;

/// <summary>
/// A real, private, throwaway Redis server (no persistence) on a free 127.0.0.1 port in its own temp directory. Each
/// test class starts its own with <see cref="StartAsync"/> (it is up in milliseconds). <see cref="StopAsync"/> and
/// <see cref="RestartAsync"/> simulate an outage; the port is kept for the restart. Dispose to stop it and delete the
/// temp directory; if the test process dies first, a detached watchdog does that instead.
/// </summary>
/// <remarks>
/// The binary comes from <c>$TENANTATLAS_REDIS_BIN</c> (a directory) or the PATH (<c>apt-get install -y redis-server</c>).
/// redis-server runs as a child process (not daemonized), so a failed start is seen at once and a stop is a plain kill.
/// </remarks>
public sealed class RedisServer : IAsyncDisposable
{
    private const string DirectoryPrefix = "tenantatlas-redis-";
    private const int StartAttempts = 3;
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(30);

    /// <summary>Ports of live instances in this process, so no instance takes a port another one is keeping while stopped.</summary>
    private static readonly HashSet<int> ReservedPorts = [];

    /// <summary>
    /// Live (not yet disposed) instances. Also keeps them reachable: a test may hold only the connection string, and a
    /// collected instance would let its watchdog pipe close (finalizer) and take the server down mid-test.
    /// </summary>
    private static readonly ConcurrentDictionary<RedisServer, byte> Live = new();

    private readonly string _root;
    private readonly string _logFile;
    private readonly string _pidFile;
    private readonly Process _watchdog;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly ConcurrentQueue<string> _output = new();
    private volatile Process? _process;
    private bool _disposed;

    static RedisServer()
    {
        // Start the cleanup early on a normal exit; the watchdogs cover the cases where this does not run or finish.
        AppDomain.CurrentDomain.ProcessExit += (_, _) =>
        {
            foreach (var server in Live.Keys)
            {
                server.KillForExit();
            }
        };
    }

    private RedisServer(string root, Process watchdog)
    {
        _root = root;
        _logFile = Path.Combine(root, "redis.log");
        _pidFile = Path.Combine(root, "redis.pid");
        _watchdog = watchdog;
    }

    /// <summary>The TCP port on 127.0.0.1; the same after <see cref="RestartAsync"/>.</summary>
    public int Port { get; private set; }

    /// <summary>A StackExchange.Redis configuration string for this server (<c>127.0.0.1:PORT,abortConnect=false</c>).</summary>
    public string ConnectionString => string.Create(CultureInfo.InvariantCulture, $"127.0.0.1:{Port},abortConnect=false");

    /// <summary>Whether the redis-server process is alive (it may still be starting when <see cref="StartAsync"/> has not returned).</summary>
    public bool IsRunning => _process is { HasExited: false };

    /// <summary>The redis-server process (for CPU accounting in benchmarks).</summary>
    public int ProcessId => _process?.Id ?? throw new InvalidOperationException("redis-server is not running.");

    /// <summary>Stops the server process in its tracks (SIGSTOP) for <paramref name="duration"/>, then lets it go on: a stall.</summary>
    public async Task StallAsync(TimeSpan duration)
    {
        var pid = _process?.Id ?? throw new InvalidOperationException("redis-server is not running.");
        Process.Start("kill", ["-STOP", pid.ToString(CultureInfo.InvariantCulture)])!.WaitForExit();
        try
        {
            await Task.Delay(duration);
        }
        finally
        {
            Process.Start("kill", ["-CONT", pid.ToString(CultureInfo.InvariantCulture)])!.WaitForExit();
        }
    }

    /// <summary>The temp directory (working directory, log, pid file) of this instance; deleted on dispose.</summary>
    public string TempDirectory => _root;

    /// <summary>Starts a new private redis-server and returns once it answers <c>PING</c>.</summary>
    /// <exception cref="InvalidOperationException">The server did not start; the message has the end of its log.</exception>
    public static async Task<RedisServer> StartAsync()
    {
        var root = Directory.CreateTempSubdirectory(DirectoryPrefix).FullName;
        RedisServer server;
        try
        {
            server = new RedisServer(root, StartCleanupWatchdog(root));
        }
        catch
        {
            Directory.Delete(root, recursive: true);
            throw;
        }

        Live.TryAdd(server, 0);
        try
        {
            // A port that was free a moment ago may be taken before redis binds it: retry with another one.
            for (var attempt = 1; ; attempt++)
            {
                server.Port = ReservePort(previous: server.Port);
                try
                {
                    await server.LaunchAsync();
                    return server;
                }
                catch (PortInUseException) when (attempt < StartAttempts)
                {
                }
            }
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }
    }

    /// <summary>Stops the server (kills it: clients see the connection drop and new connections are refused). Idempotent.</summary>
    public async Task StopAsync()
    {
        await _gate.WaitAsync();
        try
        {
            await StopCoreAsync();
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>
    /// Starts the server again on the same port, empty, and returns once it answers <c>PING</c>. A running server is
    /// stopped first, so this is always a real restart.
    /// </summary>
    /// <exception cref="InvalidOperationException">The server did not start (for example, another process took the port).</exception>
    public async Task RestartAsync()
    {
        await _gate.WaitAsync();
        try
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            await StopCoreAsync();
            await LaunchAsync();
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Stops the server, deletes its temp directory and ends its watchdog. Idempotent.</summary>
    public async ValueTask DisposeAsync()
    {
        await _gate.WaitAsync();
        try
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            await StopCoreAsync();
            try
            {
                Directory.Delete(_root, recursive: true);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                // The watchdog deletes it when its pipe closes below.
            }

            CloseWatchdogPipe();
            _watchdog.Dispose();
            Live.TryRemove(this, out _);
            lock (ReservedPorts)
            {
                ReservedPorts.Remove(Port);
            }
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <inheritdoc />
    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"redis-server on 127.0.0.1:{Port} in {_root}");

    /// <summary>Starts redis-server on <see cref="Port"/> and waits until it answers <c>PING</c>.</summary>
    /// <exception cref="PortInUseException">Another process listens on the port.</exception>
    private async Task LaunchAsync()
    {
        _output.Clear();
        var executable = FindExecutable("redis-server");
        var startInfo = new ProcessStartInfo(executable)
        {
            UseShellExecute = false,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            // The watchdog finds the server by this working directory (redis also chdirs to --dir).
            WorkingDirectory = _root,
        };
        foreach (var argument in (string[])[
            "--bind", "127.0.0.1", "--port", Port.ToString(CultureInfo.InvariantCulture),
            "--save", "", "--appendonly", "no", "--daemonize", "no",
            "--dir", _root, "--logfile", _logFile, "--pidfile", _pidFile])
        {
            startInfo.ArgumentList.Add(argument);
        }

        Process process;
        try
        {
            process = Process.Start(startInfo) ?? throw new InvalidOperationException($"Could not start {executable}.");
        }
        catch (System.ComponentModel.Win32Exception ex)
        {
            throw new InvalidOperationException(
                $"Could not start {executable} ({ex.Message}). Install it (apt-get install -y redis-server) or set TENANTATLAS_REDIS_BIN to the directory holding it.", ex);
        }

        process.StandardInput.Close();
        process.OutputDataReceived += (_, e) => Keep(e.Data);
        process.ErrorDataReceived += (_, e) => Keep(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        _process = process;

        var deadline = DateTime.UtcNow + StartTimeout;
        while (true)
        {
            if (process.HasExited)
            {
                await process.WaitForExitAsync(); // flushes the redirected output
                var log = LogTail();
                var message = $"redis-server did not start on 127.0.0.1:{Port} (exit code {process.ExitCode}) in {_root}.\n{Failure(log)}";
                _process = null;
                process.Dispose();
                throw log.Contains("Address already in use", StringComparison.Ordinal)
                    ? new PortInUseException(message)
                    : new InvalidOperationException(message);
            }

            // +PONG alone could come from someone else's server on this port; the pid file is written only after our
            // process has bound the port (a failed bind exits before writing it).
            if (await PingAsync(Port) && OwnsPidFile(process))
            {
                return;
            }

            if (DateTime.UtcNow > deadline)
            {
                var message = $"redis-server on 127.0.0.1:{Port} did not answer PING within {StartTimeout.TotalSeconds:0} s ({_root}).\n{Failure(LogTail())}";
                await StopCoreAsync();
                throw new InvalidOperationException(message);
            }

            await Task.Delay(10);
        }
    }

    private async Task StopCoreAsync()
    {
        var process = _process;
        if (process is null)
        {
            return;
        }

        _process = null;
        if (!process.HasExited)
        {
            process.Kill(entireProcessTree: true);
        }

        await process.WaitForExitAsync();
        process.Dispose();
        File.Delete(_pidFile); // redis removes it only on a clean shutdown
    }

    private bool OwnsPidFile(Process process)
    {
        try
        {
            return int.TryParse(File.ReadAllText(_pidFile).Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var pid)
                && pid == process.Id;
        }
        catch (IOException)
        {
            return false; // not written yet
        }
    }

    /// <summary>Sends <c>PING</c> over a plain TCP connection; true when the answer is <c>+PONG</c>.</summary>
    private static async Task<bool> PingAsync(int port)
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(2));
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(IPAddress.Loopback, port, cts.Token);
            await socket.SendAsync("PING\r\n"u8.ToArray(), SocketFlags.None, cts.Token);
            var buffer = new byte[64];
            var received = 0;
            while (received < 7)
            {
                var read = await socket.ReceiveAsync(buffer.AsMemory(received), SocketFlags.None, cts.Token);
                if (read == 0)
                {
                    break;
                }

                received += read;
            }

            return Encoding.ASCII.GetString(buffer, 0, received).StartsWith("+PONG", StringComparison.Ordinal);
        }
        catch (Exception ex) when (ex is SocketException or OperationCanceledException)
        {
            return false;
        }
    }

    /// <summary>
    /// Picks a free port below the kernel's ephemeral range, so neither outgoing connections nor port-0 listeners (other
    /// fixtures, Kestrel) are handed it while this instance is stopped, and no other instance in this process takes it.
    /// </summary>
    private static int ReservePort(int previous)
    {
        var (low, high) = (20000, EphemeralRangeStart());
        lock (ReservedPorts)
        {
            ReservedPorts.Remove(previous);
            for (var attempt = 0; attempt < 200; attempt++)
            {
                var port = high - low > 1000 ? Random.Shared.Next(low, high) : FreeEphemeralPort();
                if (!ReservedPorts.Contains(port) && IsFree(port))
                {
                    ReservedPorts.Add(port);
                    return port;
                }
            }
        }

        throw new InvalidOperationException("Found no free TCP port for redis-server.");
    }

    private static int EphemeralRangeStart()
    {
        try
        {
            var fields = File.ReadAllText("/proc/sys/net/ipv4/ip_local_port_range").Split((char[])['\t', ' ', '\n'], StringSplitOptions.RemoveEmptyEntries);
            return int.Parse(fields[0], CultureInfo.InvariantCulture);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or FormatException or IndexOutOfRangeException)
        {
            return 32768; // the Linux default
        }
    }

    private static bool IsFree(int port)
    {
        try
        {
            using var listener = new TcpListener(IPAddress.Loopback, port);
            listener.Start();
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    private static int FreeEphemeralPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>
    /// Starts a detached shell (own session, so it outlives the test host) that blocks reading a pipe from this process.
    /// The pipe closes when this instance is disposed or the process ends in any way (also when the test host is killed,
    /// which <c>dotnet test</c> does ~100 ms after the run); the shell then kills every process whose working directory
    /// is this instance's temp directory (the redis-server, whatever its current pid) and deletes the directory.
    /// </summary>
    private static Process StartCleanupWatchdog(string root)
    {
        var startInfo = new ProcessStartInfo("setsid") { UseShellExecute = false, RedirectStandardInput = true, WorkingDirectory = "/" };
        const string Script = """
            exec >/dev/null 2>&1; cat
            dir=$(readlink -f "$0")
            for p in /proc/[0-9]*; do [ "$(readlink "$p/cwd")" = "$dir" ] && kill -9 "${p#/proc/}"; done
            rm -rf "$0"
            """;
        foreach (var argument in (string[])["bash", "-c", Script, root])
        {
            startInfo.ArgumentList.Add(argument);
        }

        return Process.Start(startInfo) ?? throw new InvalidOperationException("Could not start the cleanup watchdog.");
    }

    /// <summary>On process exit: kill the server now (no waiting) and let the watchdog delete the directory.</summary>
    private void KillForExit()
    {
        try
        {
            _process?.Kill(entireProcessTree: true);
        }
        catch (Exception ex) when (ex is InvalidOperationException or System.ComponentModel.Win32Exception or NotSupportedException)
        {
            // Already gone.
        }

        CloseWatchdogPipe();
    }

    private void CloseWatchdogPipe()
    {
        try
        {
            _watchdog.StandardInput.Close();
        }
        catch (Exception ex) when (ex is IOException or ObjectDisposedException or InvalidOperationException)
        {
            // Closed already; the watchdog is running or done.
        }
    }

    private static string FindExecutable(string name)
    {
        var directory = Environment.GetEnvironmentVariable("TENANTATLAS_REDIS_BIN");
        return string.IsNullOrEmpty(directory) ? name : Path.Combine(directory, name);
    }

    private string Failure(string logTail)
    {
        var output = string.Join('\n', _output);
        return $"--- last lines of {_logFile} ---\n{logTail}" + (output.Length == 0 ? string.Empty : $"\n--- output ---\n{output}");
    }

    private string LogTail()
    {
        try
        {
            return string.Join('\n', File.ReadLines(_logFile).TakeLast(30));
        }
        catch (IOException ex)
        {
            return $"(no log: {ex.Message})";
        }
    }

    private void Keep(string? line)
    {
        if (line is null)
        {
            return;
        }

        _output.Enqueue(line);
        while (_output.Count > 100)
        {
            _output.TryDequeue(out _);
        }
    }

    /// <summary>redis-server could not bind its port because something else listens there.</summary>
    private sealed class PortInUseException(string message) : InvalidOperationException(message);
}
