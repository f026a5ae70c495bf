using Dashboard.Testing;
using System.Net;
using Dashboard.Security;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Dashboard.Tests.Security;

public sealed class LogHygieneTests
{
    // The most verbose a user could configure, hosting diagnostics included.
    private static readonly Dictionary<string, string?> Verbose = new()
    {
        ["Logging:LogLevel:Default"] = "Trace",
        ["Logging:LogLevel:Microsoft.AspNetCore"] = "Trace",
        ["Logging:LogLevel:Microsoft.AspNetCore.Hosting.Diagnostics"] = "Trace",
    };

    private static async Task SignInAndCallApi(WebApplicationFactory<Program> factory)
    {
        using var client = factory.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });
        using var login = await client.GetAsync($"/login?t={TestApp.Token}");
        Assert.Equal(HttpStatusCode.Redirect, login.StatusCode);
        using var api = new HttpRequestMessage(HttpMethod.Get, "/api/runs?token=" + TestApp.Token);
        api.Headers.Add("Authorization", $"Bearer {TestApp.Token}");
        using var _ = await client.SendAsync(api);
    }

    [Fact]
    public async Task Token_in_request_urls_never_reaches_a_log_line_even_at_trace_level()
    {
        using var factory = new TestApp(Verbose) { Demo = false, Kestrel = false };

        await SignInAndCallApi(factory);

        Assert.Contains(factory.LogLines, line => line.Contains("/login", StringComparison.Ordinal));
        Assert.DoesNotContain(factory.LogLines, line => line.Contains(TestApp.Token, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Control_without_the_pin_hosting_diagnostics_would_log_the_token()
    {
        using var factory = new TestApp(Verbose) { Demo = false, Kestrel = false };
        using var unpinned = factory.WithWebHostBuilder(builder => builder.ConfigureServices(services =>
        {
            var pin = services.Single(d => d.ServiceType == typeof(IPostConfigureOptions<LoggerFilterOptions>)
                && d.ImplementationType == typeof(RequestUrlLogging));
            services.Remove(pin);
        }));

        await SignInAndCallApi(unpinned);

        Assert.Contains(factory.LogLines, line => line.Contains(TestApp.Token, StringComparison.Ordinal));
    }
}
