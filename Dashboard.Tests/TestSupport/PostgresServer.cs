using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Npgsql;

namespace Dashboard.Tests.TestSupport;

/// <summary>
/// A throwaway PostgreSQL 15 (Debian's, under /usr/lib/postgresql/15) in a temp folder on a free
/// loopback port, started once per test run and shared through <see cref="PostgresCollection"/>.
/// PostgreSQL refuses to run as root, so as root it runs as the postgres user. Each test takes a
/// database of its own.
/// </summary>
public sealed class PostgresServer : IAsyncLifetime
{
    public const string BinFolder = "/usr/lib/postgresql/15/bin";
    private const string User = "dashboard";
    private int _databases;

    public string Folder { get; } = Directory.CreateTempSubdirectory("dashboard-pg-").FullName;

    public int Port { get; private set; }

    public string DataFolder => Path.Combine(Folder, "data");

    /// <summary>The server's own database, for creating others.</summary>
    public string AdminConnectionString => ConnectionString("postgres") + ";Pooling=false";

    public string ConnectionString(string database) =>
        $"Host=127.0.0.1;Port={Port};Username={User};Database={database};Timeout=5;Command Timeout=30";

    public async Task InitializeAsync()
    {
        if (!OperatingSystem.IsWindows() && Environment.UserName == "root")
        {
            // The server runs as postgres: it must reach and own its folder.
            File.SetUnixFileMode(Folder, (UnixFileMode)0b111_111_111);
        }

        await RunAsync(Path.Combine(BinFolder, "initdb"), "-D", DataFolder, "-U", User, "--auth=trust", "-E", "UTF8", "--no-locale", "--no-sync");
        for (var attempt = 0; ; attempt++)
        {
            Port = FreePort();
            try
            {
                await RunAsync(Path.Combine(BinFolder, "pg_ctl"), "-D", DataFolder, "-l", Path.Combine(Folder, "server.log"), "-w", "-t", "60", "start",
                    "-o", $"-p {Port} -k {Folder} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200");
                break;
            }
            catch (InvalidOperationException) when (attempt < 2)
            {
                // The port was taken between probing and binding: try another.
            }
        }
    }

    /// <summary>A new, empty database; returns its connection string.</summary>
    public async Task<string> CreateDatabaseAsync()
    {
        var name = $"test_{Environment.ProcessId}_{Interlocked.Increment(ref _databases)}";
        await using var connection = new NpgsqlConnection(AdminConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand($"CREATE DATABASE {name};", connection);
        await command.ExecuteNonQueryAsync();
        return ConnectionString(name);
    }

    public async Task StopAsync() => await RunAsync(Path.Combine(BinFolder, "pg_ctl"), "-D", DataFolder, "-m", "fast", "-w", "stop");

    public async Task StartAgainAsync() =>
        await RunAsync(Path.Combine(BinFolder, "pg_ctl"), "-D", DataFolder, "-l", Path.Combine(Folder, "server.log"), "-w", "-t", "60", "start",
            "-o", $"-p {Port} -k {Folder} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200");

    public async Task DisposeAsync()
    {
        try
        {
            NpgsqlConnection.ClearAllPools();
            await RunAsync(Path.Combine(BinFolder, "pg_ctl"), "-D", DataFolder, "-m", "immediate", "-w", "stop");
        }
        catch (InvalidOperationException)
        {
            // Already stopped.
        }

        try
        {
            Directory.Delete(Folder, recursive: true);
        }
        catch (IOException)
        {
            // The temp folder is cleaned by the OS.
        }
    }

    private static int FreePort()
    {
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        return ((IPEndPoint)probe.LocalEndpoint).Port;
    }

    private static async Task RunAsync(string program, params string[] arguments)
    {
        var asRoot = !OperatingSystem.IsWindows() && Environment.UserName == "root";
        var start = new ProcessStartInfo(asRoot ? "runuser" : program)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        if (asRoot)
        {
            foreach (var a in new[] { "-u", "postgres", "--", program })
            {
                start.ArgumentList.Add(a);
            }
        }

        foreach (var a in arguments)
        {
            start.ArgumentList.Add(a);
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException($"{program} did not start.");
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromMinutes(2));
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{Path.GetFileName(program)} exited {process.ExitCode}: {await output} {await error}");
        }
    }
}

[CollectionDefinition(Name)]
public sealed class PostgresCollection : ICollectionFixture<PostgresServer>, ICollectionFixture<RedisServer>
{
    public const string Name = "PostgreSQL";
}
