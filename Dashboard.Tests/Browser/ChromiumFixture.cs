using Dashboard.Testing;
using Microsoft.Playwright;

namespace Dashboard.Tests.Browser;

/// <summary>
/// One headless Debian Chromium shared by the browser tests of a collection. The browser is the
/// system's /usr/bin/chromium (the test command installs it); Playwright never downloads one.
/// </summary>
public sealed class ChromiumFixture : IAsyncLifetime
{
    private IPlaywright? _playwright;

    public IBrowser Browser { get; private set; } = null!;

    /// <summary>
    /// A new context (own cookies and storage) as every browser test opens one: it asks for reduced
    /// motion, as a user may, so the app's animations end at once instead of redrawing open pages
    /// every frame in this software-rendered Chromium (an endless progress animation cost about a
    /// tenth of a core per page). A test that sets <see cref="BrowserNewContextOptions.ReducedMotion"/>
    /// itself keeps its choice.
    /// </summary>
    public Task<IBrowserContext> NewContextAsync(BrowserNewContextOptions? options = null)
    {
        options ??= new BrowserNewContextOptions();
        options.ReducedMotion ??= ReducedMotion.Reduce;
        return Browser.NewContextAsync(options);
    }

    public async Task InitializeAsync()
    {
        _playwright = await Playwright.CreateAsync();
        Browser = await ChromiumLauncher.LaunchAsync(_playwright);
        // The benchmark harnesses the smoke tests start (in this collection) use this one too.
        ChromiumLauncher.Shared = Browser;
    }

    public async Task DisposeAsync()
    {
        ChromiumLauncher.Shared = null;
        if (Browser is not null)
        {
            await Browser.DisposeAsync();
        }

        _playwright?.Dispose();
    }
}
