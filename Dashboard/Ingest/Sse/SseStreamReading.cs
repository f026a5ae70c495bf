using System.Buffers;
using System.Runtime.CompilerServices;

namespace Dashboard.Ingest.Sse;

/// <summary>Reads a whole <see cref="Stream"/> through an <see cref="SseParser"/>.</summary>
public static class SseStreamReading
{
    private const int ReadBufferBytes = 16 * 1024;

    /// <summary>
    /// Feeds every byte of <paramref name="stream"/> to <paramref name="parser"/> (items reach its
    /// handler as they are parsed), then completes the connection at end of stream.
    /// </summary>
    public static async Task ParseAsync(this SseParser parser, Stream stream, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(parser);
        ArgumentNullException.ThrowIfNull(stream);
        var buffer = ArrayPool<byte>.Shared.Rent(ReadBufferBytes);
        try
        {
            int read;
            while ((read = await stream.ReadAsync(buffer.AsMemory(), cancellationToken).ConfigureAwait(false)) > 0)
            {
                parser.Feed(buffer.AsSpan(0, read));
            }

            parser.Complete();
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>The items of a whole stream, in order; oversized events are skipped silently.</summary>
    public static async IAsyncEnumerable<SseItem> ReadItemsAsync(
        Stream stream,
        SseParserLimits limits,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(stream);
        var collector = new Collector();
        using var parser = new SseParser(limits, collector);
        var buffer = ArrayPool<byte>.Shared.Rent(ReadBufferBytes);
        try
        {
            int read;
            while ((read = await stream.ReadAsync(buffer.AsMemory(), cancellationToken).ConfigureAwait(false)) > 0)
            {
                parser.Feed(buffer.AsSpan(0, read));
                foreach (var item in collector.Drain())
                {
                    yield return item;
                }
            }

            parser.Complete();
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private sealed class Collector : ISseParserHandler
    {
        private readonly List<SseItem> _items = [];

        public void OnItem(in SseItem item) => _items.Add(item);

        public void OnOversized(in SseOversized dropped)
        {
        }

        public SseItem[] Drain()
        {
            var items = _items.ToArray();
            _items.Clear();
            return items;
        }
    }
}
