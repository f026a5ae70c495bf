using Dashboard.Testing;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Playwright;

namespace Dashboard.Tests.Browser;

/// <summary>
/// The page the browser collection lends its tests (<see cref="ChromiumFixture.BorrowPageAsync"/>)
/// comes back in a new browser's state, or a test borrowing it would see what the one before left.
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed class KeptPageTests(ChromiumFixture chromium)
{
    private int _scripts;
    private int _left;

    /// <summary>A page that loads a cacheable script and reports when it is left (its document unloads).</summary>
    private Task<LoopbackUpstream> SiteAsync() => LoopbackUpstream.StartAsync(app =>
    {
        app.MapGet("/", () => Results.Content(
            """
            <!doctype html><html><head><script src="/a.js"></script></head>
            <body>site<script>addEventListener("pagehide", () => navigator.sendBeacon("/left"));</script></body></html>
            """,
            "text/html; charset=utf-8"));
        app.MapGet("/a.js", (HttpContext context) =>
        {
            Interlocked.Increment(ref _scripts);
            context.Response.Headers.CacheControl = "max-age=3600";
            return Results.Content("window.loaded = true;", "text/javascript");
        });
        app.MapPost("/left", () =>
        {
            Interlocked.Increment(ref _left);
            return Results.NoContent();
        });
    });

    [Fact]
    public async Task A_returned_page_is_left_and_comes_back_without_cookies_storage_cache_or_a_changed_viewport()
    {
        await using var site = await SiteAsync();
        var page = await chromium.BorrowPageAsync();
        IPage? again = null;
        try
        {
            var viewport = page.ViewportSize!;
            await page.GotoAsync(site.BaseUrl);
            await page.EvaluateAsync("() => { localStorage.setItem('k', 'v'); sessionStorage.setItem('s', 'v'); document.cookie = 'c=v; max-age=3600'; }");
            Assert.Single(await page.Context.CookiesAsync());
            // Controls: the script is cached (a second visit does not fetch it), the state is there.
            await page.GotoAsync(site.BaseUrl);
            Assert.Equal(1, Volatile.Read(ref _scripts));
            Assert.Equal(["v", "v", "c=v"], await page.EvaluateAsync<string[]>("() => [localStorage.getItem('k'), sessionStorage.getItem('s'), document.cookie]"));
            await page.SetViewportSizeAsync(390, 844);
            var leftBefore = Volatile.Read(ref _left);
            var leftByBrowser = chromium.LeftByBrowser;

            await chromium.ReturnPageAsync(page);
            again = await chromium.BorrowPageAsync();

            Assert.Same(page, again);
            Assert.Equal("about:blank", again.Url);
            Assert.Equal(leftByBrowser, chromium.LeftByBrowser);
            // Its document unloaded (a page of the app ends its circuit there).
            await WaitForAsync(() => Volatile.Read(ref _left) > leftBefore, "the site's page to report it was left");
            Assert.Empty(await again.Context.CookiesAsync());
            Assert.Equal((viewport.Width, viewport.Height), (again.ViewportSize!.Width, again.ViewportSize.Height));
            await again.GotoAsync(site.BaseUrl);
            Assert.Equal(2, Volatile.Read(ref _scripts));
            Assert.Equal(["none", "none", ""], await again.EvaluateAsync<string[]>("() => [localStorage.getItem('k') ?? 'none', sessionStorage.getItem('s') ?? 'none', document.cookie]"));
        }
        finally
        {
            await chromium.ReturnPageAsync(again ?? page);
        }
    }

    [Fact]
    public async Task A_second_borrower_while_the_page_is_lent_gets_a_page_of_its_own_which_closes_on_return()
    {
        var kept = await chromium.BorrowPageAsync();
        var other = await chromium.BorrowPageAsync();
        try
        {
            Assert.NotSame(kept, other);
            Assert.NotSame(kept.Context, other.Context);
        }
        finally
        {
            await chromium.ReturnPageAsync(other);
            await chromium.ReturnPageAsync(kept);
        }

        Assert.True(other.IsClosed);
        Assert.False(kept.IsClosed);
    }

    private static async Task WaitForAsync(Func<bool> condition, string what)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, $"timed out waiting for {what}");
            await Task.Delay(20);
        }
    }
}
