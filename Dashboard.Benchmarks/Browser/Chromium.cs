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
    /// <remarks>
    /// The sign-in link is followed by the context's own request client, which shares the context's
    /// cookie store: the cookie is the context's without a page load, a circuit to open and close,
    /// or a disconnect beacon to wait for before the harness counts its own pages' circuits.
    /// </remarks>
    public async Task<IBrowserContext> SignedInContextAsync(TestApp app)
    {
        ArgumentNullException.ThrowIfNull(app);
        var context = await Browser.NewContextAsync();
        var response = await context.APIRequest.GetAsync(app.LoginUrl, new APIRequestContextOptions { MaxRedirects = 0 });
        if (response.Status != 302 || (await context.CookiesAsync()).Count == 0)
        {
            throw new InvalidOperationException($"sign-in failed: {response.Status}");
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
