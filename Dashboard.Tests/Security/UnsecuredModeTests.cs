using Dashboard.Testing;
using System.Net;
using Dashboard.Security;
using Dashboard.Tests.TestSupport;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.Configuration;

namespace Dashboard.Tests.Security;

public sealed class UnsecuredModeTests
{
    private static TestApp Unsecured(string urls) => new(new Dictionary<string, string?>
    {
        ["Dashboard:Auth:Mode"] = "Unsecured",
        ["urls"] = urls,
    })
    { Demo = false, Kestrel = false };

    [Theory]
    [InlineData("http://0.0.0.0:5102")]
    [InlineData("http://+:5102")]
    [InlineData("http://127.0.0.1:5102;http://192.168.1.20:5102")]
    [InlineData("http://dashboard.example:80")]
    public void Unsecured_mode_is_refused_unless_every_configured_address_is_loopback(string urls)
    {
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?> { ["urls"] = urls })
            .Build();

        var error = Assert.Throws<Dashboard.Domain.StartupRefusedException>(
            () => SignInStartup.RefuseNonLoopback(SignInStartup.ConfiguredAddresses(configuration)));

        Assert.Contains("Dashboard:Auth:Mode=Unsecured", error.Message, StringComparison.Ordinal);
        Assert.Contains("loopback", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_real_app_does_not_start_unsecured_on_a_public_address()
    {
        var error = FailedStart.Of(() => Unsecured("http://0.0.0.0:5102"), factory => factory.CreateClient());

        Assert.Contains("Dashboard:Auth:Mode=Unsecured", error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Kestrel_endpoint_configuration_is_checked_too()
    {
        var error = FailedStart.Of(
            () => new TestApp(new Dictionary<string, string?>
            {
                ["Dashboard:Auth:Mode"] = "unsecured",
                ["urls"] = "http://127.0.0.1:5102",
                ["Kestrel:Endpoints:Public:Url"] = "http://0.0.0.0:8080",
            })
            { Demo = false, Kestrel = false },
            factory => factory.CreateClient());

        Assert.Contains("http://0.0.0.0:8080", error.ToString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("http://127.0.0.1:0")]
    [InlineData("http://localhost:5102;http://[::1]:5102")]
    public async Task Unsecured_mode_on_loopback_needs_no_sign_in(string urls)
    {
        using var factory = Unsecured(urls);
        using var client = factory.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });

        using var page = await client.GetAsync("/");
        using var api = await client.GetAsync("/api/runs");

        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.NotEqual(HttpStatusCode.Unauthorized, api.StatusCode);
    }

    [Theory]
    [InlineData("Off")]
    [InlineData("1")]
    [InlineData("none")]
    public void An_unknown_mode_stops_the_start(string mode)
    {
        var error = FailedStart.Of(
            () => new TestApp(new Dictionary<string, string?> { ["Dashboard:Auth:Mode"] = mode }) { Demo = false, Kestrel = false },
            factory => factory.CreateClient());

        Assert.Contains("Dashboard:Auth:Mode", error.ToString(), StringComparison.Ordinal);
        Assert.Contains(nameof(DashboardAuthMode.BrowserToken), error.ToString(), StringComparison.Ordinal);
    }
}
