using Dashboard.Testing;
using System.Text.RegularExpressions;
using Dashboard.Demo;
using Microsoft.Playwright;
using static Dashboard.Tests.Browser.BrowserSession;
using static Microsoft.Playwright.Assertions;

namespace Dashboard.Tests.Browser;

/// <summary>Issue 4/5: start an iteration from the form and watch it stream to completed, in real Chromium.</summary>
[Collection(BrowserCollection.Name)]
public sealed partial class RunFlowBrowserTests(ChromiumFixture chromium, FastDemoApp app) : IClassFixture<FastDemoApp>
{
    private TestApp Server => app.Server;

    [Fact]
    public async Task A_codegen_iteration_started_from_the_form_streams_its_stages_and_ends_completed_with_markdown()
    {
        const string prompt = "Add a paginated items endpoint with tests";
        var page = await SignedInPageAsync(chromium, Server, "/runs/new");
        try
        {
            await SelectAsync(page, "field-backend", DemoBackendSource.CodegenName);
            await page.Locator("#field-prompt").FillAsync(prompt);
            await page.Locator("#start-submit").ClickAsync();

            await Expect(page).ToHaveURLAsync(RunPage(), new() { Timeout = WaitMs });
            await Expect(page.Locator("h1")).ToHaveTextAsync($"Run on {DemoBackendSource.CodegenName}", new() { Timeout = WaitMs });
            await Expect(page.Locator("tr[data-stage]").First).ToBeVisibleAsync(new() { Timeout = WaitMs });
            await Expect(page.Locator("[data-status]")).ToHaveAttributeAsync("data-status", "completed", new() { Timeout = WaitMs });
            await Expect(page.Locator("#run-outcome")).ToContainTextAsync("Completed in", new() { Timeout = WaitMs });

            Assert.True(await page.Locator("tr[data-stage]").CountAsync() >= 2, "the timeline shows the stage sequence");
            var output = page.Locator("#run-output");
            await Expect(output.Locator("h3").Filter(new() { HasText = "Steps" })).ToBeVisibleAsync(new() { Timeout = WaitMs });
            await Expect(output.Locator("blockquote")).ToContainTextAsync(prompt);
            await Expect(output.Locator("ol > li").First).ToBeVisibleAsync();
            await Expect(output.Locator("table th").First).ToHaveTextAsync("File");
            await Expect(output.Locator("pre code").First).ToBeVisibleAsync();
            var text = await output.InnerTextAsync();
            Assert.DoesNotContain("```", text, StringComparison.Ordinal);
            Assert.DoesNotContain("|---", text, StringComparison.Ordinal);
        }
        finally
        {
            await CloseAsync(chromium, page);
        }
    }

    [Fact]
    public async Task An_openai_chat_run_started_from_the_form_streams_text_to_completed()
    {
        const string prompt = "Explain how to add request logging";
        var page = await SignedInPageAsync(chromium, Server, "/runs/new");
        try
        {
            await SelectAsync(page, "field-backend", DemoBackendSource.OpenAiName);
            await page.Locator("#field-prompt").FillAsync(prompt);
            await page.Locator("#start-submit").ClickAsync();

            await Expect(page).ToHaveURLAsync(RunPage(), new() { Timeout = WaitMs });
            await Expect(page.Locator("[data-status]")).ToHaveAttributeAsync("data-status", "completed", new() { Timeout = WaitMs });
            var output = page.Locator("#run-output");
            await Expect(output.Locator("h2").First).ToContainTextAsync(prompt, new() { Timeout = WaitMs });
            await Expect(output.Locator("pre code").First).ToBeVisibleAsync();
            await Expect(output).ToContainTextAsync("is ready for review");
        }
        finally
        {
            await CloseAsync(chromium, page);
        }
    }

    [Fact]
    public async Task A_prompt_too_short_for_codegen_shows_the_field_error_and_starts_no_run()
    {
        const string prompt = "too short";
        var page = await SignedInPageAsync(chromium, Server, "/runs/new");
        try
        {
            await SelectAsync(page, "field-backend", DemoBackendSource.CodegenName);
            await page.Locator("#field-prompt").FillAsync(prompt);

            var error = page.GetByText("The prompt must be 10–5000 characters (it has 9).");
            await Expect(error).ToBeVisibleAsync(new() { Timeout = WaitMs });
            await page.Locator("#start-submit").ClickAsync();

            // A refused submit disables the button until the fields change: the server has handled it.
            await Expect(page.Locator("#start-submit")).ToBeDisabledAsync(new() { Timeout = WaitMs });
            // The reason stays on screen after the field lost focus (the click on Start blurred it).
            await Expect(error).ToBeVisibleAsync(new() { Timeout = WaitMs });
            Assert.EndsWith("/runs/new", page.Url, StringComparison.Ordinal);
            Assert.DoesNotContain(AppSide.Hub(Server).State.Runs, r => r.Prompt == prompt);
        }
        finally
        {
            await CloseAsync(chromium, page);
        }
    }

    [Fact]
    public async Task A_page_whose_circuit_dropped_shows_the_current_state_after_reconnecting()
    {
        const string prompt = "Add an index on the created column";
        // A context of its own: this test adds an init script and takes the network away.
        var page = await SignedInPageAsync(chromium, Server, ownContext: true);
        try
        {
            await page.AddInitScriptAsync(KeepSockets);
            await OpenAsync(page, Server, "/runs");
            // The network goes away and the circuit's socket is cut, as a dropped connection ends it
            // (offline alone leaves the socket open until SignalR's 30 s server timeout notices).
            // Offline, the page's attempts to reconnect fail until the network is back.
            await page.Context.SetOfflineAsync(true);
            Assert.True(await page.EvaluateAsync<int>("() => window.__testSockets.filter(s => s.readyState === WebSocket.OPEN).length") > 0, "the circuit's socket is open");
            await page.EvaluateAsync("() => window.__testSockets.forEach(s => s.close(4000, 'connection lost'))");
            await Expect(page.Locator("#components-reconnect-modal")).ToBeVisibleAsync(new() { Timeout = WaitMs });

            // While the browser is cut off, a run starts and ends.
            var runId = await AppSide.StartRunAsync(Server, DemoBackendSource.CodegenName, prompt);
            Assert.Equal(Domain.RunStatus.Completed, await AppSide.WaitForEndAsync(Server, runId, TimeSpan.FromSeconds(60)));
            await Expect(page.Locator($"tr[data-run='{runId}']")).ToHaveCountAsync(0);

            await page.Context.SetOfflineAsync(false);
            await Expect(page.Locator("#components-reconnect-modal")).ToBeHiddenAsync(new() { Timeout = WaitMs });
            await Expect(page.Locator($"tr[data-run='{runId}'] [data-status]")).ToHaveAttributeAsync("data-status", "completed", new() { Timeout = WaitMs });
        }
        finally
        {
            await CloseAsync(chromium, page);
        }
    }

    /// <summary>Remembers every WebSocket the page opens (the circuit's among them), so a test can cut it.</summary>
    private const string KeepSockets = """
        window.__testSockets = [];
        window.WebSocket = class extends window.WebSocket {
          constructor(...args) {
            super(...args);
            window.__testSockets.push(this);
          }
        };
        """;

    [GeneratedRegex(@"/runs/(?!new$)[^/?#]+$")]
    private static partial Regex RunPage();
}
