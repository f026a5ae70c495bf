using Dashboard.Testing;
using System.Diagnostics;
using Dashboard.Backends.Codegen;
using Dashboard.Benchmarks.Browser;
using Dashboard.Benchmarks.Infrastructure;
using Dashboard.Benchmarks.Ingest;
using Dashboard.Domain;
using Dashboard.Events;
using Dashboard.Ingest;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Microsoft.Playwright;

namespace Dashboard.Benchmarks.Soak;

public sealed record SoakSample(long Events, double Seconds, long WorkingSetBytes, long ManagedHeapBytes);

public sealed record SoakCounts(int Subscriptions, int Circuits);

public sealed record SoakResult(
    long Events,
    IReadOnlyList<SoakSample> Samples,
    TimeSpan Elapsed,
    SoakCounts BeforePage,
    SoakCounts WithPage,
    SoakCounts AfterStream,
    SoakCounts AfterPageClosed,
    string RunStageAtEnd);

/// <summary>
/// Benchmark 5: one codegen stream of N events, as fast as the pipeline takes them, through the
/// real app's ingest runner, codegen decoder, hub and projections, with the run's page open in
/// Chromium the whole time. Memory is sampled on the ingest thread every <c>every</c> events.
/// </summary>
public static class SoakBenchmark
{
    private const string Backend = "bench-soak";
    private const int BlockEvents = 1000;
    private static readonly TimeSpan SubscriptionSettle = TimeSpan.FromSeconds(30);

    public static async Task<SoakResult> RunAsync(long events, long every, Action<string>? log = null)
    {
        log ??= _ => { };
        await using var upstream = await LoopbackUpstream.StartAsync(app => app.MapGet("/codegen-live/{n:long}", WriteAsync));
        // A circuit whose page went without Blazor's disconnect beacon is kept for the retention period
        // (3 minutes by default) in case the reader comes back; a short one keeps the release measurable.
        await using var app = new TestApp
        {
            Demo = false,
            QuietLogs = true,
            ExtraServices = services =>
            {
                CircuitCounter.Register(services);
                services.Configure<Microsoft.AspNetCore.Components.Server.CircuitOptions>(o => o.DisconnectedCircuitRetentionPeriod = TimeSpan.FromSeconds(5));
            },
        };
        _ = app.BaseUrl;
        var circuits = app.Services.GetRequiredService<CircuitCounter>();
        var hub = (EventHub)app.Services.GetRequiredService<IEventHub>();
        SoakCounts Counts() => new(hub.SubscriberCount + hub.WatchCount, circuits.Open);

        var runId = "soak-" + Guid.NewGuid().ToString("N")[..8];
        hub.Publish(new RunCreated { Backend = Backend, At = DateTimeOffset.UtcNow, RunId = runId, Prompt = "soak" });
        var beforePage = Counts();

        await using var chromium = await Chromium.LaunchAsync();
        var context = await chromium.SignedInContextAsync(app);
        var page = await context.NewPageAsync();
        await page.GotoAsync($"{app.BaseUrl}/runs/{runId}");
        await circuits.WaitForAsync(1, TimeSpan.FromSeconds(60));
        await page.Locator("#run-output").WaitForAsync(new LocatorWaitForOptions { Timeout = 30_000 });
        var withPage = Counts();

        var samples = new List<SoakSample>();
        var clock = Stopwatch.StartNew();
        var decoder = new SamplingDecoder(new CodegenDecoder(), every, n =>
        {
            var sample = new SoakSample(n, clock.Elapsed.TotalSeconds, ProcessMeter.WorkingSetBytes, GC.GetTotalMemory(forceFullCollection: false));
            samples.Add(sample);
            log($"  {n:N0} events, {sample.Seconds:0} s, working set {ProcessMeter.Mb(sample.WorkingSetBytes)}, managed heap {ProcessMeter.Mb(sample.ManagedHeapBytes)}");
        });
        var uri = new Uri(upstream.Root, $"codegen-live/{events}");
        var outcome = await app.Services.GetRequiredService<ISseStreamRunner>().RunAsync(
            new SseStreamSpec
            {
                Backend = Backend,
                HttpClientName = Options.DefaultName,
                CreateRequest = (_, _) => Task.FromResult(new HttpRequestMessage(HttpMethod.Get, uri)),
                Decoder = decoder,
                Context = new DecodeContext(Backend, runId, hub, TimeProvider.System),
                MaxAttempts = 1,
            },
            CancellationToken.None);
        var elapsed = clock.Elapsed;
        if (outcome.End != StreamEnd.Terminal)
        {
            throw new InvalidOperationException($"the soak stream ended as {outcome.End} after {decoder.Items:N0} events: {outcome.Error}");
        }

        await page.WaitForFunctionAsync($"() => document.body.textContent.includes('{CodegenProgressStream.TerminalStage}')", null, new PageWaitForFunctionOptions { Timeout = 60_000 });
        var afterStream = Counts();
        // Leave the page as a reader does (its unload sends Blazor's disconnect), then close the tab:
        // a tab torn down at once may lose that beacon, and the circuit then waits out its retention period.
        await page.GotoAsync("about:blank");
        await page.CloseAsync();
        await circuits.WaitForAsync(0, TimeSpan.FromSeconds(60));

        // The circuit's components are disposed around the moment it closes: give their
        // subscriptions a bounded time to go, and report what is left after it.
        var settle = Stopwatch.StartNew();
        while (hub.SubscriberCount + hub.WatchCount > beforePage.Subscriptions && settle.Elapsed < SubscriptionSettle)
        {
            await Task.Delay(50);
        }

        var afterClosed = Counts();
        return new SoakResult(decoder.Items, samples, elapsed, beforePage, withPage, afterStream, afterClosed, hub.State.GetRun(runId)?.Stage ?? "(run gone)");
    }

    private static async Task WriteAsync(HttpContext context, long n)
    {
        context.Response.ContentType = "text/event-stream";
        for (long first = 0; first < n; first += BlockEvents)
        {
            var block = CodegenProgressStream.Block(first, (int)Math.Min(BlockEvents, n - first), n);
            await context.Response.Body.WriteAsync(block, context.RequestAborted);
        }
    }
}
