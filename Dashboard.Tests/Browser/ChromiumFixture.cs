using Microsoft.Playwright;

namespace Dashboard.Tests.Browser;

/// <summary>
/// One headless Debian Chromium shared by the browser tests of a collection. The browser is the
/// system's /usr/bin/chromium (the test command installs it); Playwright never downloads one.
/// </summary>
public sealed class ChromiumFixture : IAsyncLifetime
{
    public const string ExecutablePath = "/usr/bin/chromium";

    private IPlaywright? _playwright;

    public IBrowser Browser { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        if (!File.Exists(ExecutablePath))
        {
            throw new InvalidOperationException($"{ExecutablePath} is missing: run the README's test command (bash .ci/test), which installs Debian's chromium.");
        }

        _playwright = await Playwright.CreateAsync();
        Browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = ExecutablePath,
            Headless = true,
            Args =
            [
                "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                "--disable-component-update", "--disable-sync", "--no-first-run",
                "--disable-renderer-backgrounding", "--disable-quic",
            ],
        });
    }

    public async Task DisposeAsync()
    {
        if (Browser is not null)
        {
            await Browser.DisposeAsync();
        }

        _playwright?.Dispose();
    }
}
