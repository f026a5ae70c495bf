namespace Dashboard.Markdown;

/// <summary>
/// Keeps the cost of an unbounded open paragraph (a long answer with no blank line, or one huge
/// line) proportional to its unfinished end. Once the open block grows past a threshold, a prefix
/// that ends at a space or a soft line break is converted once and frozen, provided nothing in it
/// can pair with text after it (see MarkdownHtml.TryParagraphInner); the tail is then
/// that frozen HTML plus a conversion of the rest only. The HTML is the same, character for
/// character, as converting the whole paragraph: the split only happens where it provably is.
/// Only a plain paragraph splits: every one of its lines starts with a letter, so no line can
/// turn it into a heading, a table or a list; anything else is converted whole as before.
/// </summary>
internal sealed class OpenParagraph(MarkdownHtml html, int threshold)
{
    private readonly System.Text.StringBuilder _frozen = new();
    private int _blockStart = -1;
    private int _frozenEnd; // absolute index of the separator after the frozen prefix; == _blockStart when nothing is frozen
    private int _checkedUpTo; // lines before this index were checked to start with a letter
    private bool _plain;
    private int _nextAttempt;

    /// <summary>Conversions made to freeze prefixes (counted with the stream's).</summary>
    public long Conversions { get; private set; }

    public long ConvertedChars { get; private set; }

    /// <summary>
    /// The HTML of the open block <paramref name="text"/>[<paramref name="start"/>..], or null when
    /// the block is not a long plain paragraph (the caller converts it whole).
    /// </summary>
    public string? TryRender(ReadOnlySpan<char> text, int start)
    {
        if (start != _blockStart)
        {
            Begin(start);
        }

        if (!_plain || !StillPlain(text))
        {
            _plain = false;
            return null;
        }

        if (text.Length - _frozenEnd > threshold && text.Length >= _nextAttempt)
        {
            TryFreeze(text);
        }

        if (_frozen.Length == 0)
        {
            return null;
        }

        var rest = text[(_frozenEnd + 1)..];
        Conversions++;
        ConvertedChars += rest.Length;
        if (html.TryParagraphInner(rest.ToString(), requireClosed: false, out var inner))
        {
            return string.Concat("<p>", _frozen.ToString(), text[_frozenEnd].ToString(), inner, "</p>\n");
        }

        // The rest alone is not a plain paragraph (it cannot be, but never guess): convert whole.
        return null;
    }

    /// <summary>Forgets the block (a new text generation).</summary>
    public void Reset() => _blockStart = -1;

    private void Begin(int start)
    {
        _blockStart = start;
        _frozenEnd = start;
        _checkedUpTo = start;
        _frozen.Clear();
        _plain = true;
        _nextAttempt = 0;
    }

    /// <summary>Every line of the block, complete or not, starts with a letter; checks each new line once.</summary>
    private bool StillPlain(ReadOnlySpan<char> text)
    {
        var i = _checkedUpTo;
        while (i < text.Length)
        {
            if (!char.IsLetter(text[i]))
            {
                return false;
            }

            var newline = text[i..].IndexOf('\n');
            if (newline < 0)
            {
                _checkedUpTo = i;
                return !text[i..].Contains('|');
            }

            if (text.Slice(i, newline).Contains('|'))
            {
                return false;
            }

            i += newline + 1;
            _checkedUpTo = i;
        }

        return true;
    }

    private void TryFreeze(ReadOnlySpan<char> text)
    {
        // Retry only after another threshold of text, so a prefix that cannot split costs O(n) in total per threshold.
        _nextAttempt = text.Length + threshold;
        var chunkStart = _frozen.Length == 0 ? _blockStart : _frozenEnd + 1;
        // Leave a short live end so the split is not right at the growing edge.
        for (var p = text.Length - 2; p > chunkStart; p--)
        {
            if (!IsSplitPoint(text, p))
            {
                continue;
            }

            var chunk = text[chunkStart..p].ToString();
            Conversions++;
            ConvertedChars += chunk.Length;
            if (!html.TryParagraphInner(chunk, requireClosed: true, out var inner))
            {
                return;
            }

            if (_frozen.Length > 0)
            {
                _frozen.Append(text[_frozenEnd]);
            }

            _frozen.Append(inner);
            _frozenEnd = p;
            return;
        }
    }

    /// <summary>A single space or newline between two non-blank characters, the next one a letter, not after a backslash.</summary>
    private static bool IsSplitPoint(ReadOnlySpan<char> text, int p) =>
        text[p] is ' ' or '\n'
        && !char.IsWhiteSpace(text[p - 1]) && text[p - 1] != '\\'
        && char.IsLetter(text[p + 1]);
}
