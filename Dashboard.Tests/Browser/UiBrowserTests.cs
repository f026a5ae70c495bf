using Dashboard.Testing;
using System.Globalization;
using System.Text.RegularExpressions;
using Dashboard.Demo;
using Bunit;
using Dashboard.Components.Controls;
using Dashboard.Domain;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using MudBlazor.Services;
using static Dashboard.Tests.Browser.BrowserSession;
using static Microsoft.Playwright.Assertions;

namespace Dashboard.Tests.Browser;

/// <summary>What a new user hit in the UI (issue 14), in real Chromium: large prompts, time zones, theme, layout on a phone, accessibility.</summary>
[Collection(BrowserCollection.Name)]
public sealed partial class UiBrowserTests(ChromiumFixture chromium, FastDemoApp app) : IClassFixture<FastDemoApp>
{
    private TestApp Server => app.Server;

    /// <summary>A page signed in on <paramref name="path"/>, in a context of its own options (zone, viewport, scripts).</summary>
    private async Task<IPage> SignedInAsync(BrowserNewContextOptions options, string path)
    {
        var context = await chromium.NewContextAsync(options);
        context.SetDefaultTimeout(WaitMs);
        var page = await context.NewPageAsync();
        await page.GotoAsync(SignInUrl(Server, path));
        await Expect(page).ToHaveURLAsync(Server.BaseUrl + path, new() { Timeout = WaitMs });
        await WaitInteractiveAsync(page);
        return page;
    }

    private async Task<string> CompletedRunAsync(string prompt)
    {
        var runId = await AppSide.StartRunAsync(Server, DemoBackendSource.CodegenName, prompt);
        Assert.Equal(RunStatus.Completed, await AppSide.WaitForEndAsync(Server, runId, TimeSpan.FromSeconds(60)));
        return runId;
    }

    [Fact]
    public async Task A_prompt_the_api_accepts_goes_through_the_form_and_a_longer_one_shows_the_limit()
    {
        var page = await SignedInPageAsync(chromium, Server, "/runs/new");
        try
        {
            await SelectAsync(page, "field-backend", DemoBackendSource.OpenAiName);

            // 150,000 characters: over the API's 100,000, the field names the limit and the circuit lives on.
            await page.Locator("#field-prompt").FillAsync(new string('y', 150_000));
            await Expect(page.Locator(".mud-input-helper-text.mud-input-error")).ToContainTextAsync("Prompt is too long: 150000 characters, at most 100000.", new() { Timeout = WaitMs });

            // 40,000 characters (over the default 32 KB circuit message): accepted and started.
            await page.Locator("#field-prompt").FillAsync(new string('x', 40_000));
            await Expect(page.Locator(".mud-input-helper-text.mud-input-error")).ToHaveCountAsync(0, new() { Timeout = WaitMs });
            await page.Locator("#start-submit").ClickAsync();
            await Expect(page).ToHaveURLAsync(RunPage(), new() { Timeout = WaitMs });
            await Expect(page.Locator("#components-reconnect-modal")).ToBeHiddenAsync();
        }
        finally
        {
            await CloseAsync(chromium, page);
        }
    }

    [Fact]
    public async Task A_circuit_the_server_drops_with_an_error_shows_the_reconnect_ui()
    {
        var page = await SignedInPageAsync(chromium, Server, "/runs/new");
        try
        {
            // The dialog can be open only briefly: when the dropped circuit is gone, the next state is
            // "rejected" and the page reloads. So every state change is written down (in session
            // storage, which outlives the reload) together with whether the dialog was open once the
            // page's own handler had run; a poll for the dialog alone missed it on a loaded machine.
            await page.EvaluateAsync("""
                () => {
                    const modal = document.getElementById('components-reconnect-modal');
                    modal.addEventListener('components-reconnect-state-changed', e => {
                        const seen = JSON.parse(sessionStorage.getItem('reconnect-seen') || '[]');
                        seen.push(`${e.detail.state}:${modal.open}`);
                        sessionStorage.setItem('reconnect-seen', JSON.stringify(seen));
                    });
                }
                """);

            // Past the field's own length limit (a script, not a user): the message exceeds the circuit's limit and the server drops it.
            await page.Locator("#field-prompt").EvaluateAsync("(el) => { el.removeAttribute('maxlength'); el.value = 'z'.repeat(3000000); el.dispatchEvent(new Event('input', { bubbles: true })); }");

            var deadline = DateTime.UtcNow.AddMilliseconds(WaitMs);
            string? seen = null;
            while (seen?.Contains(":true", StringComparison.Ordinal) != true && DateTime.UtcNow < deadline)
            {
                await Task.Delay(50);
                try
                {
                    seen = await page.EvaluateAsync<string?>("() => sessionStorage.getItem('reconnect-seen')");
                }
                catch (PlaywrightException)
                {
                    // The page is reloading (the "rejected" state): its session storage is read again once it is back.
                }
            }

            Assert.True(seen?.Contains(":true", StringComparison.Ordinal) == true, $"The reconnect dialog never opened; states seen: {seen ?? "none"}");
        }
        finally
        {
            await CloseAsync(chromium, page);
        }
    }

    [Fact]
    public async Task Times_show_in_the_browsers_zone_with_utc_in_the_tooltip()
    {
        const string zone = "America/Los_Angeles";
        var completed = CompletedRunAsync("Add a health endpoint to the service");
        // Signed in on the overview first: its circuit tells the server the zone (a cookie) before the run page loads.
        var page = await SignedInAsync(new() { TimezoneId = zone }, "/");
        try
        {
            var runId = await completed;
            var startedAt = AppSide.Hub(Server).State.GetRun(runId)!.StartedAt;
            await OpenAsync(page, Server, $"/runs/{runId}");

            var expected = TimeZoneInfo.ConvertTime(startedAt, TimeZoneInfo.FindSystemTimeZoneById(zone)).ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture);
            var started = page.Locator("[data-stat='Started'] time");
            await Expect(started).ToContainTextAsync(expected, new() { Timeout = WaitMs });
            await Expect(started).ToHaveAttributeAsync("title", startedAt.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture) + " UTC");

            // The next page load knows the zone at first paint (the cookie), before any script runs.
            var html = await (await page.APIRequest.GetAsync($"{Server.BaseUrl}/runs/{runId}")).TextAsync();
            Assert.Contains(expected, html, StringComparison.Ordinal);
        }
        finally
        {
            await CloseAsync(chromium, page);
        }
    }

    [Fact]
    public async Task A_chosen_dark_theme_is_there_at_first_paint()
    {
        var page = await SignedInPageAsync(chromium, Server);
        IBrowserContext? noScript = null;
        try
        {
            await page.Locator("#theme-toggle").ClickAsync();
            await Expect(page.Locator("button[aria-label='Switch to light mode']")).ToBeVisibleAsync(new() { Timeout = WaitMs });

            // The server-rendered page alone, no script at all: what the browser paints first.
            noScript = await chromium.NewContextAsync(new() { JavaScriptEnabled = false, StorageState = await page.Context.StorageStateAsync() });
            var first = await noScript.NewPageAsync();
            await first.GotoAsync(Server.BaseUrl + "/backends");
            var background = await first.EvaluateAsync<string>("() => getComputedStyle(document.body).backgroundColor");
            Assert.Equal("rgb(50, 51, 61)", background);
        }
        finally
        {
            if (noScript is not null)
            {
                await noScript.CloseAsync();
            }

            await CloseAsync(chromium, page);
        }
    }

    [Fact]
    public async Task A_finished_run_opens_at_the_top_and_a_phone_has_one_scroll_and_no_sideways_overflow()
    {
        var runId = await CompletedRunAsync("Refactor the orders module into small services with tests");
        var page = await SignedInPageAsync(chromium, Server, $"/runs/{runId}");
        try
        {
            // A desktop first (the default viewport: a page kept between tests has it back), then a phone.
            Assert.Equal((1280, 720), (page.ViewportSize!.Width, page.ViewportSize.Height));
            await Expect(page.Locator("#run-output pre code").First).ToBeVisibleAsync(new() { Timeout = WaitMs });
            await Expect(page).ToHaveTitleAsync(new Regex("^completed · "), new() { Timeout = WaitMs });
            Assert.Equal(0, await page.Locator("#run-output").EvaluateAsync<double>("el => el.scrollTop"));
            Assert.Equal(0, await page.EvaluateAsync<double>("() => window.scrollY"));
            Assert.Equal(0, await page.GetByText("running", new() { Exact = true }).CountAsync());

            await page.SetViewportSizeAsync(390, 844);
            await page.ReloadAsync();
            await WaitInteractiveAsync(page);
            await Expect(page.Locator("#run-output pre code").First).ToBeVisibleAsync(new() { Timeout = WaitMs });
            var output = await page.Locator("#run-output").EvaluateAsync<double[]>("el => [el.scrollHeight, el.clientHeight]");
            Assert.Equal(output[0], output[1]);
            var widths = await page.EvaluateAsync<double[]>("() => [document.documentElement.scrollWidth, window.innerWidth]");
            Assert.True(widths[0] <= widths[1], $"page is {widths[0]} px wide in a {widths[1]} px viewport");
        }
        finally
        {
            await CloseAsync(chromium, page);
        }
    }

    [Fact]
    public async Task Ctrl_enter_in_the_prompt_starts_the_run()
    {
        var page = await SignedInPageAsync(chromium, Server, "/runs/new");
        try
        {
            await SelectAsync(page, "field-backend", DemoBackendSource.OpenAiName);
            await page.Locator("#field-prompt").FillAsync("Explain the retry policy in two sentences");
            await page.Locator("#field-prompt").PressAsync("Control+Enter");

            await Expect(page).ToHaveURLAsync(RunPage(), new() { Timeout = WaitMs });
        }
        finally
        {
            await CloseAsync(chromium, page);
        }
    }

    [Theory]
    [InlineData(ReducedMotion.Reduce)]
    [InlineData(ReducedMotion.NoPreference)]
    public async Task A_user_who_asks_for_reduced_motion_sees_a_still_progress_bar_and_others_the_animated_one(ReducedMotion motion)
    {
        // The progress bar a run without reported progress shows, as the component renders it,
        // placed in a real page of the app (its stylesheets loaded) in a context with that preference.
        using var components = new BunitContext();
        components.Services.AddMudServices();
        components.JSInterop.Mode = JSRuntimeMode.Loose;
        var bar = components.Render<ProgressBar>(p => p.Add(b => b.Progress, null).Add(b => b.Label, "probe progress")).Markup;
        var page = await SignedInAsync(new() { ReducedMotion = motion }, "/");
        try
        {
            await page.EvaluateAsync("html => document.querySelector('main').insertAdjacentHTML('beforeend', '<div id=\"motion-probe\" style=\"width: 400px\">' + html + '</div>')", bar);
            var bars = page.Locator("#motion-probe .mud-progress-linear-bar");
            await Expect(bars).ToHaveCountAsync(2);
            var first = await bars.First.EvaluateAsync<string>("e => getComputedStyle(e).animationName");
            var second = await bars.Last.EvaluateAsync<string>("e => getComputedStyle(e).animationName");
            var firstWidth = await bars.First.EvaluateAsync<double>("e => e.getBoundingClientRect().width");
            if (motion == ReducedMotion.Reduce)
            {
                // Still: no animation, the first bar fills the track, the second is gone.
                Assert.Equal("none", first);
                Assert.Equal("none", second);
                Assert.Equal(400, firstWidth, 0.5);
                await Expect(bars.Last).ToBeHiddenAsync();
            }
            else
            {
                // Control: without the preference the same markup is MudBlazor's endless animation.
                Assert.StartsWith("mud-progress-linear-horizontal-keyframes-indeterminate", first, StringComparison.Ordinal);
                Assert.StartsWith("mud-progress-linear-horizontal-keyframes-indeterminate", second, StringComparison.Ordinal);
            }
        }
        finally
        {
            await CloseAsync(chromium, page);
        }
    }

    [Fact]
    public async Task Every_page_has_a_main_landmark_and_no_serious_accessibility_violation()
    {
        // The run completes on the server while the browser signs in.
        var completed = CompletedRunAsync("Add input validation to the signup form");
        var page = await SignedInPageAsync(chromium, Server);
        try
        {
            var runId = await completed;
            var problems = new List<string>();
            foreach (var path in new[] { "/", "/runs", "/runs/new", $"/runs/{runId}", "/backends", "/no-such-page" })
            {
                await OpenAsync(page, Server, path);
                await Expect(page.Locator("main")).ToHaveCountAsync(1);
                problems.AddRange(await AxeSweep.SeriousViolationsAsync(page, path));
            }

            Assert.True(problems.Count == 0, string.Join(Environment.NewLine, problems));

            // Control: an image without a text alternative planted in the last page is reported, so
            // an empty list above means axe ran and its findings came back.
            await page.EvaluateAsync("() => document.querySelector('main').insertAdjacentHTML('beforeend', '<img src=\"data:,\" id=\"axe-control\">')");
            Assert.Contains(await AxeSweep.SeriousViolationsAsync(page, "control"), p => p.Contains("image-alt", StringComparison.Ordinal) && p.Contains("axe-control", StringComparison.Ordinal));
        }
        finally
        {
            await CloseAsync(chromium, page);
        }
    }

    [Fact]
    public async Task In_dark_mode_too_no_page_has_a_serious_accessibility_violation()
    {
        // The run completes on the server while the browser signs in and switches the theme.
        var completed = CompletedRunAsync("Build a FastAPI service for todos");
        var page = await SignedInPageAsync(chromium, Server);
        try
        {
            await page.Locator("#theme-toggle").ClickAsync();
            await Expect(page.Locator("button[aria-label='Switch to light mode']")).ToBeVisibleAsync(new() { Timeout = WaitMs });
            var runId = await completed;
            var problems = new List<string>();
            foreach (var path in new[] { "/", "/runs", "/runs/new", $"/runs/{runId}", "/backends" })
            {
                await OpenAsync(page, Server, path);
                await Expect(page.Locator(".app-dark")).ToHaveCountAsync(1);
                problems.AddRange(await AxeSweep.SeriousViolationsAsync(page, path));
            }

            Assert.True(problems.Count == 0, string.Join(Environment.NewLine, problems));
        }
        finally
        {
            await CloseAsync(chromium, page);
        }
    }

    [Fact]
    public async Task An_unknown_address_shows_the_not_found_page_inside_the_app()
    {
        var page = await SignedInPageAsync(chromium, Server);
        try
        {
            var response = await page.GotoAsync(Server.BaseUrl + "/no-such-page");
            Assert.Equal(404, response!.Status);
            await Expect(page.Locator("h1")).ToHaveTextAsync("Page not found");
            await Expect(page.Locator("nav[aria-label='Main'], .mud-navmenu").First).ToBeVisibleAsync();
        }
        finally
        {
            await CloseAsync(chromium, page);
        }
    }

    [GeneratedRegex(@"/runs/(?!new$)[^/?#]+$")]
    private static partial Regex RunPage();
}
