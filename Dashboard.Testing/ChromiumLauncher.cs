using Microsoft.Playwright;

namespace Dashboard.Testing;

/// <summary>
/// The one way tests and benchmarks start a browser: Debian's /usr/bin/chromium (the test command
/// installs it; Playwright never downloads one), headless, with the flags this offline 2-core
/// machine needs and no background throttling of hidden pages. Shared with the benchmarks.
/// </summary>
public static class ChromiumLauncher
{
    public const string ExecutablePath = "/usr/bin/chromium";

    private static readonly string[] Flags =
    [
        "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic",
        "--disable-renderer-backgrounding", "--disable-background-timer-throttling",
        "--disable-backgrounding-occluded-windows",
    ];

    /// <summary>
    /// The browser this process already runs for its browser tests (their collection fixture sets it
    /// while it lives): harnesses started from a test borrow it rather than launching a second
    /// Chromium beside it. Null outside the tests: a harness launches its own.
    /// </summary>
    public static IBrowser? Shared { get; set; }

    public static Task<IBrowser> LaunchAsync(IPlaywright playwright)
    {
        ArgumentNullException.ThrowIfNull(playwright);
        if (!File.Exists(ExecutablePath))
        {
            throw new InvalidOperationException($"{ExecutablePath} is missing: run the README's test command (bash .ci/test), which installs Debian's chromium.");
        }

        return playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions { ExecutablePath = ExecutablePath, Headless = true, Args = Flags });
    }
}
