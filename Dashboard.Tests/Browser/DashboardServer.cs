using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace Dashboard.Tests.Browser;

/// <summary>
/// The real app, listening on a real Kestrel socket at 127.0.0.1:&lt;free port&gt;, with the given
/// configuration on top of its own (e.g. the demo's time scale and a fixed sign-in token).
/// </summary>
public sealed class DashboardServer : WebApplicationFactory<Program>
{
    public const string TestToken = "browser-test-token-0123456789abcdef";

    private readonly Dictionary<string, string?> _settings;

    public DashboardServer(IDictionary<string, string?>? settings = null)
    {
        _settings = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase)
        {
            ["Dashboard:Auth:Token"] = TestToken,
        };
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            _settings[key] = value;
        }

        UseKestrel(0);
    }

    /// <summary>http://127.0.0.1:port (no trailing slash).</summary>
    public string BaseUrl
    {
        get
        {
            StartServer();
            var addresses = Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!;
            return addresses.Addresses.First().TrimEnd('/');
        }
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Development");
        builder.UseSetting("urls", "http://127.0.0.1:0");
        foreach (var (key, value) in _settings)
        {
            builder.UseSetting(key, value);
        }
    }
}
