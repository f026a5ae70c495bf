using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.RegularExpressions;

namespace Dashboard.Tests.TestSupport;

/// <summary>
/// Debian's nginx in front of an app, with TLS, on a free loopback port, configured with the
/// server block the README documents (only its certificate, listen address and upstream replaced).
/// </summary>
internal sealed partial class NginxProxy : IDisposable
{
    public const string Executable = "/usr/sbin/nginx";

    private readonly Process _process;
    private readonly string _directory;

    private NginxProxy(Process process, string directory, int port)
    {
        _process = process;
        _directory = directory;
        Port = port;
    }

    public int Port { get; }

    /// <summary>https://127.0.0.1:port (no trailing slash).</summary>
    public string Origin => $"https://127.0.0.1:{Port}";

    /// <summary>The nginx block of the README's Deploy section.</summary>
    public static string ReadmeConfiguration()
    {
        var readme = File.ReadAllText(Path.Combine(AppProcess.RepositoryRoot(), "README.md"));
        var match = NginxBlock().Match(readme);
        return match.Success ? match.Groups["conf"].Value : throw new InvalidOperationException("README.md has no ```nginx block.");
    }

    /// <summary>The README's scale-out block: the one with the sticky upstream of several replicas.</summary>
    public static string ReadmeScaleOutConfiguration()
    {
        var readme = File.ReadAllText(Path.Combine(AppProcess.RepositoryRoot(), "README.md"));
        return NginxBlock().Matches(readme).Select(m => m.Groups["conf"].Value).FirstOrDefault(c => c.Contains("upstream dashboard_replicas", StringComparison.Ordinal))
            ?? throw new InvalidOperationException("README.md has no ```nginx block with the replicas' upstream.");
    }

    /// <summary>The README's scale-out block with its certificate, listen address and replica addresses replaced.</summary>
    public static Task<NginxProxy> StartReplicasAsync(int port, IReadOnlyList<string> replicas)
    {
        var server = ReadmeScaleOutConfiguration();
        var servers = Regex.Matches(server, @"^\s*server \d+\.\d+\.\d+\.\d+:\d+;\s*$", RegexOptions.Multiline);
        if (servers.Count == 0)
        {
            throw new InvalidOperationException("The README's scale-out block lists no replica.");
        }

        var first = servers[0];
        var last = servers[^1];
        var ours = string.Concat(replicas.Select(r => $"\n    server {new Uri(r).Authority};"));
        server = server[..first.Index] + ours + server[(last.Index + last.Length)..];
        return StartWithAsync(port, server);
    }

    /// <summary>A free loopback port for the proxy (chosen before the app starts, so PublicUrl can name it).</summary>
    public static int FreePort()
    {
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        return ((IPEndPoint)probe.LocalEndpoint).Port;
    }

    /// <param name="upstream">The app's address, e.g. http://127.0.0.1:40123.</param>
    public static Task<NginxProxy> StartAsync(int port, string upstream) =>
        StartWithAsync(port, Replace(ReadmeConfiguration(), "proxy_pass http://127.0.0.1:5102;", $"proxy_pass {upstream.TrimEnd('/')};"));

    private static async Task<NginxProxy> StartWithAsync(int port, string server)
    {
        if (!File.Exists(Executable))
        {
            throw new InvalidOperationException($"{Executable} is missing: install Debian's nginx (the test command does).");
        }

        var directory = Directory.CreateTempSubdirectory("dashboard-nginx-").FullName;
        WriteCertificate(directory);
        server = Replace(server, @"listen 443 ssl;", $"listen 127.0.0.1:{port} ssl;");
        server = Regex.Replace(server, @"ssl_certificate\s+\S+;", $"ssl_certificate {directory}/cert.pem;");
        server = Regex.Replace(server, @"ssl_certificate_key\s+\S+;", $"ssl_certificate_key {directory}/key.pem;");
        var conf = $$"""
            user root;
            worker_processes 1;
            daemon off;
            pid {{directory}}/nginx.pid;
            error_log {{directory}}/error.log warn;
            events { worker_connections 256; }
            http {
                access_log off;
                client_body_temp_path {{directory}}/body;
                proxy_temp_path {{directory}}/proxy;
                fastcgi_temp_path {{directory}}/fastcgi;
                uwsgi_temp_path {{directory}}/uwsgi;
                scgi_temp_path {{directory}}/scgi;
            {{server}}
            }
            """;
        await File.WriteAllTextAsync(Path.Combine(directory, "nginx.conf"), conf);

        var start = new ProcessStartInfo(Executable)
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true,
            UseShellExecute = false,
        };
        foreach (var argument in new[] { "-p", directory, "-c", Path.Combine(directory, "nginx.conf"), "-e", Path.Combine(directory, "error.log") })
        {
            start.ArgumentList.Add(argument);
        }

        var process = Process.Start(start)!;
        var proxy = new NginxProxy(process, directory, port);
        await proxy.WaitListeningAsync();
        return proxy;
    }

    private async Task WaitListeningAsync()
    {
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        while (true)
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"nginx exited ({_process.ExitCode}): {await File.ReadAllTextAsync(Path.Combine(_directory, "error.log"))}");
            }

            try
            {
                using var client = new TcpClient();
                await client.ConnectAsync(IPAddress.Loopback, Port, deadline.Token);
                return;
            }
            catch (SocketException)
            {
                // Not listening yet: nginx was just started; try again after a short pause.
                await Task.Delay(50, deadline.Token);
            }
        }
    }

    private static void WriteCertificate(string directory)
    {
        using var key = RSA.Create(2048);
        var request = new CertificateRequest("CN=localhost", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        var names = new SubjectAlternativeNameBuilder();
        names.AddDnsName("localhost");
        names.AddIpAddress(IPAddress.Loopback);
        request.CertificateExtensions.Add(names.Build());
        using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1));
        File.WriteAllText(Path.Combine(directory, "cert.pem"), certificate.ExportCertificatePem());
        File.WriteAllText(Path.Combine(directory, "key.pem"), key.ExportPkcs8PrivateKeyPem());
    }

    private static string Replace(string text, string old, string replacement) =>
        text.Contains(old, StringComparison.Ordinal)
            ? text.Replace(old, replacement, StringComparison.Ordinal)
            : throw new InvalidOperationException($"The README's nginx block no longer contains '{old}'.");

    public void Dispose()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
                _process.WaitForExit(10_000);
            }
        }
        finally
        {
            _process.Dispose();
            Directory.Delete(_directory, recursive: true);
        }
    }

    [GeneratedRegex(@"```nginx\n(?<conf>.*?)```", RegexOptions.Singleline)]
    private static partial Regex NginxBlock();
}
