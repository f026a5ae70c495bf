using Dashboard.Testing;
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

        // Left before it closes, so the circuit the landing page opened ends at once (its disconnect
        // beacon) and is not counted with the harness's own pages while it waits out its retention.
        await page.GotoAsync("about:blank");
        await page.CloseAsync();
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
