using Dashboard.Testing;
using Dashboard.Benchmarks.Infrastructure;
using Dashboard.Domain;
using Dashboard.Events;
using Dashboard.Ingest;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;

namespace Dashboard.Benchmarks.Browser;

/// <param name="WarmUp">A discarded run first (one page, same rate), on the same app and browser.</param>
public sealed record BrowserLatencyOptions(int Pages, int EventsPerSecond, TimeSpan Duration, bool WithFloor, TimeSpan WarmUp = default);

/// <param name="Dashboard">All dashboard pages' latencies together.</param>
/// <param name="WorstPageP95">The highest p95 of any one dashboard page.</param>
/// <param name="RetainedPerCircuit">Managed heap retained per open circuit (after a full GC, pages idle on the run).</param>
public sealed record BrowserLatencyResult(
    int Expected,
    LatencyHistogram Dashboard,
    int[] SeenPerPage,
    double WorstPageP95,
    LatencyHistogram? Floor,
    int FloorSeen,
    long RetainedPerCircuit,
    long WorkingSetPerCircuit,
    TimeSpan ServerCpu);

/// <summary>
/// Benchmarks 2 and 4b. The generator's OpenAI-chat variant goes through the app's own ingest
/// runner and OpenAI chat decoder into the app's hub, as a run whose page (/runs/{id}) is open in
/// one or more Chromium pages; the floor page reads the GET variant with EventSource in the same
/// Chromium at the same time. Latency = marker first in the DOM − its send time.
/// </summary>
public static class BrowserLatency
{
    private const string Backend = "bench-latency";

    /// <param name="app">An app to borrow (with <see cref="CircuitCounter"/> registered, no circuit open; it stays up), else one of its own.</param>
    public static async Task<BrowserLatencyResult> RunAsync(BrowserLatencyOptions options, Action<string>? log = null, TestApp? app = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        log ??= _ => { };
        await using var own = app is null ? new TestApp { Demo = false, QuietLogs = true, ExtraServices = CircuitCounter.Register } : null;
        app ??= own!;
        _ = app.BaseUrl;
        await using var chromium = await Chromium.LaunchAsync();
        var context = await chromium.SignedInContextAsync(app);
        if (options.WarmUp > TimeSpan.Zero)
        {
            // JIT and first-use costs (Markdig, the circuit's first renders) out of the measured run;
            // the floor page has nothing comparable to warm.
            var warm = await MeasureAsync(app, chromium, context, options with { Pages = 1, Duration = options.WarmUp }, _ => { });
            log($"warm-up: {options.WarmUp.TotalSeconds} s, dashboard p95 {warm.Dashboard.Percentile(0.95):0} ms (discarded)");
        }

        return await MeasureAsync(app, chromium, context, options, log);
    }

    private static async Task<BrowserLatencyResult> MeasureAsync(TestApp app, Chromium chromium, IBrowserContext context, BrowserLatencyOptions options, Action<string> log)
    {
        var count = (int)(options.EventsPerSecond * options.Duration.TotalSeconds);
        await using var upstream = await MarkerUpstream.StartAsync(options.EventsPerSecond, count);
        var circuits = app.Services.GetRequiredService<CircuitCounter>();
        var hub = app.Services.GetRequiredService<IEventHub>();
        var runId = "latency-" + Guid.NewGuid().ToString("N")[..8];
        hub.Publish(new RunCreated { Backend = Backend, At = DateTimeOffset.UtcNow, RunId = runId, Prompt = "latency benchmark" });

        var retainedBefore = ProcessMeter.RetainedManagedBytes();
        var workingSetBefore = ProcessMeter.WorkingSetBytes;
        var pages = new List<IPage>();
        for (var i = 0; i < options.Pages; i++)
        {
            var page = await context.NewPageAsync();
            await MarkerWatch.InstallAsync(page);
            await page.GotoAsync($"{app.BaseUrl}/runs/{runId}");
            pages.Add(page);
        }

        await circuits.WaitForAsync(options.Pages, TimeSpan.FromSeconds(60));
        foreach (var page in pages)
        {
            await page.Locator("#run-output").WaitForAsync(new LocatorWaitForOptions { Timeout = 30_000 });
        }

        var retainedWith = ProcessMeter.RetainedManagedBytes();
        var workingSetWith = ProcessMeter.WorkingSetBytes;
        log($"{options.Pages} page(s) open on run {runId}: {circuits.Open} circuits, {(hub is EventHub h ? h.SubscriberCount + h.WatchCount : -1)} hub subscriptions and watches");

        var cpuBefore = ProcessMeter.CpuTime;
        var stream = ChatFollow.RunAsync(app, upstream.ChatUri, Backend, runId);
        IPage? floor = null;
        if (options.WithFloor)
        {
            var floorContext = await chromium.Browser.NewContextAsync();
            floor = await floorContext.NewPageAsync();
            await MarkerWatch.InstallAsync(floor);
            await floor.GotoAsync(upstream.FloorPageUri.ToString());
        }

        var outcome = await stream;
        if (outcome.End != StreamEnd.Terminal)
        {
            throw new InvalidOperationException($"the dashboard's stream ended as {outcome.End}: {outcome.Error}");
        }

        var settle = TimeSpan.FromSeconds(30);
        foreach (var page in pages.Append(floor).OfType<IPage>())
        {
            try
            {
                await MarkerWatch.WaitForAllAsync(page, count, settle);
            }
            catch (TimeoutException)
            {
                log($"a page saw {await MarkerWatch.SeenAsync(page)} of {count} markers within {settle.TotalSeconds} s of the stream's end");
            }
        }

        var cpu = ProcessMeter.CpuTime - cpuBefore;
        var dashboard = new LatencyHistogram();
        var seen = new int[pages.Count];
        var worstP95 = 0.0;
        for (var i = 0; i < pages.Count; i++)
        {
            var histogram = await MarkerWatch.HistogramAsync(pages[i]);
            dashboard.Add(histogram);
            seen[i] = (int)histogram.Count;
            worstP95 = Math.Max(worstP95, histogram.Percentile(0.95));
        }

        var floorHistogram = floor is null ? null : await MarkerWatch.HistogramAsync(floor);
        foreach (var page in pages.Append(floor).OfType<IPage>())
        {
            // Leaving the page sends Blazor's disconnect beacon; a tab torn down at once may lose it.
            await page.GotoAsync("about:blank");
            await page.CloseAsync();
        }

        await circuits.WaitForAsync(0, TimeSpan.FromSeconds(60));
        return new BrowserLatencyResult(
            count,
            dashboard,
            seen,
            worstP95,
            floorHistogram,
            (int)(floorHistogram?.Count ?? 0),
            (retainedWith - retainedBefore) / options.Pages,
            (workingSetWith - workingSetBefore) / options.Pages,
            cpu);
    }
}
