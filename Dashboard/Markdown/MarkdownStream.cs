namespace Dashboard.Markdown;

/// <summary>One rendered block. <see cref="Key"/> is stable for the block's life (the open tail keeps its key when it finishes).</summary>
public sealed record MarkdownBlock(string Key, string Html);

/// <summary>
/// Incremental Markdown for a growing text (one per view of a <see cref="State.TextBuffer"/>).
/// Finished blocks are converted once and cached; each update re-converts only the open tail, so
/// a chunk costs about the size of the tail, not of the whole answer; a long open paragraph is
/// split so the tail costs about its unfinished end (<see cref="OpenParagraph"/>). A new text
/// generation (or a text that is not an extension) starts over.
/// </summary>
public sealed class MarkdownStream
{
    /// <summary>An open paragraph longer than this (characters) has its settled prefix frozen.</summary>
    public const int DefaultSplitThreshold = 2_048;

    private readonly MarkdownHtml _html;
    private readonly OpenParagraph _paragraph;
    private readonly List<MarkdownBlock> _finished = [];
    private long _conversions;
    private long _convertedChars;
    private MarkdownBlockScanner _scanner = new();
    private int _generation = -1;
    private int _length = -1;

    public IReadOnlyList<MarkdownBlock> Finished => _finished;

    /// <summary>The open block, null when the text after the last finished block is blank.</summary>
    public MarkdownBlock? Tail { get; private set; }

    public MarkdownStream(MarkdownHtml html, int splitThreshold = DefaultSplitThreshold)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(splitThreshold, 1);
        _html = html;
        _paragraph = new OpenParagraph(html, splitThreshold);
    }

    public int Generation => _generation;

    /// <summary>How many times Markdown was converted (finished blocks count once): the cost the design bounds.</summary>
    public long Conversions => _conversions + _paragraph.Conversions;

    /// <summary>Total Markdown characters converted: stays O(n) for an n-char answer streamed in chunks.</summary>
    public long ConvertedChars => _convertedChars + _paragraph.ConvertedChars;

    /// <returns>True when the blocks changed.</returns>
    public bool Update(int generation, ReadOnlyMemory<char> text)
    {
        if (generation != _generation || text.Length < _length)
        {
            _generation = generation;
            _scanner = new MarkdownBlockScanner();
            _finished.Clear();
            _paragraph.Reset();
            Tail = null;
            _length = -1;
        }

        if (text.Length == _length)
        {
            return false;
        }

        _scanner.Scan(text.Span, (start, length) =>
            _finished.Add(new MarkdownBlock(Key(_finished.Count), Convert(text.Slice(start, length)))));

        var openStart = _scanner.OpenBlockStart;
        var tail = text[openStart..];
        Tail = tail.Span.IsWhiteSpace()
            ? null
            : new MarkdownBlock(Key(_finished.Count), _paragraph.TryRender(text.Span, openStart) ?? Convert(tail));
        _length = text.Length;
        return true;
    }

    private string Key(int index) => $"{_generation}:{index}";

    private string Convert(ReadOnlyMemory<char> markdown)
    {
        _conversions++;
        _convertedChars += markdown.Length;
        return _html.ToHtml(markdown.ToString());
    }
}
