using Dashboard.Testing;
using System.Globalization;
using Dashboard.Demo;
using Dashboard.Domain;
using static Dashboard.Tests.Browser.BrowserSession;
using static Microsoft.Playwright.Assertions;

namespace Dashboard.Tests.Browser;

/// <summary>The demo at real time: what a new user sees, and a run that lasts long enough to cancel.</summary>
[Collection(BrowserCollection.Name)]
public sealed class RealTimeBrowserTests(ChromiumFixture chromium, RealTimeDemoApp app) : IClassFixture<RealTimeDemoApp>
{
    [Fact]
    public async Task A_fresh_dashboard_shows_its_graph_stats_changing_live()
    {
        // On the app's defaults (no demo settings at all), as a fresh clone runs it. How fast the
        // first change arrives is measured by the benchmarks, not asserted here: this waits
        // (bounded) for the figure to change without a reload.
        await using var server = new TestApp();
        var page = await SignedInPageAsync(chromium, server);
        try
        {
            var selector = $"[data-graph='{DemoBackendSource.DreamerName}'] [data-stat='Nodes']";
            var nodes = page.Locator(selector);
            await Expect(nodes).ToBeVisibleAsync(new() { Timeout = WaitMs });
            var first = (await nodes.InnerTextAsync()).Trim();
            Assert.True(int.TryParse(first, NumberStyles.AllowThousands, CultureInfo.InvariantCulture, out _), first);

            await page.WaitForFunctionAsync(
                "([selector, first]) => { const e = document.querySelector(selector); return e !== null && e.textContent.trim() !== first; }",
                new object[] { selector, first },
                new() { Timeout = WaitMs, PollingInterval = 100 });

            var next = (await nodes.InnerTextAsync()).Trim();
            Assert.NotEqual(first, next);
            Assert.True(int.TryParse(next, NumberStyles.AllowThousands, CultureInfo.InvariantCulture, out _), next);
        }
        finally
        {
            await CloseAsync(chromium, page);
        }
    }

    [Fact]
    public async Task Cancel_on_a_live_run_ends_it_cancelled()
    {
        var server = app.Server;
        var page = await SignedInPageAsync(chromium, server, "/runs/new");
        try
        {
            await SelectAsync(page, "field-backend", DemoBackendSource.CodegenName);
            await page.Locator("#field-prompt").FillAsync("Refactor the repository layer into small classes");
            await page.Locator("#start-submit").ClickAsync();
            await Expect(page.Locator("#cancel-run")).ToBeVisibleAsync(new() { Timeout = WaitMs });
            await Expect(page.Locator("tr[data-stage]").First).ToBeVisibleAsync(new() { Timeout = WaitMs });
            var runId = page.Url[(page.Url.LastIndexOf('/') + 1)..];

            await page.Locator("#cancel-run").ClickAsync();
            await page.Locator("#cancel-run-confirm").ClickAsync();

            await Expect(page.Locator("[data-status]")).ToHaveAttributeAsync("data-status", "cancelled", new() { Timeout = WaitMs });
            await Expect(page.Locator("#run-outcome")).ToContainTextAsync("Cancelled");
            await Expect(page.Locator("#cancel-run")).ToHaveCountAsync(0);
            Assert.Equal(RunStatus.Cancelled, AppSide.Hub(server).State.GetRun(runId)?.Status);
        }
        finally
        {
            await CloseAsync(chromium, page);
        }
    }
}
