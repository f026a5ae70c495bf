using Dashboard.Benchmarks.Ingest;
using Dashboard.Domain;
using Dashboard.Events;
using Dashboard.Ingest;
using Dashboard.Ingest.Monitoring;
using Dashboard.Ingest.Sse;
using Dashboard.Ingest.Streaming;
using Dashboard.LiveApi;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Xunit.Abstractions;

namespace Dashboard.Tests.Ingest;

/// <summary>
/// What ingest allocates per item on its own thread, for benchmark 1's two streams: the path of
/// arm B as the app composes it (parser, the runner's item handler with the inspector ring and
/// counters, decoder, redaction and budget boundaries, sequencing, replay log, projections, one
/// subscriber's queue), fed synchronously on the test's thread, against the bare parser (arm A)
/// fed the same bytes. Bytes, not time: the counter is the thread's own, so other tests running
/// meanwhile cannot move it. A bound is broken by a new object per item on the path (a record,
/// a closure, a boxed value, a string made again): GC pressure is what made arm B wait on
/// collections.
/// </summary>
public sealed class IngestAllocationTests(ITestOutputHelper output)
{
    private const string Backend = "alloc";
    private const int Items = 10_000;

    // Per item beyond the bare parser's (which makes the item's data string), as measured when
    // the bounds were set: chat 122 B (the token's string and its RunTextReceived, the text
    // buffer's geometric growth), codegen 187 B (the RunStageReported and its timeline entry, the
    // replay set's growth; the stream repeats its stage names and messages). The bounds leave
    // room for the run's one-off events, not for another object per item.
    [Theory]
    [InlineData(IngestWorkload.OpenAiChatTokens, 160)]
    [InlineData(IngestWorkload.Codegen, 240)]
    public void Full_path_allocates_a_bounded_few_bytes_per_item_beyond_the_bare_parser(IngestWorkload workload, int budget)
    {
        var stream = workload == IngestWorkload.Codegen ? CodegenProgressStream.Build(Items) : ChatDeltaStream.Build(Items);
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 11, 28, 5, 0, 0, TimeSpan.Zero));
        using var services = new ServiceCollection()
            .AddSingleton<TimeProvider>(clock)
            .AddLogging()
            .AddSingleton<IEventRecorder>(new InMemoryEventReplay(new LiveApiOptions().ReplayMaxEvents, new LiveApiOptions().ReplayMaxBytes))
            .AddEventHub()
            .AddIngest()
            .BuildServiceProvider();
        var hub = services.GetRequiredService<EventHub>();
        var monitor = services.GetRequiredService<BackendMonitors>().Register(Backend, workload.ToString(), isDemo: false);
        // Never read: a full queue drops its oldest without allocating, as a slow page's does.
        using var subscription = hub.Subscribe(capacity: 64);

        // The first pass warms up (JIT, the queues' and rings' arrays); the second is measured.
        BareParser(stream);
        var parser = BareParser(stream);
        FullPath(stream, hub, monitor, workload, clock, "run-1");
        var full = FullPath(stream, hub, monitor, workload, clock, "run-2");

        var extra = full - parser;
        output.WriteLine($"{workload}: bare parser {parser:0} B per item, full path {full:0} B per item, {extra:0} B beyond the parser (budget {budget} B)");
        Assert.True(
            extra <= budget,
            $"{workload}: the full ingest path allocated {extra:0} B per item beyond the bare parser's {parser:0} B (budget {budget} B): something on the path now allocates per item");
        Assert.Equal(Items * 2, monitor.Health.EventsReceived);
        Assert.Equal(0, monitor.Health.DecodeErrors);
    }

    private static double BareParser(byte[] stream)
    {
        var handler = new CountingHandler();
        using var parser = new SseParser(SseParserLimits.Default, handler);
        var before = GC.GetAllocatedBytesForCurrentThread();
        Feed(parser, stream);
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.Equal(Items, handler.Items);
        return (double)allocated / Items;
    }

    private static double FullPath(byte[] stream, EventHub hub, BackendMonitor monitor, IngestWorkload workload, TimeProvider clock, string runId)
    {
        hub.Publish(new RunCreated { Backend = Backend, At = clock.GetUtcNow(), RunId = runId, Prompt = "allocations" });
        var handler = new StreamItemHandler(monitor, new SseStreamSpec
        {
            Backend = Backend,
            HttpClientName = "none",
            CreateRequest = (_, _) => throw new InvalidOperationException("fed directly"),
            Decoder = workload.NewDecoder(),
            Context = new DecodeContext(Backend, runId, hub, clock),
        });
        using var parser = new SseParser(SseParserLimits.Default, handler);
        var before = GC.GetAllocatedBytesForCurrentThread();
        Feed(parser, stream);
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.True(handler.Terminal, "the stream's terminal item was decoded");
        Assert.NotNull(hub.State.GetRun(runId));
        return (double)allocated / Items;
    }

    // In the runner's read size, so items straddle reads as they do from a socket.
    private static void Feed(SseParser parser, byte[] stream)
    {
        const int read = 16 * 1024;
        for (var offset = 0; offset < stream.Length; offset += read)
        {
            parser.Feed(stream.AsSpan(offset, Math.Min(read, stream.Length - offset)));
        }
    }

    private sealed class CountingHandler : ISseParserHandler
    {
        public int Items { get; private set; }

        public bool UsesItemsWithinCall => true;

        public void OnItem(in SseItem item) => Items++;

        public void OnOversized(in SseOversized dropped) =>
            throw new InvalidOperationException($"the stream has no oversized item ({dropped.Reason})");
    }
}
