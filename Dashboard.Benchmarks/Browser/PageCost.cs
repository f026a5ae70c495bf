using System.Diagnostics;
using Dashboard.Benchmarks.Infrastructure;
using Dashboard.Benchmarks.Markdown;
using Dashboard.Domain;
using Dashboard.Events;
using Dashboard.Ingest;
using Dashboard.State;
using Dashboard.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;

namespace Dashboard.Benchmarks.Browser;

/// <summary>What one page received from the circuit while the run streamed.</summary>
/// <param name="Frames">WebSocket frames the page received: render batches, plus a keep-alive every 15 s.</param>
public sealed record PageTraffic(string Page, long Frames, long Bytes, double Seconds)
{
    public double FramesPerSecond => Frames / Seconds;
}

/// <param name="Pages">Open pages and where they point.</param>
/// <param name="ServerCpu">This process's CPU over the stream (app, ingest and circuits; the upstream and Chromium are other processes).</param>
public sealed record PageCostArm(string Name, int PageCount, IReadOnlyList<PageTraffic> Pages, TimeSpan ServerCpu, double Seconds, int Deltas);

/// <summary>
/// Benchmark 4: what a page costs the server while one run streams text. The deltas come as an
/// OpenAI chat stream from a separate process (<see cref="MarkdownUpstream"/>) through the app's
/// own ingest; pages are real Chromium tabs on real circuits, each one's <c>/_blazor</c> frames
/// and bytes counted.
/// </summary>
public sealed class PageCost : IAsyncDisposable
{
    private const string Backend = "bench-pages";

    private readonly TestApp _app;
    private readonly Chromium _chromium;
    private readonly IBrowserContext _context;
    private readonly MarkdownUpstream.Child _upstream;
    private readonly CircuitCounter _circuits;
    private readonly IEventHub _hub;
    private readonly string _otherRun;
    private readonly TimeSpan _settleTime;
    private readonly bool _ownsApp;

    private PageCost(TestApp app, bool ownsApp, Chromium chromium, IBrowserContext context, MarkdownUpstream.Child upstream, TimeSpan settleTime)
    {
        _app = app;
        _ownsApp = ownsApp;
        _settleTime = settleTime;
        _chromium = chromium;
        _context = context;
        _upstream = upstream;
        _circuits = app.Services.GetRequiredService<CircuitCounter>();
        _hub = app.Services.GetRequiredService<IEventHub>();
        _otherRun = "other-" + Guid.NewGuid().ToString("N")[..6];
        _hub.Publish(new RunCreated { Backend = Backend, At = DateTimeOffset.UtcNow, RunId = _otherRun, Prompt = "a run that finished earlier" });
        _hub.Publish(new RunTextReceived { Backend = Backend, At = DateTimeOffset.UtcNow, RunId = _otherRun, Text = "An answer that finished earlier." });
        _hub.Publish(new RunEnded { Backend = Backend, At = DateTimeOffset.UtcNow, RunId = _otherRun, Status = RunStatus.Completed });
    }

    /// <param name="settleTime">How long each arm lets its pages' first renders and their after-effects finish before it counts (2 s unless given; the smoke test, which reads no rate, takes less).</param>
    /// <param name="app">An app to borrow (with <see cref="CircuitCounter"/> registered, no circuit open; it stays up), else one of its own.</param>
    public static async Task<PageCost> StartAsync(TimeSpan? settleTime = null, TestApp? app = null)
    {
        var ownsApp = app is null;
        app ??= new TestApp { Demo = false, QuietLogs = true, ExtraServices = CircuitCounter.Register };
        _ = app.BaseUrl;
        var chromium = await Chromium.LaunchAsync();
        var context = await chromium.SignedInContextAsync(app);
        return new PageCost(app, ownsApp, chromium, context, await MarkdownUpstream.StartProcessAsync(), settleTime ?? TimeSpan.FromSeconds(2));
    }

    /// <summary>The page paths an arm can open; "{run}" is the streaming run, "{other}" a run that ended before.</summary>
    public const string Watching = "/runs/{run}";
    public const string OtherRun = "/runs/{other}";
    public const string Overview = "/";
    public const string RunsPage = "/runs";

    /// <param name="paths">One entry per page to open (repeat a path for several pages on it); empty: the feed alone, with no page.</param>
    /// <param name="kilobytes">The answer's size: at 1,000 deltas/s of 2–8 characters, 1 KB streams for about 0.2 s.</param>
    public async Task<PageCostArm> RunAsync(string name, IReadOnlyList<string> paths, int kilobytes, int deltasPerSecond)
    {
        ArgumentNullException.ThrowIfNull(paths);
        var runId = "pages-" + Guid.NewGuid().ToString("N")[..8];
        _hub.Publish(new RunCreated { Backend = Backend, At = DateTimeOffset.UtcNow, RunId = runId, Prompt = "page cost benchmark" });
        var open = new List<(string Path, IPage Page, BlazorTraffic Traffic)>();
        try
        {
            foreach (var path in paths)
            {
                var page = await _context.NewPageAsync();
                var traffic = await BlazorTraffic.AttachAsync(page);
                await page.GotoAsync(_app.BaseUrl + path.Replace("{run}", runId, StringComparison.Ordinal).Replace("{other}", _otherRun, StringComparison.Ordinal));
                open.Add((path, page, traffic));
            }

            await _circuits.WaitForAsync(open.Count, TimeSpan.FromSeconds(120));
            foreach (var (_, page, _) in open)
            {
                await page.Locator(".mud-main-content[data-interactive='true']").WaitForAsync(new LocatorWaitForOptions { Timeout = 60_000 });
            }

            // First renders and their after-effects out of the window.
            await Task.Delay(_settleTime);
            foreach (var (_, _, traffic) in open)
            {
                traffic.Reset();
            }

            // Every arm starts from a collected heap, so no arm pays for garbage an earlier one left.
            _ = ProcessMeter.RetainedManagedBytes();
            var cpuBefore = ProcessMeter.CpuTime;
            var clock = Stopwatch.StartNew();
            var outcome = await ChatFollow.RunAsync(_app, _upstream.ChatUri(kilobytes, deltasPerSecond), Backend, runId);
            if (outcome.End != StreamEnd.Terminal)
            {
                throw new InvalidOperationException($"the upstream stream ended as {outcome.End}: {outcome.Error}");
            }

            foreach (var (path, page, _) in open.Where(p => p.Path == Watching))
            {
                await page.WaitForFunctionAsync(
                    $"() => document.querySelector('#run-output')?.textContent.includes('{MarkdownCorpus.EndMarker}')",
                    null,
                    new PageWaitForFunctionOptions { Timeout = 120_000, PollingInterval = 50 });
            }

            var seconds = clock.Elapsed.TotalSeconds;
            var cpu = ProcessMeter.CpuTime - cpuBefore;
            var text = MarkdownCorpus.Build(kilobytes);
            if (_app.Services.GetRequiredService<IDashboardState>().GetRun(runId)?.Text.ToString() != text)
            {
                throw new InvalidOperationException($"{name}: the run does not hold the whole answer");
            }

            var deltas = MarkdownCorpus.Deltas(text).Count;
            return new PageCostArm(name, open.Count, [.. open.Select(p => new PageTraffic(p.Path, p.Traffic.FramesReceived, p.Traffic.BytesReceived, seconds))], cpu, seconds, deltas);
        }
        finally
        {
            foreach (var (_, page, _) in open)
            {
                await page.GotoAsync("about:blank");
                await page.CloseAsync();
            }

            await _circuits.WaitForAsync(0, TimeSpan.FromSeconds(60));
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _context.CloseAsync();
        await _chromium.DisposeAsync();
        await _upstream.DisposeAsync();
        if (_ownsApp)
        {
            await _app.DisposeAsync();
        }
    }
}
