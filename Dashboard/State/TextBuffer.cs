namespace Dashboard.State;

/// <summary>
/// A run's streamed text: appended by one writer (the hub, in ingest order), read by many without
/// locks. Readers see a prefix that only grows between <see cref="Generation"/> changes; a
/// <c>Replace</c> (snapshot dialects, codegen partial_output) that is not an extension starts a
/// new generation so incremental renderers know to start over. Bounded by a maximum length;
/// beyond it the text is cut and <see cref="Truncated"/> is set.
/// </summary>
/// <remarks>
/// An append writes into spare room of the current array and then publishes the new length, so
/// it allocates nothing unless the array must grow (geometrically). The length and generation
/// are published together as one value, after the array they refer to: a reader that sees a
/// length also sees an array holding that many chars of the same generation.
/// </remarks>
public sealed class TextBuffer(int maxChars)
{
    private sealed record Chunk(char[] Chars, int Generation);

    // Written before the state that refers to it.
    private volatile Chunk _chunk = new([], 0);

    // (generation << 32) | length, published after the chars and the chunk.
    private long _state;

    public int MaxChars { get; } = maxChars;

    public int Length => (int)Volatile.Read(ref _state);

    public int Generation => (int)(Volatile.Read(ref _state) >> 32);

    public bool Truncated { get; private set; }

    /// <summary>A consistent view: the generation and the text it had at one moment.</summary>
    public (int Generation, ReadOnlyMemory<char> Text) Read()
    {
        var spin = default(SpinWait);
        while (true)
        {
            var state = Volatile.Read(ref _state);
            var chunk = _chunk;
            var generation = (int)(state >> 32);
            // A chunk of another generation is a Replace in progress: read again.
            if (chunk.Generation == generation)
            {
                return (generation, chunk.Chars.AsMemory(0, (int)state));
            }

            spin.SpinOnce();
        }
    }

    public override string ToString() => new(Read().Text.Span);

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
        var c = _chunk;
        var length = Length;
        var room = MaxChars - length;
        if (text.Length > room)
        {
            Truncated = true;
            text = text[..Math.Max(0, room)];
        }

        if (text.IsEmpty)
        {
            return;
        }

        var needed = length + text.Length;
        if (needed > c.Chars.Length)
        {
            // Grow geometrically: amortized O(1) per char; old arrays stay valid for readers holding them.
            var grown = new char[Math.Min(MaxChars, Math.Max(needed, Math.Max(256, c.Chars.Length * 2)))];
            Array.Copy(c.Chars, grown, length);
            text.CopyTo(grown.AsSpan(length));
            _chunk = new Chunk(grown, c.Generation);
        }
        else
        {
            // Beyond the published length: no reader looks there yet.
            text.CopyTo(c.Chars.AsSpan(length));
        }

        Volatile.Write(ref _state, Pack(c.Generation, needed));
    }

    /// <summary>Replaces the whole text. An extension of the current text is applied as an append.</summary>
    public void Replace(ReadOnlySpan<char> text)
    {
        var c = _chunk;
        var length = Length;
        if (text.Length >= length && text[..length].SequenceEqual(c.Chars.AsSpan(0, length)))
        {
            Append(text[length..]);
            return;
        }

        Truncated = text.Length > MaxChars;
        var kept = text[..Math.Min(text.Length, MaxChars)];
        var chars = new char[Math.Max(256, kept.Length)];
        kept.CopyTo(chars);
        var generation = c.Generation + 1;
        _chunk = new Chunk(chars, generation);
        Volatile.Write(ref _state, Pack(generation, kept.Length));
    }

    private static long Pack(int generation, int length) => ((long)generation << 32) | (uint)length;
}
