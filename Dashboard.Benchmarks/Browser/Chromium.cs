using Dashboard.Testing;
using Microsoft.Playwright;

namespace Dashboard.Benchmarks.Browser;

/// <summary>Debian's headless Chromium through Playwright, started as the tests start it (<see cref="ChromiumLauncher"/>).</summary>
public sealed class Chromium : IAsyncDisposable
{
    private readonly IPlaywright _playwright;

    private Chromium(IPlaywright playwright, IBrowser browser)
    {
        _playwright = playwright;
        Browser = browser;
    }

    public IBrowser Browser { get; }

    public static async Task<Chromium> LaunchAsync()
    {
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

        await page.CloseAsync();
        return context;
    }

    public async ValueTask DisposeAsync()
    {
        await Browser.DisposeAsync();
        _playwright.Dispose();
    }
}
