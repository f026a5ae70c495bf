using Dashboard.Testing;
using System.Collections.Concurrent;
using System.Text.RegularExpressions;
using Microsoft.Playwright;

namespace Dashboard.Tests.Security;

/// <summary>
/// Real Chromium against the real app: the printed link signs in, the token leaves the address
/// bar, and the page and its circuit transport run under the strict CSP without a violation.
/// </summary>
[Collection(Dashboard.Tests.Browser.BrowserCollection.Name)]
public sealed partial class BrowserCspTests(Dashboard.Tests.Browser.ChromiumFixture chromium)
{
    [Fact]
    public async Task Sign_in_link_opens_the_dashboard_whose_circuit_transport_works_under_the_csp()
    {
        using var factory = new TestApp { Demo = false, Kestrel = false };
        factory.UseKestrel(0);
        factory.StartServer();
        var link = SignInLink().Match(factory.ConsoleOut.ToString());
        Assert.True(link.Success, factory.ConsoleOut.ToString());

        // The suite's one Chromium (one browser at a time on 2 cores), in a page in a new browser's state.
        var page = await chromium.BorrowPageAsync();
        var violations = new ConcurrentQueue<string>();
        var violated = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        void OnConsole(object? sender, IConsoleMessage message)
        {
            if (message.Text.Contains("Content Security Policy", StringComparison.OrdinalIgnoreCase))
            {
                violations.Enqueue(message.Text);
                violated.TrySetResult();
            }
        }

        page.Console += OnConsole;
        try
        {
            await CheckAsync(page, link.Value, violations, violated.Task);
        }
        finally
        {
            page.Console -= OnConsole;
            await chromium.ReturnPageAsync(page);
        }
    }

    private static async Task CheckAsync(IPage page, string link, ConcurrentQueue<string> violations, Task violated)
    {

        await page.GotoAsync(link, new PageGotoOptions { WaitUntil = WaitUntilState.NetworkIdle });

        Assert.Equal("/", new Uri(page.Url).PathAndQuery);
        Assert.DoesNotContain(TestApp.Token, page.Url, StringComparison.Ordinal);
        Assert.Equal("object", await page.EvaluateAsync<string>("typeof Blazor"));

        // The circuit's transport from the page itself: negotiate with the cookie, then a
        // same-origin WebSocket, which connect-src 'self' must allow.
        var transport = await page.EvaluateAsync<string>("""
            async () => {
              const negotiate = await fetch('/_blazor/negotiate?negotiateVersion=1', { method: 'POST' });
              if (!negotiate.ok) return 'negotiate ' + negotiate.status;
              const { connectionToken } = await negotiate.json();
              return await new Promise(resolve => {
                const socket = new WebSocket(`ws://${location.host}/_blazor?id=${connectionToken}`);
                socket.onopen = () => { socket.close(); resolve('open'); };
                socket.onerror = () => resolve('error');
              });
            }
            """);
        Assert.Equal("open", transport);
        Assert.Empty(violations);

        // Control: an injected inline script is refused, and the detector above sees it.
        var ran = await page.EvaluateAsync<bool>("""
            () => {
              const script = document.createElement('script');
              script.textContent = 'window.injected = true;';
              document.body.appendChild(script);
              return window.injected === true;
            }
            """);
        await violated.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.False(ran);
        Assert.NotEmpty(violations);
    }

    [GeneratedRegex(@"http://127\.0\.0\.1:\d+/login\?t=\S+")]
    private static partial Regex SignInLink();
}
