using Dashboard.Backends;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;

namespace Dashboard.Tests.Api;

/// <summary>
/// The real app on a real Kestrel socket at 127.0.0.1:&lt;free port&gt;, with the given
/// configuration and test-only backend kinds (stand-ins for upstream dialects).
/// </summary>
internal sealed class ApiServer : WebApplicationFactory<Program>
{
    /// <summary>The fixed sign-in token; the API takes it as <c>Authorization: Bearer</c>.</summary>
    public const string Token = "api-test-token-0123456789abcdef";

    private readonly Dictionary<string, string?> _settings;
    private readonly IReadOnlyList<IBackendKind> _kinds;

    public ApiServer(IDictionary<string, string?> settings, params IBackendKind[] kinds)
    {
        _settings = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase) 
        {
            ["Dashboard:Demo:Enabled"] = "false",
            ["Dashboard:Auth:Token"] = Token,
        };
        foreach (var (key, value) in settings)
        {
            _settings[key] = value;
        }

        _kinds = kinds;
        UseKestrel(o => o.Listen(System.Net.IPAddress.Loopback, 0));
    }

    /// <summary>Extra test services (a fake clock…), applied after the app's own.</summary>
    public Action<IServiceCollection>? ConfigureServices { get; init; }

    /// <param name="authorized">False: no bearer token (the API must refuse it).</param>
    public HttpClient CreateApiClient(bool authorized = true)
    {
        StartServer();
        var address = Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        var client = CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, BaseAddress = new Uri(address) });
        if (authorized)
        {
            client.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", Token);
        }

        return client;
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Development");
        foreach (var (key, value) in _settings)
        {
            builder.UseSetting(key, value);
        }

        builder.ConfigureTestServices(services =>
        {
            foreach (var kind in _kinds)
            {
                services.AddSingleton(kind);
            }

            ConfigureServices?.Invoke(services);
        });
    }
}
