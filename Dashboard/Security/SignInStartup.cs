using Dashboard.Domain;
using Dashboard.Configuration;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;

namespace Dashboard.Security;

/// <summary>
/// Start-up of sign-in. Before the server listens: the mode is valid and, in
/// <see cref="DashboardAuthMode.Unsecured"/> mode, every configured address is loopback. Once it
/// listens: the actual addresses are checked again, then the sign-in link of each address is
/// written to the console. The console is the only place the token is ever written.
/// </summary>
public sealed class SignInStartup(
    SignInToken token,
    IConfiguration configuration,
    IServer server,
    SignInConsole console,
    ILogger<SignInStartup> logger) : IHostedLifecycleService
{
    public Task StartingAsync(CancellationToken cancellationToken)
    {
        if (token.Mode == DashboardAuthMode.Unsecured)
        {
            RefuseNonLoopback(ConfiguredAddresses(configuration));
        }

        return Task.CompletedTask;
    }

    public Task StartedAsync(CancellationToken cancellationToken)
    {
        var addresses = server.Features.Get<IServerAddressesFeature>()?.Addresses.ToArray() ?? [];
        if (token.Mode == DashboardAuthMode.Unsecured)
        {
            RefuseNonLoopback(addresses);
            logger.LogWarning("Dashboard sign-in is off (Dashboard:Auth:Mode=Unsecured); it answers loopback clients only.");
            foreach (var address in addresses)
            {
                console.Out.WriteLine($"Dashboard (unsecured, loopback only): {Browsable(address)}{PathBase(configuration)}/");
            }

            return Task.CompletedTask;
        }

        foreach (var link in SignInLinks(addresses, configuration[PublicUrlKey], System.Net.Dns.GetHostName(), token.Value, PathBase(configuration)))
        {
            console.Out.WriteLine($"Dashboard sign-in: {link}");
        }

        console.Out.Flush();
        if (addresses.Length > 0)
        {
            logger.LogInformation(
                "Dashboard sign-in link written to the console ({Kind} token); the API takes the same token as 'Authorization: Bearer'.",
                token.IsRandom ? "random per start" : "configured");
        }

        return Task.CompletedTask;
    }

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    private const string PublicUrlKey = "Dashboard:PublicUrl";

    /// <summary>
    /// The links to print: <c>Dashboard:PublicUrl</c> alone when set; else one per bound address,
    /// where an all-interfaces bind (<c>0.0.0.0</c>, <c>[::]</c>, <c>+</c>, <c>*</c>) gives a link by
    /// this machine's name (reachable from other machines) as well as by localhost.
    /// </summary>
    public static IEnumerable<string> SignInLinks(IEnumerable<string> addresses, string? publicUrl, string machineName, string token, string pathBase = "")
    {
        // Behind a proxy the address users type is Dashboard:PublicUrl, not the socket's.
        if (PublicAddress.Parse(publicUrl) is { } url)
        {
            return [SignInLink(url.ToString(), token)];
        }

        var links = new List<string>();
        foreach (var address in addresses)
        {
            if (IsWildcard(address) && machineName.Length > 0)
            {
                links.Add(SignInLink(Browsable(address, machineName) + pathBase, token));
            }

            links.Add(SignInLink(Browsable(address) + pathBase, token));
        }

        return links.Distinct(StringComparer.Ordinal);
    }

    public static string SignInLink(string address, string token) =>
        $"{Browsable(address)}{DashboardAuth.LoginPath}?{DashboardAuth.TokenParameter}={Uri.EscapeDataString(token)}";

    private static string PathBase(IConfiguration configuration) =>
        (configuration.GetSection(DashboardOptions.SectionName).Get<ProxyOptions>() ?? new ProxyOptions()).NormalizedPathBase.ToUriComponent();

    /// <summary>Addresses from configuration: <c>urls</c> (ASPNETCORE_URLS), <c>http_ports</c>/<c>https_ports</c> (all interfaces) and Kestrel endpoints.</summary>
    public static IEnumerable<string> ConfiguredAddresses(IConfiguration configuration)
    {
        foreach (var url in Split(configuration["urls"]))
        {
            yield return url;
        }

        foreach (var scheme in new[] { "http", "https" })
        {
            foreach (var port in Split(configuration[scheme + "_ports"]))
            {
                yield return $"{scheme}://*:{port}";
            }
        }

        foreach (var endpoint in configuration.GetSection("Kestrel:Endpoints").GetChildren())
        {
            if (endpoint["Url"] is { Length: > 0 } url)
            {
                yield return url;
            }
        }
    }

    internal static void RefuseNonLoopback(IEnumerable<string> addresses)
    {
        var exposed = addresses.Where(a => !LoopbackAddresses.IsLoopbackUrl(a)).ToArray();
        if (exposed.Length > 0)
        {
            throw new StartupRefusedException(
                $"Dashboard:Auth:Mode=Unsecured is allowed only when every listening address is loopback (127.0.0.0/8, ::1, localhost), "
                + $"but the dashboard would listen on {string.Join(", ", exposed)}. Bind to 127.0.0.1 (e.g. --urls http://127.0.0.1:5102) "
                + "or use Dashboard:Auth:Mode=BrowserToken.");
        }
    }

    private static readonly string[] Wildcards = ["://+:", "://*:", "://0.0.0.0:", "://[::]:"];

    private static bool IsWildcard(string address) => Wildcards.Any(w => address.Contains(w, StringComparison.Ordinal));

    /// <summary>A wildcard bind (<c>+</c>, <c>*</c>, <c>0.0.0.0</c>, <c>[::]</c>) is opened in a browser as <paramref name="host"/> (localhost unless given).</summary>
    private static string Browsable(string address, string host = "localhost")
    {
        var trimmed = address.TrimEnd('/');
        foreach (var wildcard in Wildcards)
        {
            trimmed = trimmed.Replace(wildcard, "://" + host + ":", StringComparison.Ordinal);
        }

        return trimmed;
    }

    private static string[] Split(string? value) =>
        value?.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries) ?? [];
}

/// <summary>Where the sign-in link is written: standard output (replaceable in tests).</summary>
public sealed record SignInConsole(TextWriter Out);
