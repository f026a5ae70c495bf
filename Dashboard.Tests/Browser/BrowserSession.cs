using Dashboard.Testing;
using System.Globalization;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Dashboard.Tests.Browser;

/// <summary>What every browser test does: a fresh signed-in context, pages that are live (circuit up), MudBlazor selects.</summary>
public static class BrowserSession
{
    /// <summary>Generous: two CPU cores are shared by the whole suite and the app under test.</summary>
    public const float WaitMs = 60_000;

    /// <summary>Settings of the embedded demo for a test: fixed seed and outcome, a chosen time scale.</summary>
    public static Dictionary<string, string?> Demo(double timeScale, string outcome = "complete") => new(StringComparer.OrdinalIgnoreCase)
    {
        ["Dashboard:Demo:TimeScale"] = timeScale.ToString(CultureInfo.InvariantCulture),
        ["Dashboard:Demo:Seed"] = "4242",
        ["Dashboard:Demo:Outcome"] = outcome,
    };

    /// <summary>
    /// A page in a new browser's state (no cookies, no storage, an empty cache) signed in through
    /// the printed link, on <paramref name="path"/> rendered interactively: the link's return address
    /// lands there (one page load, not the overview and then the page a test is about). It is the
    /// collection's kept page (<see cref="ChromiumFixture.BorrowPageAsync"/>) unless
    /// <paramref name="ownContext"/>: a test that adds init scripts or handlers, or takes the network
    /// away, asks for a context of its own. <see cref="CloseAsync"/> ends either.
    /// </summary>
    public static async Task<IPage> SignedInPageAsync(ChromiumFixture chromium, TestApp server, string path = "/", bool ownContext = false)
    {
        var page = ownContext ? await chromium.OwnPageAsync() : await chromium.BorrowPageAsync();
        try
        {
            page.Context.SetDefaultTimeout(WaitMs);
            await page.GotoAsync(SignInUrl(server, path));
            await Expect(page).ToHaveURLAsync(server.BaseUrl + path, new() { Timeout = WaitMs });
            await WaitInteractiveAsync(page);
            return page;
        }
        catch
        {
            await chromium.ReturnPageAsync(page);
            throw;
        }
    }

    /// <summary>The sign-in link, with a return address unless it is the overview (where the link lands anyway).</summary>
    public static string SignInUrl(TestApp server, string path = "/") =>
        $"{server.BaseUrl}/login?t={Uri.EscapeDataString(TestApp.Token)}"
        + (path == "/" ? "" : $"&returnUrl={Uri.EscapeDataString(path)}");

    /// <summary>Opens a page of the app and waits until its circuit has rendered it (not just the prerendered HTML).</summary>
    public static async Task OpenAsync(IPage page, TestApp server, string path)
    {
        await page.GotoAsync(server.BaseUrl + path);
        await WaitInteractiveAsync(page);
    }

    /// <summary>The layout marks itself once it renders interactively; before that, clicks would be lost.</summary>
    /// <remarks>
    /// Watched in the page every 50 ms: a locator assertion backs off to a check every half second
    /// once its wait passes about a quarter of a second, which most page loads here do, so each
    /// wait ended up to half a second after the page was live. Then the assertion itself: one.
    /// </remarks>
    public static async Task WaitInteractiveAsync(IPage page)
    {
        await page.WaitForFunctionAsync(
            "() => document.querySelector(\"[data-interactive='true']\") !== null",
            null,
            new() { PollingInterval = 50, Timeout = WaitMs });
        await Expect(page.Locator("[data-interactive='true']")).ToHaveCountAsync(1, new() { Timeout = WaitMs });
    }

    /// <summary>Picks an item of a MudSelect (by the input's id) and checks the select took it.</summary>
    public static async Task SelectAsync(IPage page, string selectId, string value)
    {
        await page.Locator($".mud-input-control.mud-select:has(#{selectId})").ClickAsync();
        await page.Locator(".mud-popover-open .mud-list-item").Filter(new() { HasText = value }).First.ClickAsync();
        await Expect(page.Locator($"#{selectId}")).ToHaveValueAsync(value, new() { Timeout = WaitMs });
    }

    /// <summary>Ends a page of <see cref="SignedInPageAsync"/>: the kept page is reset for the next test, any other closes with its context.</summary>
    public static Task CloseAsync(ChromiumFixture chromium, IPage page) => chromium.ReturnPageAsync(page);
}
