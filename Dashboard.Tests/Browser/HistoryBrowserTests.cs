using System.Net;
using System.Text.Json;
using Dashboard.Domain;
using Dashboard.Testing;
using Dashboard.Tests.Runs;
using Dashboard.Tests.Storage;
using static Dashboard.Tests.Browser.BrowserSession;
using static Microsoft.Playwright.Assertions;

namespace Dashboard.Tests.Browser;

/// <summary>History in Chromium: runs finished before a restart open after it, and two picked on the runs page compare.</summary>
[Collection(BrowserCollection.Name)]
public sealed class HistoryBrowserTests(ChromiumFixture chromium) : IDisposable
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);
    private readonly StoreHarness _harness = new();

    public void Dispose() => _harness.Dispose();

    [Fact]
    public async Task Runs_finished_before_a_restart_are_listed_and_open_after_it_and_two_picked_runs_compare_with_a_diff()
    {
        string first;
        string second;
        await using (var before = App())
        {
            using var client = before.CreateApiClient();
            first = await RunToEndAsync(client, "alpha line\nshared line");
            second = await RunToEndAsync(client, "beta line\nshared line");
        }

        await using var after = App();
        var page = await SignedInPageAsync(chromium, after, "/runs");
        try
        {
            await Expect(page.Locator($"tr[data-run='{first}']")).ToBeVisibleAsync(new() { Timeout = WaitMs });
            await Expect(page.Locator($"tr[data-run='{second}']")).ToBeVisibleAsync(new() { Timeout = WaitMs });

            await page.Locator($"tr[data-run='{first}'] a").First.ClickAsync();
            await Expect(page).ToHaveURLAsync($"{after.BaseUrl}/runs/{first}", new() { Timeout = WaitMs });
            await Expect(page.Locator("[data-status]").First).ToHaveAttributeAsync("data-status", "completed", new() { Timeout = WaitMs });
            await Expect(page.Locator("#run-output")).ToContainTextAsync("alpha line", new() { Timeout = WaitMs });

            await OpenAsync(page, after, "/runs");
            await Expect(page.Locator("#compare-picked")).ToBeDisabledAsync(new() { Timeout = WaitMs });
            await page.Locator($"tr[data-run='{first}'] input.pick-run").CheckAsync();
            await page.Locator($"tr[data-run='{second}'] input.pick-run").CheckAsync();
            await page.Locator("#compare-picked").ClickAsync();

            await Expect(page).ToHaveURLAsync($"{after.BaseUrl}/runs/compare?a={first}&b={second}", new() { Timeout = WaitMs });
            await Expect(page.Locator("#compare-summary")).ToContainTextAsync(first, new() { Timeout = WaitMs });
            await Expect(page.Locator("#compare-summary")).ToContainTextAsync(second);
            // Both timelines, stage by stage, side by side.
            await Expect(page.Locator(".compare-stages tr[data-stage='generating']")).ToHaveCountAsync(1);
            await Expect(page.Locator("#compare-diff .diff-removed")).ToContainTextAsync("alpha line");
            await Expect(page.Locator("#compare-diff .diff-added")).ToContainTextAsync("beta line");
            await Expect(page.Locator("#compare-diff .diff-same")).ToContainTextAsync("shared line");
        }
        finally
        {
            await CloseAsync(chromium, page);
        }
    }

    [Fact]
    public async Task Clear_history_asks_first_then_empties_the_list_of_ended_runs()
    {
        await using var app = App();
        using var client = app.CreateApiClient();
        var id = await RunToEndAsync(client, "to be cleared");
        var page = await SignedInPageAsync(chromium, app, "/runs");
        try
        {
            await Expect(page.Locator($"tr[data-run='{id}']")).ToBeVisibleAsync(new() { Timeout = WaitMs });

            await page.Locator("#clear-history").ClickAsync();
            await Expect(page.Locator("#clear-history")).ToContainTextAsync("Really clear?", new() { Timeout = WaitMs });
            // Asking deleted nothing.
            await Expect(page.Locator($"tr[data-run='{id}']")).ToBeVisibleAsync();
            await page.Locator("#clear-history").ClickAsync();

            await Expect(page.Locator("#history-cleared")).ToContainTextAsync("1 run deleted", new() { Timeout = WaitMs });
            await Expect(page.Locator($"tr[data-run='{id}']")).ToHaveCountAsync(0);
            using var gone = await client.GetAsync($"/api/runs/{id}");
            Assert.Equal(HttpStatusCode.NotFound, gone.StatusCode);
        }
        finally
        {
            await CloseAsync(chromium, page);
        }
    }

    private TestApp App() => new(new Dictionary<string, string?>
    {
        ["Dashboard:Storage:Provider"] = "sqlite",
        ["Dashboard:Storage:Path"] = _harness.Path,
        ["Dashboard:Backends:0:Name"] = "alpha",
        ["Dashboard:Backends:0:Kind"] = "test-runs",
    })
    {
        Kinds =
        [
            new TestBackendKind("test-runs")
            {
                Run = (run, _) =>
                {
                    run.Stage("generating", StageStatus.Running, "writing", 0.5);
                    run.Sink.Publish(new RunTextReceived { Backend = run.Backend, At = run.Clock.GetUtcNow(), RunId = run.RunId, Text = run.Request.Prompt });
                    run.End(RunStatus.Completed);
                    return Task.CompletedTask;
                },
            },
        ],
    };

    private static async Task<string> RunToEndAsync(HttpClient client, string prompt)
    {
        using var response = await client.PostAsync("/api/runs", new StringContent(JsonSerializer.Serialize(new { backend = "alpha", prompt }), System.Text.Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var id = body.RootElement.GetProperty("id").GetString()!;
        using var deadline = new CancellationTokenSource(Patience);
        while (true)
        {
            using var run = JsonDocument.Parse(await client.GetStringAsync($"/api/runs/{id}", deadline.Token));
            if (run.RootElement.GetProperty("status").GetString() == "completed")
            {
                return id;
            }

            await Task.Yield();
        }
    }
}
