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
