using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Dashboard.Tests.TestSupport;

/// <summary>
/// A throwaway redis-server (Debian's) on a free loopback port, in a temp folder, no persistence,
/// started once per test run and shared through the PostgreSQL collection (<see cref="PostgresCollection"/>). Tests keep apart
/// by their own key names (random run ids, their own backend names) or call <see cref="FlushAsync"/>.
/// </summary>
public sealed class RedisServer : IAsyncLifetime
{
    public const string Program = "/usr/bin/redis-server";

    private Process? _process;

    public string Folder { get; } = Directory.CreateTempSubdirectory("dashboard-redis-").FullName;

    public int Port { get; private set; }

    public string ConnectionString => $"127.0.0.1:{Port}";

    public async Task InitializeAsync()
    {
        for (var attempt = 0; ; attempt++)
        {
            Port = FreePort();
            try
            {
                await StartAgainAsync();
                return;
            }
            catch (InvalidOperationException) when (attempt < 2)
            {
                // The port was taken between probing and binding: try another.
            }
        }
    }

    /// <summary>Starts the server (again) on the same port; returns once it answers PING.</summary>
    public async Task StartAgainAsync()
    {
        var start = new ProcessStartInfo(Program)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = Folder,
        };
        foreach (var a in new[] { "--port", Port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", Folder, "--protected-mode", "no" })
        {
            start.ArgumentList.Add(a);
        }

        var process = Process.Start(start) ?? throw new InvalidOperationException("redis-server did not start.");
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        _process = process;
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        while (true)
        {
            if (process.HasExited)
            {
                throw new InvalidOperationException($"redis-server exited {process.ExitCode} at start (port {Port}).");
            }

            if (await PingsAsync(timeout.Token))
            {
                return;
            }

            await Task.Delay(50, timeout.Token);
        }
    }

    /// <summary>Stops the server abruptly (SIGKILL): nothing it held survives, as after a crash without persistence.</summary>
    public async Task StopAsync()
    {
        if (_process is { HasExited: false } process)
        {
            process.Kill();
            await process.WaitForExitAsync();
        }

        _process?.Dispose();
        _process = null;
    }

    /// <summary>Runs one command with redis-cli-like simplicity over a raw socket (no client library state to share with the app).</summary>
    public async Task<string> CommandAsync(params string[] arguments)
    {
        using var client = new TcpClient();
        await client.ConnectAsync(IPAddress.Loopback, Port);
        var stream = client.GetStream();
        var request = new System.Text.StringBuilder().Append('*').Append(arguments.Length).Append("\r\n");
        foreach (var a in arguments)
        {
            request.Append('$').Append(System.Text.Encoding.UTF8.GetByteCount(a)).Append("\r\n").Append(a).Append("\r\n");
        }

        await stream.WriteAsync(System.Text.Encoding.UTF8.GetBytes(request.ToString()));
        var buffer = new byte[64 * 1024];
        var read = await stream.ReadAsync(buffer);
        return System.Text.Encoding.UTF8.GetString(buffer, 0, read);
    }

    public Task FlushAsync() => CommandAsync("FLUSHALL");

    /// <summary>GET as a string; null when the key does not exist.</summary>
    public async Task<string?> GetAsync(string key)
    {
        var reply = await CommandAsync("GET", key);
        if (reply.StartsWith("$-1", StringComparison.Ordinal))
        {
            return null;
        }

        var start = reply.IndexOf("\r\n", StringComparison.Ordinal) + 2;
        return reply[start..reply.LastIndexOf("\r\n", StringComparison.Ordinal)];
    }

    public async Task DisposeAsync()
    {
        await StopAsync();
        try
        {
            Directory.Delete(Folder, recursive: true);
        }
        catch (IOException)
        {
            // The temp folder is cleaned by the OS.
        }
    }

    private async Task<bool> PingsAsync(CancellationToken cancellationToken)
    {
        try
        {
            return (await CommandAsync("PING").WaitAsync(cancellationToken)).StartsWith("+PONG", StringComparison.Ordinal);
        }
        catch (SocketException)
        {
            return false;
        }
    }

    private static int FreePort()
    {
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        return ((IPEndPoint)probe.LocalEndpoint).Port;
    }
}
