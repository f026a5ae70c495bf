using System.Text.RegularExpressions;
using Dashboard.Demo;
using Dashboard.Tests.TestSupport;
using Microsoft.Playwright;
using static Dashboard.Tests.Browser.BrowserSession;
using static Microsoft.Playwright.Assertions;

namespace Dashboard.Tests.Browser;

/// <summary>
/// The built app as its own process in Production, without a launch profile (how a server runs
/// it), used in Chromium: package styles, scoped styles and the framework script load, and the
/// start form reaches a run page.
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed partial class ProductionBrowserTests(ChromiumFixture chromium)
{
    private const string Token = "production-test-token-0123456789abcdef";

    [Fact]
    public async Task The_built_app_in_Production_serves_a_styled_page_whose_form_starts_a_run()
    {
        using var app = AppProcess.Start("Production",
        [
            "--urls", "http://127.0.0.1:0",
            $"--Dashboard:Auth:Token={Token}",
            "--Dashboard:Demo:TimeScale=0.05",
            "--Dashboard:Demo:Seed=4242",
            "--Dashboard:Demo:Outcome=complete",
        ]);
        var link = await app.SignInLinkAsync();
        var baseUrl = link.GetLeftPart(UriPartial.Authority);

        var context = await chromium.NewContextAsync();
        context.SetDefaultTimeout(WaitMs);
        var page = await context.NewPageAsync();
        var failures = new List<string>();
        page.Response += (_, response) =>
        {
            if (response.Status >= 400)
            {
                failures.Add($"{response.Status} {response.Url}");
            }
        };
        page.RequestFailed += (_, request) => failures.Add($"failed {request.Url}: {request.Failure}");
        try
        {
            await page.GotoAsync(link.ToString());
            await Expect(page).ToHaveURLAsync(baseUrl + "/", new() { Timeout = WaitMs });
            await WaitInteractiveAsync(page);

            Assert.True(await RulesOfAsync(page, @"/_content/MudBlazor/MudBlazor\.min(\.\w+)?\.css") > 100, "MudBlazor's stylesheet is applied");
            // Fingerprinted in the page: Dashboard.<hash>.styles.css.
            Assert.True(await RulesOfAsync(page, @"/Dashboard(\.\w+)?\.styles\.css") > 0, "the components' scoped styles are applied");
            var icon = await page.Locator("svg.mud-icon-root").First.BoundingBoxAsync();
            Assert.NotNull(icon);
            Assert.True(icon.Width < 64, $"icons are icon-sized, not screen-filling (width {icon.Width})");

            await page.GotoAsync(baseUrl + "/runs/new");
            await WaitInteractiveAsync(page);
            await SelectAsync(page, "field-backend", DemoBackendSource.CodegenName);
            await page.Locator("#field-prompt").FillAsync("Add a health endpoint with tests");
            await page.Locator("#start-submit").ClickAsync();
            await Expect(page).ToHaveURLAsync(RunPage(), new() { Timeout = WaitMs });
            await Expect(page.Locator("h1")).ToHaveTextAsync($"Run on {DemoBackendSource.CodegenName}", new() { Timeout = WaitMs });

            Assert.Empty(failures);
            Assert.Contains(app.Out, line => line.Contains("Hosting environment: Production", StringComparison.Ordinal));
            Assert.DoesNotContain(app.Out.Concat(app.Err), line => line.Contains("FileNotFoundException", StringComparison.Ordinal));
        }
        finally
        {
            await context.CloseAsync();
        }
    }

    /// <summary>CSS rules the page got from the stylesheets whose address matches <paramref name="pattern"/>.</summary>
    private static Task<int> RulesOfAsync(IPage page, string pattern) =>
        page.EvaluateAsync<int>(
            "pattern => [...document.styleSheets].filter(s => s.href && new RegExp(pattern).test(s.href)).reduce((n, s) => n + s.cssRules.length, 0)",
            pattern);

    [GeneratedRegex(@"/runs/run-[0-9a-f]+$")]
    private static partial Regex RunPage();
}
