using Dashboard.Events;
using Dashboard.Testing;
using System.Diagnostics;
using Dashboard.Benchmarks.Browser;
using Dashboard.Benchmarks.Infrastructure;
using Dashboard.Domain;
using Dashboard.State;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;

namespace Dashboard.Benchmarks.Markdown;

public enum MarkdownArm
{
    /// <summary>The app's run page (/runs/{id}) with its incremental StreamingMarkdown, fed deltas.</summary>
    Ours,

    /// <summary>
    /// The same page, the whole answer in one delta: one render of the final page. With the remote
    /// feed it comes through the same upstream and decoder as one chunk, so the page ends as Ours
    /// does (the same stages on its timeline), rendered once.
    /// </summary>
    Limit,

    /// <summary>The benchmark-only <see cref="NaiveRunMarkdown"/>, fed the same deltas.</summary>
    Naive,

    /// <summary>Breakdown: the app's StreamingMarkdown control alone (<see cref="ControlOnlyRunMarkdown"/>), fed the same deltas.</summary>
    ControlOnly,

    /// <summary>Breakdown: the same deltas published at the same rate with no view of the run open (the feed's own cost).</summary>
    FeedOnly,
}

/// <param name="ServerCpu">This process's CPU time from the first delta until the answer's end is in the page's DOM (the app with its ingest and hub, plus the pacing thread when the feed is in-process; Chromium and the remote upstream are other processes).</param>
/// <param name="IdleCpuPerSecond">The same process's CPU per second with the page open and nothing streaming, measured just before.</param>
/// <param name="BytesToBrowser">Decoded bytes of the /_blazor WebSocket frames the page received in that window.</param>
public sealed record MarkdownArmResult(MarkdownArm Arm, int Kilobytes, int Deltas, TimeSpan ServerCpu, double IdleCpuPerSecond, long BytesToBrowser, long Frames, TimeSpan Elapsed)
{
    /// <summary>CPU above the idle rate for the same window: what streaming this answer cost.</summary>
    public double NetCpuSeconds => Math.Max(0, ServerCpu.TotalSeconds - (IdleCpuPerSecond * Elapsed.TotalSeconds));
}

/// <summary>
/// Benchmark 3. The answer's deltas reach the app's hub at a fixed rate, with the run's page open
/// in Chromium over a real circuit. Two feeds: <b>remote</b> (default) — an OpenAI chat stream from
/// a separate process (<see cref="MarkdownUpstream"/>) read by the app's own ingest, so the CPU
/// counted is only the app's; <b>in-process</b> — a pacing thread of this process publishes the
/// deltas into the hub (no ingest, but its wake-ups are counted with the app).
/// </summary>
public sealed class StreamingMarkdownBenchmark : IAsyncDisposable
{
    private const string Backend = "bench-markdown";
    private static readonly TimeSpan DefaultSettleTime = TimeSpan.FromSeconds(1);

    private readonly TestApp _app;
    private readonly Chromium _chromium;
    private readonly IBrowserContext _context;
    private readonly CircuitCounter _circuits;
    private readonly MarkdownUpstream.Child? _upstream;
    private readonly TimeSpan _settleTime;
    private readonly bool _ownsApp;

    private StreamingMarkdownBenchmark(TestApp app, bool ownsApp, Chromium chromium, IBrowserContext context, MarkdownUpstream.Child? upstream, TimeSpan settleTime)
    {
        _app = app;
        _ownsApp = ownsApp;
        _settleTime = settleTime;
        _chromium = chromium;
        _context = context;
        _upstream = upstream;
        _circuits = app.Services.GetRequiredService<CircuitCounter>();
    }

    /// <param name="remoteFeed">Deltas from a separate upstream process through the app's ingest (else from a pacing thread in this process).</param>
    /// <param name="settleTime">Each arm waits this long after its page's first render, then measures the idle rate over as long again (1 s unless given; the smoke test, which reads no rate, takes less).</param>
    /// <param name="app">An app from <see cref="CreateApp"/> to borrow (no circuit open; it stays up), else one of its own.</param>
    public static async Task<StreamingMarkdownBenchmark> StartAsync(bool remoteFeed, TimeSpan? settleTime = null, TestApp? app = null)
    {
        var ownsApp = app is null;
        app ??= CreateApp();
        _ = app.BaseUrl;
        var chromium = await Chromium.LaunchAsync();
        var context = await chromium.SignedInContextAsync(app);
        var upstream = remoteFeed ? await MarkdownUpstream.StartProcessAsync() : null;
        return new StreamingMarkdownBenchmark(app, ownsApp, chromium, context, upstream, settleTime ?? DefaultSettleTime);
    }

    /// <summary>The app this benchmark needs (circuits counted, its two breakdown components registered); not started.</summary>
    public static TestApp CreateApp() => new()
    {
        Demo = false,
        QuietLogs = true,
        ExtraServices = services =>
        {
            CircuitCounter.Register(services);
            NaiveRunMarkdown.Register(services);
            ControlOnlyRunMarkdown.Register(services);
        },
    };

    public async Task<MarkdownArmResult> RunAsync(MarkdownArm arm, int kilobytes, int deltasPerSecond)
    {
        var text = MarkdownCorpus.Build(kilobytes);
        var deltas = arm == MarkdownArm.Limit ? [text] : MarkdownCorpus.Deltas(text);
        var runId = $"md-{arm}-{kilobytes}-{Guid.NewGuid().ToString("N")[..6]}".ToLowerInvariant();
        var hub = _app.Services.GetRequiredService<IEventHub>();
        hub.Publish(new RunCreated { Backend = Backend, At = DateTimeOffset.UtcNow, RunId = runId, Prompt = "markdown benchmark" });

        var page = await _context.NewPageAsync();
        try
        {
            var traffic = await BlazorTraffic.AttachAsync(page);
            var output = await OpenAsync(page, arm, runId);

            // Let the page's first render and its after-effects finish, and measure what the
            // process burns per second meanwhile (timers, tiered JIT, GC): the idle rate.
            await Task.Delay(_settleTime);
            var idleBefore = ProcessMeter.CpuTime;
            await Task.Delay(_settleTime);
            var idlePerSecond = (ProcessMeter.CpuTime - idleBefore).TotalSeconds / _settleTime.TotalSeconds;

            traffic.Reset();
            var cpuBefore = ProcessMeter.CpuTime;
            var clock = Stopwatch.StartNew();
            if (_upstream is not null)
            {
                var outcome = await ChatFollow.RunAsync(_app, _upstream.ChatUri(kilobytes, deltasPerSecond, whole: arm == MarkdownArm.Limit), Backend, runId);
                if (outcome.End != Dashboard.Ingest.StreamEnd.Terminal)
                {
                    throw new InvalidOperationException($"the upstream stream ended as {outcome.End}: {outcome.Error}");
                }
            }
            else
            {
                await Pacer.RunAsync(deltas.Count, deltasPerSecond, i =>
                    hub.Publish(new RunTextReceived { Backend = Backend, At = DateTimeOffset.UtcNow, RunId = runId, Text = deltas[(int)i] }));
            }
            if (output is not null)
            {
                await page.WaitForFunctionAsync(
                    $"() => document.querySelector('{output}')?.textContent.includes('{MarkdownCorpus.EndMarker}')",
                    null,
                    new PageWaitForFunctionOptions { Timeout = 120_000, PollingInterval = 50 });
            }

            var cpu = ProcessMeter.CpuTime - cpuBefore;

            // Every arm must have carried the whole answer into the run, whichever way it was fed.
            var received = _app.Services.GetRequiredService<IDashboardState>().GetRun(runId)?.Text.ToString();
            if (received != text)
            {
                throw new InvalidOperationException($"{arm} {kilobytes} KB: the run holds {received?.Length ?? 0} of the answer's {text.Length} characters");
            }

            return new MarkdownArmResult(arm, kilobytes, deltas.Count, cpu, idlePerSecond, traffic.BytesReceived, traffic.FramesReceived, clock.Elapsed);
        }
        finally
        {
            // Leaving the page sends Blazor's disconnect beacon; a tab closed at once may lose it,
            // and its circuit then waits out the retention period before the next arm may start.
            await page.GotoAsync("about:blank");
            await page.CloseAsync();
            await _circuits.WaitForAsync(0, TimeSpan.FromSeconds(30));
        }
    }

    /// <returns>The CSS selector of the element that shows the answer; null when nothing shows it (feed only).</returns>
    private async Task<string?> OpenAsync(IPage page, MarkdownArm arm, string runId)
    {
        if (arm is MarkdownArm.Naive or MarkdownArm.ControlOnly or MarkdownArm.FeedOnly)
        {
            // Any page of the app gives a circuit; the not-found run page renders almost nothing else
            // and, with no run, never re-renders while the mounted component streams.
            await page.GotoAsync($"{_app.BaseUrl}/runs/no-such-run");
            await _circuits.WaitForAsync(1, TimeSpan.FromSeconds(60));
            if (arm == MarkdownArm.FeedOnly)
            {
                return null;
            }

            await page.WaitForFunctionAsync("() => window.Blazor && window.Blazor.rootComponents");
            await page.EvaluateAsync(
                """
                async ([name, runId]) => {
                  const host = document.createElement('div');
                  host.id = 'bench-host';
                  document.body.appendChild(host);
                  await Blazor.rootComponents.add(host, name, { runId });
                }
                """,
                new[] { arm == MarkdownArm.Naive ? NaiveRunMarkdown.JavaScriptName : ControlOnlyRunMarkdown.JavaScriptName, runId });
            return "#bench-host";
        }

        await page.GotoAsync($"{_app.BaseUrl}/runs/{runId}");
        await _circuits.WaitForAsync(1, TimeSpan.FromSeconds(60));
        await page.Locator("#run-output").WaitForAsync(new LocatorWaitForOptions { Timeout = 30_000 });
        return "#run-output";
    }

    public async ValueTask DisposeAsync()
    {
        await _context.CloseAsync();
        await _chromium.DisposeAsync();
        if (_upstream is not null)
        {
            await _upstream.DisposeAsync();
        }

        if (_ownsApp)
        {
            await _app.DisposeAsync();
        }
    }
}
