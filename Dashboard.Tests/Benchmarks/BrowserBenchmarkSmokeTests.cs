using Dashboard.Testing;
using Dashboard.Benchmarks.Browser;
using Dashboard.Benchmarks.Markdown;
using Dashboard.Benchmarks.Soak;
using Dashboard.Tests.Browser;

namespace Dashboard.Tests.Benchmarks;

/// <summary>
/// The browser benchmarks run end to end on tiny sizes (real app, real Chromium, real circuits) and
/// account for everything they stream. Timing is never asserted. They share the browser
/// collection so they never run beside the other browser tests on the 2-core CI machine. The
/// latency, Markdown and page-cost harnesses borrow one app (started once, its first requests'
/// costs paid once); each test leaves no circuit open. The soak brings its own (its settings).
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed class BrowserBenchmarkSmokeTests(BrowserBenchmarkSmokeTests.SharedApp shared) : IClassFixture<BrowserBenchmarkSmokeTests.SharedApp>
{
    /// <summary>One app for the harnesses that can borrow one: every one of them counts circuits, the Markdown one also needs its components.</summary>
    public sealed class SharedApp : IDisposable
    {
        public TestApp App { get; } = StreamingMarkdownBenchmark.CreateApp();

        public void Dispose() => App.Dispose();
    }

    [Fact]
    public async Task Latency_sees_every_marker_on_the_dashboard_and_on_the_floor_page()
    {
        var r = await BrowserLatency.RunAsync(new BrowserLatencyOptions(Pages: 1, EventsPerSecond: 40, Duration: TimeSpan.FromSeconds(0.5), WithFloor: true), app: shared.App);

        Assert.Equal(20, r.Expected);
        Assert.Equal([20], r.SeenPerPage);
        Assert.Equal(20, r.FloorSeen);
        Assert.Equal(20, r.Dashboard.Count);
    }

    [Fact]
    public async Task Browser_fan_out_delivers_the_stream_to_every_page()
    {
        var r = await BrowserLatency.RunAsync(new BrowserLatencyOptions(Pages: 2, EventsPerSecond: 40, Duration: TimeSpan.FromSeconds(0.5), WithFloor: false), app: shared.App);

        Assert.Equal([20, 20], r.SeenPerPage);
        Assert.Null(r.Floor);
    }

    [Fact]
    public async Task Streaming_markdown_arms_show_the_whole_answer_and_count_the_circuit_bytes()
    {
        // The remote feed (the benchmark's default): a separate upstream process streams every
        // delta through the app's ingest. Each arm also checks that the run holds the whole answer
        // (it throws otherwise). A short settle: nothing here reads the idle rate it measures.
        await using var bench = await StreamingMarkdownBenchmark.StartAsync(remoteFeed: true, settleTime: TimeSpan.FromMilliseconds(50), app: shared.App);
        var deltas = MarkdownCorpus.Deltas(MarkdownCorpus.Build(1)).Count;
        foreach (var arm in Enum.GetValues<MarkdownArm>())
        {
            var r = await bench.RunAsync(arm, kilobytes: 1, deltasPerSecond: 2000);

            Assert.Equal(arm, r.Arm);
            Assert.Equal(arm == MarkdownArm.Limit ? 1 : deltas, r.Deltas);
            if (arm != MarkdownArm.FeedOnly)
            {
                // Each of these arms waited until the answer's end was in its page's DOM.
                Assert.True(r.BytesToBrowser > 0, $"{arm}: no /_blazor bytes counted");
                Assert.True(r.Frames > 0, $"{arm}: no /_blazor frames counted");
            }
        }
    }

    [Fact]
    public async Task The_in_process_feed_streams_the_whole_answer_to_the_run_page()
    {
        // The other feed: a pacing thread of this process publishes the deltas into the hub. The
        // arms differ only in the page, which the test above covers one by one; the app's run page
        // (Ours) shows this feed reaches the run (checked by the arm) and the page.
        await using var bench = await StreamingMarkdownBenchmark.StartAsync(remoteFeed: false, settleTime: TimeSpan.FromMilliseconds(50), app: shared.App);
        var r = await bench.RunAsync(MarkdownArm.Ours, kilobytes: 1, deltasPerSecond: 2000);

        Assert.Equal(MarkdownCorpus.Deltas(MarkdownCorpus.Build(1)).Count, r.Deltas);
        Assert.True(r.BytesToBrowser > 0 && r.Frames > 0, $"{r.Frames} /_blazor frames, {r.BytesToBrowser} bytes counted");
    }

    [Fact]
    public async Task Soak_streams_every_event_samples_memory_and_releases_the_circuit()
    {
        var r = await SoakBenchmark.RunAsync(events: 3000, every: 1000);

        Assert.Equal(3000, r.Events);
        Assert.Equal([1000L, 2000L, 3000L], r.Samples.Select(s => s.Events));
        Assert.Equal(1, r.WithPage.Circuits);
        Assert.Equal(r.BeforePage, r.AfterPageClosed);
        Assert.Equal("iteration_complete", r.RunStageAtEnd);
        Assert.Null(r.Store);
    }

    [Fact]
    public async Task Soak_with_history_paces_the_stream_and_reads_every_event_back_from_the_store()
    {
        var r = await SoakBenchmark.RunAsync(new SoakOptions(Events: 3000, Every: 1000, ReplayWindow: TimeSpan.FromMinutes(5), EventsPerSecond: 6000));

        Assert.Equal(3000, r.Events);
        Assert.Equal("iteration_complete", r.RunStageAtEnd);
        Assert.All(r.Samples, s => Assert.True(s.StoreFileBytes > 0));
        var store = Assert.IsType<SoakStoreCheck>(r.Store);
        // Every codegen event (and the run's creation) was sequenced and stored, none missing.
        Assert.True(store.StoredEvents >= 3001, $"{store.StoredEvents} events in the store");
        Assert.True(store.Contiguous);
        Assert.True(store.WindowComplete);
    }

    [Fact]
    public async Task Page_cost_counts_what_each_page_type_receives_while_a_remote_stream_is_ingested()
    {
        // A short settle: nothing here reads a rate.
        await using var bench = await PageCost.StartAsync(settleTime: TimeSpan.FromMilliseconds(100), app: shared.App);

        // It also checks the run holds the whole answer (it throws otherwise).
        var r = await bench.RunAsync("types", [PageCost.Overview, PageCost.RunsPage, PageCost.OtherRun, PageCost.Watching], kilobytes: 2, deltasPerSecond: 2000);

        Assert.Equal([PageCost.Overview, PageCost.RunsPage, PageCost.OtherRun, PageCost.Watching], r.Pages.Select(p => p.Page));
        var watching = r.Pages.Single(p => p.Page == PageCost.Watching);
        Assert.True(watching.Frames > 0 && watching.Bytes > 0, $"the watching page received {watching.Frames} frames");
        Assert.True(r.ServerCpu > TimeSpan.Zero);
    }
}
