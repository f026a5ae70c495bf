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

    private readonly HashSet<string> _keptOrigins = [];
    private IPage? _kept;
    private PageViewportSizeResult? _keptViewport;
    private ICDPSession? _keptDevTools;
    private bool _lent;
    private int _leftByBrowser;

    public IBrowser Browser { get; private set; } = null!;

    /// <summary>How many times the kept page could not leave by itself and the browser took it to about:blank.</summary>
    public int LeftByBrowser => Volatile.Read(ref _leftByBrowser);

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

    /// <summary>A page in a context of its own (<see cref="NewContextAsync"/>); <see cref="ReturnPageAsync"/> closes both.</summary>
    public async Task<IPage> OwnPageAsync() => await (await NewContextAsync()).NewPageAsync();

    /// <summary>
    /// A page in a new browser's state, as a new context's first page is: no cookies, no storage,
    /// an empty cache, the default viewport and options of <see cref="NewContextAsync"/>. The
    /// collection keeps one such page and lends it to one test at a time (a second borrower while
    /// it is lent gets a page of its own); <see cref="ReturnPageAsync"/> brings it back to that
    /// state. Opening a page costs this Chromium about a CPU-second, most of it starting a renderer
    /// process before the page does anything; the kept page navigates in the renderer it has.
    /// A test that changes what a reset cannot undo (init scripts, handlers, the network) opens
    /// a context of its own instead.
    /// </summary>
    public async Task<IPage> BorrowPageAsync()
    {
        if (_lent)
        {
            return await OwnPageAsync();
        }

        if (_kept is null || _kept.IsClosed)
        {
            var context = await NewContextAsync();
            _kept = await context.NewPageAsync();
            _keptViewport = _kept.ViewportSize;
            _keptDevTools = await context.NewCDPSessionAsync(_kept);
            _kept.FrameNavigated += (_, frame) =>
            {
                if (frame.ParentFrame is null && Uri.TryCreate(frame.Url, UriKind.Absolute, out var url) && url.Scheme is "http" or "https")
                {
                    // Raised on Playwright's thread, read on the test's.
                    lock (_keptOrigins)
                    {
                        _keptOrigins.Add(url.GetLeftPart(UriPartial.Authority));
                    }
                }
            };
        }

        _lent = true;
        return _kept;
    }

    /// <summary>
    /// Ends a page a test borrowed: the kept page leaves its site (its circuit ends as when a user
    /// leaves), and its cookies, the storage of every origin it visited and its cache are cleared,
    /// its viewport restored; any other page closes with its context. A kept page that cannot be
    /// reset is closed, and the next borrower gets a new one.
    /// </summary>
    public async Task ReturnPageAsync(IPage page)
    {
        ArgumentNullException.ThrowIfNull(page);
        if (!ReferenceEquals(page, _kept))
        {
            await page.Context.CloseAsync();
            return;
        }

        try
        {
            await LeaveAsync(page);
            await page.Context.ClearCookiesAsync();
            string[] visited;
            lock (_keptOrigins)
            {
                visited = [.. _keptOrigins];
                _keptOrigins.Clear();
            }

            foreach (var origin in visited)
            {
                await _keptDevTools!.SendAsync("Storage.clearDataForOrigin", new Dictionary<string, object> { ["origin"] = origin, ["storageTypes"] = "all" });
            }

            await _keptDevTools!.SendAsync("Network.clearBrowserCache");
            if (_keptViewport is { } viewport && page.ViewportSize is { } now && (now.Width, now.Height) != (viewport.Width, viewport.Height))
            {
                await page.SetViewportSizeAsync(viewport.Width, viewport.Height);
            }
        }
        catch (Exception e) when (e is PlaywrightException or TimeoutException)
        {
            await DiscardKeptAsync();
        }
        finally
        {
            _lent = false;
        }
    }

    /// <summary>
    /// The page itself goes to about:blank, as a link would take it: the document unloads (its
    /// circuit ends) and the blank page stays in the page's renderer. Sent by the browser instead,
    /// that navigation, and the next one to an app (which isolates its pages from other openers),
    /// each started a new renderer process.
    /// </summary>
    private async Task LeaveAsync(IPage page)
    {
        if (page.Url == "about:blank")
        {
            return;
        }

        try
        {
            // Waited for from before the page is sent there (a wait started after it could miss the
            // navigation, and did, now and then). Committed is enough: the old document has unloaded.
            var left = page.WaitForURLAsync("about:blank", new() { WaitUntil = WaitUntilState.Commit, Timeout = 10_000 });
            await page.EvaluateAsync("() => { setTimeout(() => { location.href = 'about:blank'; }, 0); }").WaitAsync(TimeSpan.FromSeconds(10));
            await left;
        }
        catch (Exception e) when (e is PlaywrightException or TimeoutException)
        {
            // Not scriptable (an error page, say): the browser takes it there.
            Interlocked.Increment(ref _leftByBrowser);
            await page.GotoAsync("about:blank");
        }
    }

    private async Task DiscardKeptAsync()
    {
        var kept = _kept;
        _kept = null;
        lock (_keptOrigins)
        {
            _keptOrigins.Clear();
        }

        if (kept is not null && !kept.IsClosed)
        {
            await kept.Context.CloseAsync();
        }
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
        await DiscardKeptAsync();
        if (Browser is not null)
        {
            await Browser.DisposeAsync();
        }

        _playwright?.Dispose();
    }
}
