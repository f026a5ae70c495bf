using Dashboard.Events;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Dashboard.Benchmarks.Browser;

/// <summary>
/// The real app in this process on a real Kestrel socket (127.0.0.1, free port), demo off, a fixed
/// sign-in token, logging quiet. <paramref name="configureServices"/> may add benchmark-only
/// services (e.g. the naive Markdown component as a JavaScript root component): the shipped UI
/// path is never changed.
/// </summary>
public sealed class DashboardApp(Action<IServiceCollection>? configureServices = null) : WebApplicationFactory<Program>
{
    public const string Token = "benchmark-token-0123456789abcdef0123";

    /// <summary>http://127.0.0.1:port (no trailing slash).</summary>
    public string BaseUrl
    {
        get
        {
            StartServer();
            return Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First().TrimEnd('/');
        }
    }

    /// <summary>The sign-in link: visiting it sets the auth cookie and redirects into the app.</summary>
    public string LoginUrl => $"{BaseUrl}/login?t={Token}";

    public IEventHub Hub => Services.GetRequiredService<IEventHub>();

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        UseKestrel(0);
        // Run from the build output, static web assets (blazor.web.js) are found through the
        // development manifest only, as in the browser tests; the demo stays off explicitly.
        builder.UseEnvironment("Development");
        builder.UseSetting("urls", "http://127.0.0.1:0");
        builder.UseSetting("Dashboard:Auth:Token", Token);
        builder.UseSetting("Dashboard:Demo:Enabled", "false");
        builder.ConfigureLogging(logging => logging.ClearProviders());
        if (configureServices is not null)
        {
            builder.ConfigureServices(configureServices);
        }
    }
}
