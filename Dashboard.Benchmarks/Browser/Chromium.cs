using Dashboard.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;

namespace Dashboard.Benchmarks.Browser;

/// <summary>
/// Debian's headless Chromium through Playwright, started as the tests start it (<see cref="ChromiumLauncher"/>);
/// inside the tests, the browser tests' own Chromium (<see cref="ChromiumLauncher.Shared"/>), borrowed.
/// </summary>
public sealed class Chromium : IAsyncDisposable
{
    private readonly IPlaywright? _playwright;
    private readonly IReadOnlyList<IBrowserContext> _contextsBefore;

    private Chromium(IPlaywright? playwright, IBrowser browser)
    {
        _playwright = playwright;
        Browser = browser;
        _contextsBefore = [.. browser.Contexts];
    }

    public IBrowser Browser { get; }

    public static async Task<Chromium> LaunchAsync()
    {
        if (ChromiumLauncher.Shared is { } shared)
        {
            return new Chromium(null, shared);
        }

        var playwright = await Playwright.CreateAsync();
        var browser = await ChromiumLauncher.LaunchAsync(playwright);
        return new Chromium(playwright, browser);
    }

    /// <summary>A new context signed in to the app (the cookie is per context).</summary>
    public async Task<IBrowserContext> SignedInContextAsync(TestApp app)
    {
        ArgumentNullException.ThrowIfNull(app);
        var context = await Browser.NewContextAsync();
        var page = await context.NewPageAsync();
        var response = await page.GotoAsync(app.LoginUrl);
        if (response is null || !response.Ok)
        {
            throw new InvalidOperationException($"sign-in failed: {response?.Status}");
        }

        // The landing page opens a circuit. Left once that circuit is up (a tab that leaves while it
        // is still connecting leaves one behind to wait out its retention), and before the tab closes,
        // so it ends at once (its disconnect beacon); then it is gone before the harness counts its
        // own pages' circuits.
        await page.Locator("[data-interactive='true']").WaitForAsync(new LocatorWaitForOptions { Timeout = 60_000 });
        await page.GotoAsync("about:blank");
        await page.CloseAsync();
        if (app.Services.GetService<CircuitCounter>() is { } circuits)
        {
            await circuits.WaitForAsync(0, TimeSpan.FromSeconds(60));
        }

        return context;
    }

    public async ValueTask DisposeAsync()
    {
        if (_playwright is null)
        {
            // Borrowed: it stays open for its owner; the contexts opened while borrowing it close.
            foreach (var context in Browser.Contexts.Except(_contextsBefore).ToList())
            {
                await context.CloseAsync();
            }

            return;
        }

        await Browser.DisposeAsync();
        _playwright.Dispose();
    }
}
