using System.Net;
using System.Net.Http.Headers;
using System.Text.RegularExpressions;
using Dashboard.Testing;
using Dashboard.Tests.TestSupport;
using Microsoft.Playwright;
using static Dashboard.Tests.Browser.BrowserSession;
using static Microsoft.Playwright.Assertions;

namespace Dashboard.Tests.Browser;

/// <summary>
/// The real app behind Debian's nginx (TLS at the proxy, the README's configuration) under
/// /dashboard: the printed link signs Chromium in, the cookie is Secure, pages render
/// interactively through the proxied circuit, the API and health answer under the path.
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed partial class ReverseProxyBrowserTests(ChromiumFixture chromium)
{
    private const string Token = TestApp.Token;

    [Fact]
    public async Task Behind_nginx_under_a_path_with_tls_the_dashboard_signs_in_renders_live_and_serves_its_api()
    {
        var port = NginxProxy.FreePort();
        var publicUrl = $"https://127.0.0.1:{port}/dashboard";
        using var app = new TestApp(new Dictionary<string, string?>
        {
            ["Dashboard:PathBase"] = "/dashboard",
            ["Dashboard:PublicUrl"] = publicUrl,
            ["Dashboard:ForwardedHeaders:KnownProxies:0"] = "127.0.0.1",
            ["Dashboard:Demo:TimeScale"] = "0.05",
            ["Dashboard:Demo:Seed"] = "4242",
            ["Dashboard:Demo:Outcome"] = "complete",
        })
        {
            Environment = "Production",
        };
        using var nginx = await NginxProxy.StartAsync(port, app.BaseUrl);

        var printed = app.ConsoleOut.ToString();
        Assert.Contains($"Dashboard sign-in: {publicUrl}/login?t={Token}", printed, StringComparison.Ordinal);

        var context = await chromium.Browser.NewContextAsync(new() { IgnoreHTTPSErrors = true });
        context.SetDefaultTimeout(WaitMs);
        var page = await context.NewPageAsync();
        try
        {
            await page.GotoAsync($"{publicUrl}/login?t={Token}");
            await Expect(page).ToHaveURLAsync(publicUrl + "/", new() { Timeout = WaitMs });
            await WaitInteractiveAsync(page);

            var cookie = Assert.Single(await context.CookiesAsync(), c => c.Name == ".Dashboard.Auth");
            Assert.True(cookie.Secure, "X-Forwarded-Proto: https makes the sign-in cookie Secure");

            // A link of the live page stays under the path and the page it opens is interactive too.
            await page.Locator("a[href='runs']").First.ClickAsync();
            await Expect(page).ToHaveURLAsync(publicUrl + "/runs", new() { Timeout = WaitMs });
            await Expect(page.Locator("h1")).ToBeVisibleAsync(new() { Timeout = WaitMs });
            await page.GotoAsync(publicUrl + "/runs/new");
            await WaitInteractiveAsync(page);
            await SelectAsync(page, "field-backend", Dashboard.Demo.DemoBackendSource.CodegenName);
            await page.Locator("#field-prompt").FillAsync("Add a readiness endpoint");
            await page.Locator("#start-submit").ClickAsync();
            await Expect(page).ToHaveURLAsync(RunPage(), new() { Timeout = WaitMs });
        }
        finally
        {
            await context.CloseAsync();
        }

        using var handler = new HttpClientHandler { ServerCertificateCustomValidationCallback = HttpClientHandler.DangerousAcceptAnyServerCertificateValidator, AllowAutoRedirect = false };
        using var client = new HttpClient(handler);
        using var runs = new HttpRequestMessage(HttpMethod.Get, $"{publicUrl}/api/runs");
        runs.Headers.Authorization = new AuthenticationHeaderValue("Bearer", Token);
        using var runsResponse = await client.SendAsync(runs);
        Assert.Equal(HttpStatusCode.OK, runsResponse.StatusCode);
        Assert.Contains("Add a readiness endpoint", await runsResponse.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        using var healthz = await client.GetAsync($"{publicUrl}/healthz");
        Assert.Equal(HttpStatusCode.OK, healthz.StatusCode);
        Assert.Equal("Healthy", await healthz.Content.ReadAsStringAsync());

        // Signed out, a page sends the browser to the sign-in page under the path, on the public scheme.
        using var home = await client.GetAsync($"{publicUrl}/runs");
        Assert.Equal(HttpStatusCode.Redirect, home.StatusCode);
        Assert.StartsWith($"{publicUrl}/login?returnUrl=%2Fdashboard%2Fruns", home.Headers.Location!.ToString(), StringComparison.Ordinal);
    }

    [GeneratedRegex(@"/dashboard/runs/run-[0-9a-f]+$")]
    private static partial Regex RunPage();
}
