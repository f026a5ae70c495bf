using System.Buffers;
using Dashboard.Benchmarks.Infrastructure;
using Dashboard.Domain;
using Dashboard.Events;
using Dashboard.Ingest;
using Dashboard.Ingest.Sse;
using Dashboard.State;
using Microsoft.Extensions.DependencyInjection;

namespace Dashboard.Benchmarks.Ingest;

/// <summary>
/// Benchmark 1's arms over one loopback upstream: the transport alone, the bare parser (the limit)
/// and the full path — the product's own ingest runner (parser, inspector ring and health counters,
/// decoder) feeding the hub (sequencing, projections, fan-out) with one subscriber reading every
/// notification. The services are registered the way the app registers them and live as long as
/// this object, as in the app.
/// </summary>
public sealed class IngestArms : IAsyncDisposable
{
    private const string Backend = "bench-codegen";

    private readonly CodegenUpstream _upstream;
    private readonly ServiceProvider _services;
    private readonly HttpClient _http;
    private readonly EventHub _hub;
    private readonly ISseStreamRunner _runner;
    private readonly DrainingSubscriber _subscriber;
    private int _runs;

    private IngestArms(CodegenUpstream upstream, IEventJournal? journal = null)
    {
        _upstream = upstream;
        var services = new ServiceCollection()
            .AddLogging()
            .AddEventHub()
            .AddIngest();
        if (journal is not null)
        {
            // The history store on: the hub takes its sequence from it and records every event in it.
            services.AddSingleton(journal);
        }

        _services = services.BuildServiceProvider();
        _http = _services.GetRequiredService<IHttpClientFactory>().CreateClient(HttpClientName);
        _hub = _services.GetRequiredService<EventHub>();
        _runner = _services.GetRequiredService<ISseStreamRunner>();
        _subscriber = new DrainingSubscriber(_hub.Subscribe());
    }

    private const string HttpClientName = "bench";

    public static async Task<IngestArms> StartAsync() => new(await CodegenUpstream.StartAsync());

    /// <summary>The same arms with a history store journaling every event (<c>history</c> benchmark).</summary>
    public static async Task<IngestArms> StartAsync(IEventJournal journal) => new(await CodegenUpstream.StartAsync(), journal);

    /// <summary>Bytes of the stream of <paramref name="events"/> events.</summary>
    public long StreamBytes(int events, IngestWorkload workload = IngestWorkload.Codegen) => _upstream.StreamBytes(workload, events);

    /// <summary>Reference: the socket read into a buffer and thrown away. Returns the bytes read.</summary>
    public async Task<long> TransportAsync(int events, IngestWorkload workload = IngestWorkload.Codegen)
    {
        using var response = await GetAsync(events, workload);
        await using var body = await response.Content.ReadAsStreamAsync();
        var buffer = ArrayPool<byte>.Shared.Rent(16 * 1024);
        try
        {
            long total = 0;
            int read;
            while ((read = await body.ReadAsync(buffer.AsMemory())) > 0)
            {
                total += read;
            }

            return total;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>Arm A (the limit): the product's parser on the socket, each item's fields touched. Returns the items.</summary>
    public async Task<long> BareParserAsync(int events, IngestWorkload workload = IngestWorkload.Codegen)
    {
        using var response = await GetAsync(events, workload);
        await using var body = await response.Content.ReadAsStreamAsync();
        var touch = new TouchingHandler();
        using var parser = new SseParser(SseParserLimits.Default, touch);
        await parser.ParseAsync(body, CancellationToken.None);
        return touch.Items;
    }

    /// <summary>Breakdown: parser and decoder only, decoded events counted and dropped. Returns the events decoded.</summary>
    public async Task<long> DecodeOnlyAsync(int events, IStreamDecoder decoder, IngestWorkload workload = IngestWorkload.Codegen)
    {
        var sink = new CountingSink();
        await ParseIntoAsync(events, decoder, new DecodeContext(Backend, "not-published", sink, TimeProvider.System), workload);
        return sink.Count;
    }

    /// <summary>Breakdown: parser, decoder, hub, projections and the subscriber, without the runner's bookkeeping.</summary>
    public async Task<RunView> DecodeToHubAsync(int events, IStreamDecoder decoder, IngestWorkload workload = IngestWorkload.Codegen)
    {
        var runId = NewRun();
        await ParseIntoAsync(events, decoder, new DecodeContext(Backend, runId, _hub, TimeProvider.System), workload);
        return await SettledRunAsync(runId);
    }

    /// <summary>
    /// Arm B: the same socket through the runner, the dialect's decoder, the hub and one subscriber
    /// that has read every notification before this returns. Returns the run as the projections show it.
    /// </summary>
    public async Task<RunView> FullPathAsync(int events, IStreamDecoder decoder, IngestWorkload workload = IngestWorkload.Codegen)
    {
        var runId = NewRun();
        var uri = _upstream.StreamUri(workload, events);
        var outcome = await _runner.RunAsync(
            new SseStreamSpec
            {
                Backend = Backend,
                HttpClientName = HttpClientName,
                CreateRequest = (_, _) => Task.FromResult(new HttpRequestMessage(HttpMethod.Get, uri)),
                Decoder = decoder,
                Context = new DecodeContext(Backend, runId, _hub, TimeProvider.System),
            },
            CancellationToken.None);
        if (outcome.End != StreamEnd.Terminal)
        {
            throw new InvalidOperationException($"the stream ended as {outcome.End}: {outcome.Error}");
        }

        return await SettledRunAsync(runId);
    }

    private string NewRun()
    {
        var runId = $"run-{Interlocked.Increment(ref _runs)}";
        _hub.Publish(new RunCreated { Backend = Backend, At = DateTimeOffset.UtcNow, RunId = runId, Prompt = "ingest throughput" });
        return runId;
    }

    private async Task<RunView> SettledRunAsync(string runId)
    {
        await _subscriber.WaitForAsync(_hub.LastSequence).WaitAsync(TimeSpan.FromSeconds(60));
        return _hub.State.GetRun(runId) ?? throw new InvalidOperationException($"run {runId} vanished from the projections");
    }

    private async Task ParseIntoAsync(int events, IStreamDecoder decoder, DecodeContext context, IngestWorkload workload)
    {
        using var response = await GetAsync(events, workload);
        await using var body = await response.Content.ReadAsStreamAsync();
        using var parser = new SseParser(SseParserLimits.Default, new DecodingHandler(decoder, context));
        await parser.ParseAsync(body, CancellationToken.None);
    }

    /// <summary>Notifications the subscriber lost to its bounded queue (the projection still has them).</summary>
    public long SubscriberDropped => _subscriber.Subscription.Dropped;

    private async Task<HttpResponseMessage> GetAsync(int events, IngestWorkload workload)
    {
        var response = await _http.GetAsync(_upstream.StreamUri(workload, events), HttpCompletionOption.ResponseHeadersRead);
        response.EnsureSuccessStatusCode();
        return response;
    }

    public async ValueTask DisposeAsync()
    {
        _subscriber.Subscription.Dispose();
        await _subscriber.Completion;
        _http.Dispose();
        await _services.DisposeAsync();
        await _upstream.DisposeAsync();
    }

    private sealed class TouchingHandler : ISseParserHandler
    {
        public long Items { get; private set; }

        // Read every field, so the arm pays for what a consumer of the item would touch.
        public long Chars { get; private set; }

        public void OnItem(in SseItem item)
        {
            Items++;
            Chars += item.Data.Length + item.EventType.Length + item.LastEventId.Length;
        }

        public void OnOversized(in SseOversized dropped) =>
            throw new InvalidOperationException($"the benchmark stream has no oversized event ({dropped.Reason})");
    }

    private sealed class DecodingHandler(IStreamDecoder decoder, DecodeContext context) : ISseParserHandler
    {
        public void OnItem(in SseItem item) => decoder.Decode(item, context);

        public bool UsesItemsWithinCall => true;

        public void OnOversized(in SseOversized dropped) =>
            throw new InvalidOperationException($"the benchmark stream has no oversized event ({dropped.Reason})");
    }

    private sealed class CountingSink : IDomainEventSink
    {
        public long Count { get; private set; }

        public long Publish(DashboardEvent e) => ++Count;
    }
}
