using System.Collections.Concurrent;
using Dashboard.Demo;
using Dashboard.Domain;
using Microsoft.Playwright;
using static Dashboard.Tests.Browser.BrowserSession;
using static Microsoft.Playwright.Assertions;

namespace Dashboard.Tests.Browser;

/// <summary>
/// Issue 5/6: streamed text is untrusted. With the CSP off (the sanitizer alone), a corpus of XSS
/// payloads rendered on a run page runs no script; a positive control proves the detector fires.
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed class XssBrowserTests(ChromiumFixture chromium, NoCspDemoApp app) : IClassFixture<NoCspDemoApp>
{
    private const string EndMarker = "XSS-CORPUS-END";

    /// <summary>Every payload reports to top.__xss (or opens a dialog) if it ever runs.</summary>
    private const string Corpus = """
        # XSS corpus

        <script>top.__xss.push('script')</script>

        <img src=x onerror="top.__xss.push('img-onerror')">

        <svg onload="top.__xss.push('svg-onload')"><circle r="1"/></svg>

        <svg><script>top.__xss.push('svg-script')</script></svg>

        <iframe srcdoc="<script>top.__xss.push('iframe-srcdoc')</script>"></iframe>

        <a href="javascript:top.__xss.push('html-js-link')">html-js-link</a>

        <a href="jav&#x09;ascript:top.__xss.push('entity-tab-link')">entity-tab-link</a>

        <a href="data:text/html,<script>top.__xss.push('html-data-link')</script>">html-data-link</a>

        <div style="background-image:url(javascript:top.__xss.push('css-url'))">css-url</div>

        <div style="width:expression(top.__xss.push('css-expression'))">css-expression</div>

        <math><mtext><table><mglyph><style><img src=x onerror="top.__xss.push('math')"></style></mglyph></table></mtext></math>

        <details open ontoggle="top.__xss.push('details-ontoggle')"><summary>details</summary>body</details>

        <object data="javascript:top.__xss.push('object')"></object>

        <embed src="javascript:top.__xss.push('embed')">

        <input autofocus onfocus="top.__xss.push('autofocus')">

        <body onload="top.__xss.push('body-onload')">

        <img src=x onerror=alert('img-alert')>

        [md-js-link](javascript:top.__xss.push('md-js-link'))

        [md-js-mixed-case](JaVaScRiPt:top.__xss.push('md-js-mixed-case'))

        [md-js-entity](jav&#x09;ascript:top.__xss.push('md-js-entity'))

        [md-js-space]( javascript:top.__xss.push('md-js-space'))

        [md-data-link](data:text/html;base64,PHNjcmlwdD50b3AuX194c3MucHVzaCgnbWQtZGF0YScpPC9zY3JpcHQ+)

        [md-vbscript](vbscript:msgbox)

        [md-ref-link][evil]

        [evil]: javascript:top.__xss.push('md-ref-link')

        <javascript:top.__xss.push('autolink')>

        ![md-image](javascript:top.__xss.push('md-image'))

        [md-title](https://example.invalid/ "x\" onmouseover=\"top.__xss.push('md-title')")

        `<img src=x onerror="top.__xss.push('code-span')">`

        ```html
        <script>top.__xss.push('code-block')</script>
        <img src=x onerror="top.__xss.push('code-block-img')">
        ```

        | a | b |
        |---|---|
        | <img src=x onerror="top.__xss.push('table-cell')"> | [cell](javascript:top.__xss.push('table-link')) |

        XSS-CORPUS-END
        """;

    /// <summary>Installed before any page script: the detector every payload would call.</summary>
    private const string Detector = """
        window.__xss = [];
        for (const name of ['alert', 'confirm', 'prompt']) {
          window[name] = (...args) => { window.__xss.push(name + ':' + args.join(',')); };
        }
        """;

    [Fact]
    public async Task A_corpus_of_payloads_in_streamed_text_runs_no_script_with_only_the_sanitizer_on_guard()
    {
        var runId = "xss-" + Guid.NewGuid().ToString("N");
        var hub = AppSide.Hub(app.Server);
        var now = DateTimeOffset.UtcNow;
        hub.Publish(new RunCreated { Backend = DemoBackendSource.OpenAiName, At = now, RunId = runId, Prompt = "xss corpus" });
        // In pieces, as a stream would deliver it: block boundaries fall mid-payload.
        foreach (var chunk in Chunks(Corpus, 37))
        {
            hub.Publish(new RunTextReceived { Backend = DemoBackendSource.OpenAiName, At = now, RunId = runId, Text = chunk });
        }

        hub.Publish(new RunEnded { Backend = DemoBackendSource.OpenAiName, At = now, RunId = runId, Status = RunStatus.Completed });

        // The harmless text around the payloads must survive: an output that dropped everything would pass the rest.
        await AssertNoScriptRunsAsync($"/runs/{runId}", EndMarker,
            "XSS corpus", "html-js-link", "entity-tab-link", "html-data-link", "css-url", "css-expression",
            "md-js-link", "md-js-mixed-case", "md-data-link", "md-vbscript", "md-title", "top.__xss.push('code-block')");
    }

    [Fact]
    public async Task Payloads_in_a_prompt_that_the_demo_reflects_into_its_answer_run_no_script()
    {
        const string prompt = "Build <img src=x onerror=\"top.__xss.push('prompt-img')\"> [p](javascript:top.__xss.push('prompt-link')) now";
        var runId = await AppSide.StartRunAsync(app.Server, DemoBackendSource.OpenAiName, prompt);
        Assert.Equal(RunStatus.Completed, await AppSide.WaitForEndAsync(app.Server, runId, TimeSpan.FromSeconds(60)));

        await AssertNoScriptRunsAsync($"/runs/{runId}", "is ready for review", "Build", "now");
    }

    [Fact]
    public async Task Positive_control_the_same_payloads_injected_unsanitized_are_detected()
    {
        var (page, dialogs) = await DetectingPageAsync("/");
        try
        {
            await page.EvaluateAsync("""
                () => {
                  const host = document.createElement('div');
                  host.id = 'unsanitized';
                  host.innerHTML = `<img src=x onerror="top.__xss.push('img-onerror')">`
                    + `<details open ontoggle="top.__xss.push('details-ontoggle')"><summary>s</summary>b</details>`
                    + `<iframe srcdoc="<script>top.__xss.push('iframe-srcdoc')</script>"></iframe>`
                    + `<a id="js-link" href="javascript:top.__xss.push('html-js-link')">js</a>`;
                  document.querySelector("[data-interactive]").appendChild(host);
                }
                """);
            await page.Locator("#js-link").ClickAsync();

            await page.WaitForFunctionAsync(
                "() => ['img-onerror', 'details-ontoggle', 'iframe-srcdoc', 'html-js-link'].every(x => window.__xss.includes(x))",
                null,
                new() { Timeout = WaitMs });
            Assert.Empty(dialogs);
        }
        finally
        {
            await CloseAsync(chromium, page);
        }
    }

    private async Task AssertNoScriptRunsAsync(string path, string endMarker, params string[] harmless)
    {
        var (page, dialogs) = await DetectingPageAsync(path);
        try
        {
            var output = page.Locator("#run-output");
            await Expect(output).ToContainTextAsync(endMarker, new() { Timeout = WaitMs });
            var text = await output.InnerTextAsync();
            Assert.All(harmless, h => Assert.Contains(h, text, StringComparison.Ordinal));

            // Structure: nothing that could run survives the sanitizer.
            Assert.Equal(0, await output.Locator("script, iframe, object, embed, svg, math, img, input, style, details, form, base, meta").CountAsync());
            var handlers = await output.EvaluateAsync<int>(
                "root => [...root.querySelectorAll('*')].filter(e => [...e.attributes].some(a => a.name.startsWith('on') || a.name === 'style' || a.name === 'srcdoc')).length");
            Assert.Equal(0, handlers);
            var hrefs = await output.Locator("a[href]").EvaluateAllAsync<string[]>("links => links.map(a => a.getAttribute('href'))");
            Assert.All(hrefs, href => Assert.Matches("^(https?:|mailto:)", href));

            // Behaviour: click every link (a surviving javascript: href would run now).
            foreach (var link in await output.Locator("a:not([href^='http'])").AllAsync())
            {
                await link.ClickAsync();
            }

            // The same page's own positive control: once the detector has seen it, earlier payloads had their chance too.
            await page.EvaluateAsync("""
                () => {
                  const control = document.createElement('div');
                  control.innerHTML = `<img src=x onerror="top.__xss.push('control')">`;
                  document.body.appendChild(control);
                }
                """);
            await page.WaitForFunctionAsync("() => window.__xss.includes('control')", null, new() { Timeout = WaitMs });
            Assert.Equal(["control"], await page.EvaluateAsync<string[]>("() => window.__xss"));
            Assert.Empty(dialogs);
            Assert.EndsWith(path, page.Url, StringComparison.Ordinal);
        }
        finally
        {
            await CloseAsync(chromium, page);
        }
    }

    /// <summary>Signed in straight onto <paramref name="path"/> (one page load), the detector in place before the first page's scripts.</summary>
    private async Task<(IPage Page, ConcurrentQueue<string> Dialogs)> DetectingPageAsync(string path)
    {
        var context = await chromium.NewContextAsync();
        context.SetDefaultTimeout(WaitMs);
        await context.AddInitScriptAsync(Detector);
        var page = await context.NewPageAsync();
        var dialogs = new ConcurrentQueue<string>();
        page.Dialog += (_, dialog) =>
        {
            dialogs.Enqueue(dialog.Message);
            _ = dialog.DismissAsync();
        };
        await page.GotoAsync(SignInUrl(app.Server, path));
        await Expect(page).ToHaveURLAsync(app.Server.BaseUrl + path, new() { Timeout = WaitMs });
        await WaitInteractiveAsync(page);
        return (page, dialogs);
    }

    private static IEnumerable<string> Chunks(string text, int size)
    {
        for (var i = 0; i < text.Length; i += size)
        {
            yield return text.Substring(i, Math.Min(size, text.Length - i));
        }
    }
}
