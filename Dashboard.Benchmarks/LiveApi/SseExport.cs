using System.Diagnostics;
using System.Globalization;
using Dashboard.Domain;
using Dashboard.Ingest;
using Dashboard.Ingest.Sse;
using Dashboard.LiveApi;

namespace Dashboard.Benchmarks.LiveApi;

/// <param name="Events">run.text deltas published (in runs of <paramref name="EventsPerRun"/>, each with its run.created and run.ended).</param>
public sealed record SseExportOptions(int Events, int EventsPerRun = 1000, int Repeat = 3);

/// <summary>One arm's pass over the whole exported stream.</summary>
public sealed record SseArmPass(long Bytes, long Items, TimeSpan Elapsed)
{
    public double BytesPerSecond => Bytes / Elapsed.TotalSeconds;

    public double ItemsPerSecond => Items / Elapsed.TotalSeconds;
}

public sealed record SseExportResult(long ExpectedItems, IReadOnlyList<SseArmPass> ParserOnSocket, IReadOnlyList<SseArmPass> RawOnSocket, IReadOnlyList<SseArmPass> ParserInMemory);

/// <summary>
/// SSE export throughput: the real app's GET /api/events replaying a known backlog from a cursor
/// over loopback, read three ways — the product's ingest SSE parser on the socket (what the
/// <c>sse</c> kind does reading another dashboard), a bare read of the same socket (the export
/// alone), and the parser on the same bytes from memory (the parser alone, the limit).
/// </summary>
public static class SseExport
{
    private const string Backend = "bench-sse";

    public static async Task<SseExportResult> RunAsync(SseExportOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        var runs = (options.Events + options.EventsPerRun - 1) / options.EventsPerRun;
        await using var app = LiveBenchApp.Start(replayMaxEvents: options.Events + (2 * runs) + 1000);
        var sink = app.Sink;
        sink.Publish(new RunCreated { Backend = Backend, At = DateTimeOffset.UtcNow, RunId = "anchor", Prompt = "cursor" });
        var cursor = app.Replay.LastSequence;

        long published = 0;
        for (var r = 0; r < runs; r++)
        {
            var runId = "sse-" + r.ToString(CultureInfo.InvariantCulture);
            sink.Publish(new RunCreated { Backend = Backend, At = DateTimeOffset.UtcNow, RunId = runId, Prompt = "export throughput" });
            for (var i = 0; i < options.EventsPerRun && published < options.Events; i++, published++)
            {
                sink.Publish(new RunTextReceived
                {
                    Backend = Backend,
                    At = DateTimeOffset.UtcNow,
                    RunId = runId,
                    Text = $"streamed output chunk {published:D7}: a few words of code\n",
                });
            }

            sink.Publish(new RunEnded { Backend = Backend, At = DateTimeOffset.UtcNow, RunId = runId, Status = RunStatus.Completed });
        }

        var expectedItems = published + (2L * runs);
        var url = $"api/events?backend={Backend}&from={cursor.ToString(CultureInfo.InvariantCulture)}";
        using var http = app.Http();
        var parserOnSocket = new List<SseArmPass>();
        var rawOnSocket = new List<SseArmPass>();
        var parserInMemory = new List<SseArmPass>();
        byte[] captured = [];
        for (var pass = 0; pass < options.Repeat; pass++)
        {
            var parsed = await ParseSocketAsync(http, url, runs, cancellationToken);
            parserOnSocket.Add(parsed);
            (var raw, captured) = await ReadSocketAsync(http, url, parsed.Bytes, cancellationToken);
            rawOnSocket.Add(raw);
            parserInMemory.Add(ParseMemory(captured));
        }

        return new SseExportResult(expectedItems, parserOnSocket, rawOnSocket, parserInMemory);
    }

    private static async Task<SseArmPass> ParseSocketAsync(HttpClient http, string url, int runs, CancellationToken cancellationToken)
    {
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var started = Stopwatch.GetTimestamp();
        using var response = await http.GetAsync(url, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
        response.EnsureSuccessStatusCode();
        await using var body = new CountingStream(await response.Content.ReadAsStreamAsync(cancellationToken));
        // The stream never ends by itself (live events follow): stop at the last run's end.
        var handler = new CountingHandler(runs, stop.Cancel);
        using var parser = new SseParser(SseParserLimits.Default, handler);
        try
        {
            await parser.ParseAsync(body, stop.Token);
        }
        catch (OperationCanceledException) when (handler.Finished && !cancellationToken.IsCancellationRequested)
        {
        }

        if (!handler.Finished)
        {
            throw new InvalidOperationException($"the export ended after {handler.Items} items, before the last run ended");
        }

        return new SseArmPass(body.Bytes, handler.Items, Stopwatch.GetElapsedTime(started));
    }

    /// <summary>The same stream read into memory and not parsed, up to the bytes the parser arm saw.</summary>
    private static async Task<(SseArmPass Pass, byte[] Bytes)> ReadSocketAsync(HttpClient http, string url, long bytes, CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        using var response = await http.GetAsync(url, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
        response.EnsureSuccessStatusCode();
        await using var body = await response.Content.ReadAsStreamAsync(cancellationToken);
        var all = new byte[bytes];
        var total = 0;
        while (total < bytes)
        {
            var read = await body.ReadAsync(all.AsMemory(total), cancellationToken);
            if (read == 0)
            {
                throw new InvalidOperationException($"the export ended after {total} of {bytes} bytes");
            }

            total += read;
        }

        return (new SseArmPass(total, 0, Stopwatch.GetElapsedTime(started)), all);
    }

    private static SseArmPass ParseMemory(byte[] bytes)
    {
        var started = Stopwatch.GetTimestamp();
        var handler = new CountingHandler(int.MaxValue, () => { });
        using var parser = new SseParser(SseParserLimits.Default, handler);
        parser.Feed(bytes);
        parser.Complete();
        return new SseArmPass(bytes.Length, handler.Items, Stopwatch.GetElapsedTime(started));
    }

    private sealed class CountingHandler(int runs, Action finished) : ISseParserHandler
    {
        private int _ended;

        public long Items { get; private set; }

        // Every field read, so the arm pays what a consumer of the item would.
        public long Chars { get; private set; }

        public bool Finished => _ended >= runs;

        public bool UsesItemsWithinCall => true;

        public void OnItem(in SseItem item)
        {
            Items++;
            Chars += item.Data.Length + item.EventType.Length + item.LastEventId.Length;
            if (item.EventType == LiveEventTypes.RunEnded && ++_ended == runs)
            {
                finished();
            }
        }

        public void OnOversized(in SseOversized dropped) =>
            throw new InvalidOperationException($"a live event exceeded the ingest parser's default limits ({dropped.Reason})");
    }

    private sealed class CountingStream(Stream inner) : Stream
    {
        public long Bytes { get; private set; }

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => Bytes; set => throw new NotSupportedException(); }

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            var read = await inner.ReadAsync(buffer, cancellationToken);
            Bytes += read;
            return read;
        }

        public override int Read(byte[] buffer, int offset, int count)
        {
            var read = inner.Read(buffer, offset, count);
            Bytes += read;
            return read;
        }

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                inner.Dispose();
            }

            base.Dispose(disposing);
        }
    }
}
