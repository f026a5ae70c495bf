using Dashboard.Ingest;
using Dashboard.Ingest.Sse;

namespace Dashboard.Tests.Ingest;

/// <summary>Records what a parser produced, and parses whole inputs in chosen chunkings.</summary>
internal sealed class RecordingSseHandler : ISseParserHandler
{
    public List<SseItem> Items { get; } = [];

    public List<SseOversized> Oversized { get; } = [];

    public void OnItem(in SseItem item) => Items.Add(item);

    public void OnOversized(in SseOversized dropped) => Oversized.Add(dropped);

    public static (RecordingSseHandler Handler, SseParser Parser) Parse(byte[] input, IEnumerable<int> cuts, SseParserLimits? limits = null)
    {
        var handler = new RecordingSseHandler();
        var parser = new SseParser(limits ?? SseParserLimits.Default, handler);
        var start = 0;
        foreach (var cut in cuts)
        {
            parser.Feed(input.AsSpan(start, cut - start));
            start = cut;
        }

        parser.Feed(input.AsSpan(start));
        parser.Complete();
        return (handler, parser);
    }

    public static (RecordingSseHandler Handler, SseParser Parser) Parse(byte[] input, SseParserLimits? limits = null) =>
        Parse(input, [], limits);
}
