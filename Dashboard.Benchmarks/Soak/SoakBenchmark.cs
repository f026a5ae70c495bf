using Dashboard.Testing;
using System.Diagnostics;
using Dashboard.Backends.Codegen;
using Dashboard.Benchmarks.Browser;
using Dashboard.Benchmarks.Infrastructure;
using Dashboard.Benchmarks.Ingest;
using Dashboard.Domain;
using Dashboard.Events;
using Dashboard.Ingest;
using Dashboard.Storage;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Microsoft.Playwright;

namespace Dashboard.Benchmarks.Soak;

/// <param name="StoreFileBytes">The history file with its write-ahead log; 0 with history off.</param>
/// <param name="DroppedEvents">Events the history store had dropped so far (its queue full); 0 with history off.</param>
public sealed record SoakSample(long Events, double Seconds, long WorkingSetBytes, long ManagedHeapBytes, long StoreFileBytes, long DroppedEvents = 0);

/// <param name="ReplayWindow">Dashboard:Storage:ReplayWindow; null runs with history off (memory provider).</param>
/// <param name="EventsPerSecond">The upstream's pace; 0 = as fast as the pipeline takes them.</param>
public sealed record SoakOptions(long Events, long Every, TimeSpan? ReplayWindow = null, int EventsPerSecond = 0);

/// <summary>What the store held at the end, read back through the app's replay log.</summary>
/// <param name="StoredEvents">Events read back from the oldest replayable one to the newest.</param>
/// <param name="Contiguous">Every sequence from the oldest to the newest was there, and no read reported a miss.</param>
/// <param name="OldestAt">When the oldest replayable event happened.</param>
/// <param name="WindowStart">
/// The end of the read-back minus the replay window: every event after it must be there. Retention
/// keeps running during a read-back of millions of events, so an event older than this may
/// legitimately be pruned between the start of the read and its end.
/// </param>
/// <param name="GapsInWindow">Missing sequences followed by an event at or after <see cref="WindowStart"/>.</param>
/// <param name="CaughtUpSeconds">From the stream's end until the store held the hub's last event.</param>
/// <param name="FirstStoredSequence">The oldest replayable event's sequence.</param>
/// <param name="FirstSoakSequence">The sequence of the soak's first event (its run's creation).</param>
/// <param name="DroppedEvents">Events the store dropped because its writer's queue was full (each kept as a gap).</param>
/// <param name="Writer">How the SQLite writer kept up (null for another store).</param>
public sealed record SoakStoreCheck(long StoredEvents, bool Contiguous, DateTimeOffset? OldestAt, DateTimeOffset WindowStart, double CaughtUpSeconds, long FileBytes, long FirstStoredSequence, long FirstSoakSequence, int GapsInWindow, bool ReachesNewest, long DroppedEvents, SqliteWriterStats? Writer)
{
    /// <summary>No gap inside the window, the newest event there, and reaching back past the window's start (or to the soak's first event, when the soak is shorter than the window).</summary>
    public bool WindowComplete => GapsInWindow == 0 && ReachesNewest && (OldestAt <= WindowStart || FirstStoredSequence <= FirstSoakSequence);
}

public sealed record SoakCounts(int Subscriptions, int Circuits);

public sealed record SoakResult(
    long Events,
    IReadOnlyList<SoakSample> Samples,
    TimeSpan Elapsed,
    SoakCounts BeforePage,
    SoakCounts WithPage,
    SoakCounts AfterStream,
    SoakCounts AfterPageClosed,
    string RunStageAtEnd,
    SoakStoreCheck? Store = null);

/// <summary>
/// Benchmark 5: one codegen stream of N events, paced or as fast as the pipeline takes them, through
/// the real app's ingest runner, codegen decoder, hub and projections, with the run's page open in
/// Chromium the whole time; optionally with the SQLite history store writing every event, a short
/// replay window and retention running. Memory (and the store's file) is sampled on the ingest
/// thread every <c>every</c> events.
/// </summary>
public static class SoakBenchmark
{
    private const string Backend = "bench-soak";
    private const int BlockEvents = 1000;
    private static readonly TimeSpan SubscriptionSettle = TimeSpan.FromSeconds(30);

    public static Task<SoakResult> RunAsync(long events, long every, Action<string>? log = null) =>
        RunAsync(new SoakOptions(events, every), log);

    public static async Task<SoakResult> RunAsync(SoakOptions options, Action<string>? log = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        // The store's folder goes once the app (disposed at the end of the soak) has closed its file.
        var folder = Directory.CreateTempSubdirectory("dashboard-soak-");
        try
        {
            return await SoakAsync(options, folder, log ?? (_ => { }));
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }

    private static async Task<SoakResult> SoakAsync(SoakOptions options, DirectoryInfo folder, Action<string> log)
    {
        var (events, every) = (options.Events, options.Every);
        await using var upstream = await LoopbackUpstream.StartAsync(app => app.MapGet("/codegen-live/{n:long}", (HttpContext context, long n) => WriteAsync(context, n, options.EventsPerSecond)));
        var storePath = Path.Combine(folder.FullName, "soak.db");
        Dictionary<string, string?> settings = options.ReplayWindow is { } window
            ? new()
            {
                ["Dashboard:Storage:Provider"] = "sqlite",
                ["Dashboard:Storage:Path"] = storePath,
                ["Dashboard:Storage:ReplayWindow"] = window.ToString("c", System.Globalization.CultureInfo.InvariantCulture),
            }
            : [];
        long FileBytes() => options.ReplayWindow is null ? 0 : new[] { storePath, storePath + "-wal" }.Where(File.Exists).Sum(f => new FileInfo(f).Length);

        await using var app = new TestApp(settings) { Demo = false, QuietLogs = true, ExtraServices = CircuitCounter.Register };
        _ = app.BaseUrl;
        var circuits = app.Services.GetRequiredService<CircuitCounter>();
        var hub = (EventHub)app.Services.GetRequiredService<IEventHub>();
        var history = app.Services.GetRequiredService<IHistoryStore>();
        SoakCounts Counts() => new(hub.SubscriberCount + hub.WatchCount, circuits.Open);

        var runId = "soak-" + Guid.NewGuid().ToString("N")[..8];
        var firstSoakSequence = hub.LastSequence + 1;
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
            var sample = new SoakSample(n, clock.Elapsed.TotalSeconds, ProcessMeter.WorkingSetBytes, GC.GetTotalMemory(forceFullCollection: false), FileBytes(), history.DroppedEvents);
            samples.Add(sample);
            log($"  {n:N0} events, {sample.Seconds:0} s, working set {ProcessMeter.Mb(sample.WorkingSetBytes)}, managed heap {ProcessMeter.Mb(sample.ManagedHeapBytes)}, store file {ProcessMeter.Mb(sample.StoreFileBytes)}, dropped by the store {sample.DroppedEvents:N0}"
                + (history is SqliteHistoryStore sqlite ? $"; writer: {sqlite.WriterStats.Describe()}" : ""));
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
        var store = options.ReplayWindow is { } replayWindow
            ? await CheckStoreAsync(app, hub, history, replayWindow, firstSoakSequence, FileBytes, log)
            : null;
        return new SoakResult(decoder.Items, samples, elapsed, beforePage, withPage, afterStream, afterClosed, hub.State.GetRun(runId)?.Stage ?? "(run gone)", store);
    }

    /// <summary>Waits until the store holds the hub's last event, then reads the whole replay log back.</summary>
    private static async Task<SoakStoreCheck> CheckStoreAsync(TestApp app, EventHub hub, IHistoryStore history, TimeSpan replayWindow, long firstSoakSequence, Func<long> fileBytes, Action<string> log)
    {
        var replay = app.Services.GetRequiredService<IEventReplay>();
        var catchUp = Stopwatch.StartNew();
        while (replay.LastSequence < hub.LastSequence && catchUp.Elapsed < TimeSpan.FromMinutes(5))
        {
            await Task.Delay(100);
        }

        var caughtUp = catchUp.Elapsed.TotalSeconds;
        log($"store caught up with the hub (sequence {hub.LastSequence:N0}) {caughtUp:0.0} s after the stream ended; reading the replay log back");
        long count = 0;
        var reachesNewest = replay.LastSequence >= hub.LastSequence;
        var contiguous = true;
        DateTimeOffset? oldest = null;
        var firstStored = replay.FirstSequence;
        var cursor = firstStored - 1;
        // Where a sequence is missing: the time of the event after the gap.
        var gapsBefore = new List<DateTimeOffset>();
        while (true)
        {
            var read = await replay.ReadAfterAsync(cursor, 10_000, CancellationToken.None);
            contiguous &= !read.Missed;
            if (read.Events.Count == 0)
            {
                break;
            }

            foreach (var item in read.Events)
            {
                if (item.Sequence != cursor + 1)
                {
                    contiguous = false;
                    gapsBefore.Add(item.Event.At);
                }

                oldest ??= item.Event.At;
                cursor = item.Sequence;
                count++;
            }
        }

        var windowStart = DateTimeOffset.UtcNow - replayWindow;
        var gapsInWindow = gapsBefore.Count(at => at >= windowStart);
        return new SoakStoreCheck(count, contiguous, oldest, windowStart, caughtUp, fileBytes(), firstStored, firstSoakSequence, gapsInWindow, reachesNewest, history.DroppedEvents, (history as SqliteHistoryStore)?.WriterStats);
    }

    private static async Task WriteAsync(HttpContext context, long n, int perSecond)
    {
        context.Response.ContentType = "text/event-stream";
        var start = Stopwatch.GetTimestamp();
        for (long first = 0; first < n; first += BlockEvents)
        {
            if (perSecond > 0)
            {
                var wait = Stopwatch.GetElapsedTime(Stopwatch.GetTimestamp(), start + (long)(first * (double)Stopwatch.Frequency / perSecond));
                if (wait > TimeSpan.Zero)
                {
                    await Task.Delay(wait, context.RequestAborted);
                }
            }

            var block = CodegenProgressStream.Block(first, (int)Math.Min(BlockEvents, n - first), n);
            await context.Response.Body.WriteAsync(block, context.RequestAborted);
        }
    }
}
