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
/// interactively through the proxied circuit, the API and health answer under the path; and the
/// built app as its own Production process behind it, used in Chromium: a run started from the
/// form streams onto its page through the proxy.
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

        var context = await chromium.NewContextAsync(new() { IgnoreHTTPSErrors = true });
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

    [Fact]
    public async Task The_built_app_in_Production_behind_nginx_is_used_in_Chromium_and_a_run_streams_live_through_the_proxy()
    {
        const string ProcessToken = "proxy-process-token-0123456789abcdef";
        var fake = new Backends.Codegen.FakeCodegenUpstream();
        fake.Script.Add(Backends.Codegen.FakeCodegenUpstream.Event("plan", "processing", 0.2, "Planning the readiness probe"));
        fake.Script.Add(Backends.Codegen.FakeCodegenUpstream.Event("code", "processing", 0.6, "Writing the probe handler"));
        fake.Script.Add(Backends.Codegen.FakeCodegenUpstream.Event("iteration_complete", "completed", 1.0, "Probe ready"));
        // The first event flows at once; each later one waits for the test, so the page is seen changing live.
        using var next = new SemaphoreSlim(0);
        fake.BeforeEvent = i => i == 0 ? Task.CompletedTask : next.WaitAsync(TimeSpan.FromSeconds(WaitMs / 1000 * 2));
        await using var upstream = await LoopbackUpstream.StartAsync(fake.Map);

        var proxyPort = NginxProxy.FreePort();
        var appPort = NginxProxy.FreePort();
        var publicUrl = $"https://127.0.0.1:{proxyPort}/dashboard";
        using var app = AppProcess.Start("Production",
        [
            "--urls", $"http://127.0.0.1:{appPort}",
            $"--Dashboard:Auth:Token={ProcessToken}",
            "--Dashboard:PathBase=/dashboard",
            $"--Dashboard:PublicUrl={publicUrl}",
            "--Dashboard:ForwardedHeaders:KnownProxies:0=127.0.0.1",
            "--Dashboard:Storage:Provider=memory",
            "--Dashboard:Backends:0:Name=cg",
            "--Dashboard:Backends:0:Kind=codegen",
            $"--Dashboard:Backends:0:BaseUrl={upstream.BaseUrl.TrimEnd('/')}",
            $"--Dashboard:Backends:0:Username={Backends.Codegen.FakeCodegenUpstream.User}",
            $"--Dashboard:Backends:0:Password={Backends.Codegen.FakeCodegenUpstream.Password}",
        ]);
        var link = await app.SignInLinkAsync();
        Assert.Equal($"{publicUrl}/login?t={ProcessToken}", link.ToString());
        using var nginx = await NginxProxy.StartAsync(proxyPort, $"http://127.0.0.1:{appPort}");

        var context = await chromium.NewContextAsync(new() { IgnoreHTTPSErrors = true });
        context.SetDefaultTimeout(WaitMs);
        var page = await context.NewPageAsync();
        var sockets = new List<string>();
        page.WebSocket += (_, socket) =>
        {
            lock (sockets)
            {
                sockets.Add(socket.Url);
            }
        };
        try
        {
            // As a user would: the printed link, then the form.
            await page.GotoAsync(link.ToString());
            await Expect(page).ToHaveURLAsync(publicUrl + "/", new() { Timeout = WaitMs });
            await WaitInteractiveAsync(page);
            await page.GotoAsync(publicUrl + "/runs/new");
            await WaitInteractiveAsync(page);
            await SelectAsync(page, "field-backend", "cg");
            await page.Locator("#field-prompt").FillAsync("Add a readiness probe");
            await page.Locator("#start-submit").ClickAsync();
            await Expect(page).ToHaveURLAsync(RunPage(), new() { Timeout = WaitMs });

            // The stream arrives on the open page, one event at a time, without a reload.
            var main = page.Locator("main");
            await Expect(main).ToContainTextAsync("Planning the readiness probe", new() { Timeout = WaitMs });
            await Expect(main).Not.ToContainTextAsync("Writing the probe handler");
            Assert.Equal(0, await page.Locator("#run-outcome").CountAsync());
            next.Release();
            await Expect(main).ToContainTextAsync("Writing the probe handler", new() { Timeout = WaitMs });
            Assert.Equal(0, await page.Locator("#run-outcome").CountAsync());
            next.Release();
            await Expect(page.Locator("#run-outcome")).ToContainTextAsync("Completed", new() { Timeout = WaitMs });
            Assert.Matches(RunPage(), page.Url);

            // The live updates came over the circuit's WebSocket through nginx, under the path.
            lock (sockets)
            {
                Assert.Contains(sockets, url => url.StartsWith($"wss://127.0.0.1:{proxyPort}/dashboard/_blazor", StringComparison.Ordinal));
            }
        }
        finally
        {
            await context.CloseAsync();
        }

        Assert.Contains(app.Out, line => line.Contains("Hosting environment: Production", StringComparison.Ordinal));
    }

    [GeneratedRegex(@"/dashboard/runs/run-[0-9a-f]+$")]
    private static partial Regex RunPage();
}
