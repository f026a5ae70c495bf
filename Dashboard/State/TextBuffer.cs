namespace Dashboard.State;

/// <summary>
/// A run's streamed text: appended by one writer (the hub, in ingest order), read by many without
/// locks. Readers see a prefix that only grows between <see cref="Generation"/> changes; a
/// <c>Replace</c> (snapshot dialects, codegen partial_output) that is not an extension starts a
/// new generation so incremental renderers know to start over. Bounded by a maximum length;
/// beyond it the text is cut and <see cref="Truncated"/> is set.
/// </summary>
public sealed class TextBuffer(int maxChars)
{
    private sealed record Chunk(char[] Chars, int Length, int Generation);

    private volatile Chunk _current = new([], 0, 0);

    public int MaxChars { get; } = maxChars;

    public int Length => _current.Length;

    public int Generation => _current.Generation;

    public bool Truncated { get; private set; }

    /// <summary>A consistent view: the generation and the text it had at one moment.</summary>
    public (int Generation, ReadOnlyMemory<char> Text) Read()
    {
        var c = _current;
        return (c.Generation, c.Chars.AsMemory(0, c.Length));
    }

    public override string ToString()
    {
        var c = _current;
        return new string(c.Chars, 0, c.Length);
    }

    /// <summary>A finished run's text as the history store kept it, with its truncation mark.</summary>
    public static TextBuffer Restored(string text, bool truncated)
    {
        ArgumentNullException.ThrowIfNull(text);
        var buffer = new TextBuffer(text.Length);
        buffer.Append(text);
        buffer.Truncated = truncated;
        return buffer;
    }

    /// <summary>Single writer only (the hub applies events under its lock).</summary>
    public void Append(ReadOnlySpan<char> text)
    {
        var c = _current;
        var room = MaxChars - c.Length;
        if (text.Length > room)
        {
            Truncated = true;
            text = text[..Math.Max(0, room)];
        }

        if (text.IsEmpty)
        {
            return;
        }

        var needed = c.Length + text.Length;
        var chars = c.Chars;
        if (needed > chars.Length)
        {
            // Grow geometrically: amortized O(1) per char; old arrays stay valid for readers holding them.
            var grown = new char[Math.Min(MaxChars, Math.Max(needed, Math.Max(256, chars.Length * 2)))];
            Array.Copy(chars, grown, c.Length);
            chars = grown;
        }

        text.CopyTo(chars.AsSpan(c.Length));
        _current = new Chunk(chars, needed, c.Generation);
    }

    /// <summary>Replaces the whole text. An extension of the current text is applied as an append.</summary>
    public void Replace(ReadOnlySpan<char> text)
    {
        var c = _current;
        if (text.Length >= c.Length && text[..c.Length].SequenceEqual(c.Chars.AsSpan(0, c.Length)))
        {
            Append(text[c.Length..]);
            return;
        }

        Truncated = text.Length > MaxChars;
        var kept = text[..Math.Min(text.Length, MaxChars)];
        var chars = new char[Math.Max(256, kept.Length)];
        kept.CopyTo(chars);
        _current = new Chunk(chars, kept.Length, c.Generation + 1);
    }
}
