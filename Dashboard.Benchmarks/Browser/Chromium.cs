using Microsoft.Playwright;

namespace Dashboard.Benchmarks.Browser;

/// <summary>Debian's headless Chromium through Playwright, with the flags the browser tests use (no background throttling).</summary>
public sealed class Chromium : IAsyncDisposable
{
    public const string ExecutablePath = "/usr/bin/chromium";

    private readonly IPlaywright _playwright;

    private Chromium(IPlaywright playwright, IBrowser browser)
    {
        _playwright = playwright;
        Browser = browser;
    }

    public IBrowser Browser { get; }

    public static async Task<Chromium> LaunchAsync()
    {
        if (!File.Exists(ExecutablePath))
        {
            throw new InvalidOperationException($"{ExecutablePath} is missing: install Debian's chromium package (bash .ci/test does it as root).");
        }

        var playwright = await Playwright.CreateAsync();
        var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = ExecutablePath,
            Headless = true,
            Args =
            [
                "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                "--disable-component-update", "--disable-sync", "--no-first-run",
                "--disable-renderer-backgrounding", "--disable-background-timer-throttling",
                "--disable-backgrounding-occluded-windows", "--disable-quic",
            ],
        });
        return new Chromium(playwright, browser);
    }

    /// <summary>A new context signed in to the app (the cookie is per context).</summary>
    public async Task<IBrowserContext> SignedInContextAsync(DashboardApp app)
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
