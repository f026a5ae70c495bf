using Dashboard.Testing;
using Dashboard.Tests.TestSupport;
using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Playwright;

namespace Dashboard.Tests.Browser;

/// <summary>
/// A hostile page on a second loopback origin (same site: cookies go along) tries every
/// CORS-simple way to start a run: text/plain and urlencoded form posts, no-cors fetches with and
/// without credentials, and a JSON fetch that needs a preflight. In both auth modes every request
/// reaches the dashboard and is refused, and no run starts.
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed class CsrfBrowserTests(ChromiumFixture chromium)
{
    [Theory]
    [InlineData("Unsecured")]
    [InlineData("BrowserToken")]
    public async Task A_page_on_another_origin_cannot_start_a_run(string mode)
    {
        using var server = new TestApp(new Dictionary<string, string?>(BrowserSession.Demo(timeScale: 0.05))
        {
            ["Dashboard:Auth:Mode"] = mode,
        });
        var dashboard = server.BaseUrl;
        await using var attacker = await AttackerSiteAsync(dashboard);

        var context = await chromium.NewContextAsync();
        context.SetDefaultTimeout(BrowserSession.WaitMs);
        try
        {
            var page = await context.NewPageAsync();
            if (mode == "BrowserToken")
            {
                // The victim is signed in: the dashboard's cookie rides along on same-site requests.
                await page.GotoAsync($"{dashboard}/login?t={Uri.EscapeDataString(TestApp.Token)}");
                await BrowserSession.WaitInteractiveAsync(page);
            }

            var answers = new ConcurrentQueue<int>();
            page.Response += (_, response) =>
            {
                if (response.Url.StartsWith(dashboard + "/api/", StringComparison.Ordinal))
                {
                    answers.Enqueue(response.Status);
                }
            };

            await page.GotoAsync(attacker.BaseUrl);
            foreach (var form in new[] { "#plain", "#urlencoded" })
            {
                var response = await page.RunAndWaitForResponseAsync(
                    () => page.Locator(form + " button").ClickAsync(),
                    r => r.Url == dashboard + "/api/runs");
                Assert.Contains(response.Status, new[] { 403, 415 });
                await page.GotoAsync(attacker.BaseUrl);
            }

            var fetches = await page.EvaluateAsync<string[]>("() => window.attack()");

            // The no-cors fetches went out and came back (opaque); the JSON one was stopped by its preflight.
            Assert.Equal(["opaque", "opaque", "opaque", "blocked"], fetches);
            Assert.True(answers.Count >= 5, $"{answers.Count} answers seen: {string.Join(", ", answers)}");
            Assert.All(answers, status => Assert.Contains(status, new[] { 403, 415 }));
            Assert.Empty(AppSide.Hub(server).State.Runs);
        }
        finally
        {
            await context.CloseAsync();
        }
    }

    /// <summary>The hostile site: its own loopback origin, a page with the forms and the fetches.</summary>
    private static Task<LoopbackUpstream> AttackerSiteAsync(string dashboard)
    {
        var target = dashboard + "/api/runs";
        var html = $$"""
            <!DOCTYPE html>
            <html><body>
            <form id="plain" method="post" action="{{target}}" enctype="text/plain">
              <input name='{"backend":"demo-codegen","prompt":"pwned","x":"' value='"}' />
              <button type="submit">go</button>
            </form>
            <form id="urlencoded" method="post" action="{{target}}">
              <input name="backend" value="demo-codegen" /><input name="prompt" value="pwned" />
              <button type="submit">go</button>
            </form>
            <script>
            window.attack = async () => {
              const body = JSON.stringify({ backend: "demo-codegen", prompt: "pwned" });
              const attempt = (init) => fetch("{{target}}", { method: "POST", body, ...init })
                .then(r => r.type, () => "blocked");
              return [
                await attempt({ mode: "no-cors" }),
                await attempt({ mode: "no-cors", credentials: "include", headers: { "Content-Type": "text/plain" } }),
                await attempt({ mode: "no-cors", credentials: "include", headers: { "Content-Type": "application/x-www-form-urlencoded" } }),
                await attempt({ mode: "cors", credentials: "include", headers: { "Content-Type": "application/json" } }),
              ];
            };
            </script>
            </body></html>
            """;
        return LoopbackUpstream.StartAsync(app => app.MapGet("/", () => Results.Content(html, "text/html; charset=utf-8")));
    }
}
