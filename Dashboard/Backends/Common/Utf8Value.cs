using System.Buffers;
using System.Text;
using System.Text.Json;

namespace Dashboard.Backends.Common;

/// <summary>
/// Where one JSON value lies in an item's UTF-8 bytes (default: absent). A dialect's reader notes
/// its fields in one forward pass, and the decoder makes strings only of the ones it uses, at the
/// point where a document read made them: so an item reads, and fails on a bad escape, exactly
/// as it did through a document, whatever the order of its fields.
/// </summary>
internal readonly record struct Utf8Value(int Start, int Length)
{
    public bool Exists => Length > 0;

    /// <summary>The whole item (its root value, with any white space around it).</summary>
    public static Utf8Value Whole(ReadOnlySpan<byte> utf8) => new(0, utf8.Length);

    /// <summary>Notes the value the reader is on and moves to its last token.</summary>
    public static Utf8Value At(ref Utf8JsonReader reader)
    {
        var start = checked((int)reader.TokenStartIndex);
        reader.Skip();
        return new Utf8Value(start, checked((int)reader.BytesConsumed) - start);
    }

    /// <summary>The string value, unescaped; null when absent.</summary>
    public string? Text(ReadOnlySpan<byte> utf8) => Exists ? Open(utf8).GetString() : null;

    /// <summary>
    /// The string value as the matching one of <paramref name="names"/> (nothing allocated), or
    /// as a new string when it is none of them; null when absent.
    /// </summary>
    public string? Text(ReadOnlySpan<byte> utf8, KnownNames names)
    {
        if (!Exists)
        {
            return null;
        }

        var reader = Open(utf8);
        return (reader.ValueIsEscaped ? null : names.Find(reader.ValueSpan)) ?? reader.GetString();
    }

    /// <summary>Whether the string value is <paramref name="literal"/> (false when absent).</summary>
    public bool Is(ReadOnlySpan<byte> utf8, string literal)
    {
        if (!Exists)
        {
            return false;
        }

        // An escaped value is unescaped into a string first, which fails where a document read fails.
        var reader = Open(utf8);
        return reader.ValueIsEscaped ? reader.GetString() == literal : reader.ValueTextEquals(literal);
    }

    /// <summary>Appends the string value (nothing when absent) without making a string of it.</summary>
    public void AppendTo(ReadOnlySpan<byte> utf8, StringBuilder text)
    {
        if (!Exists)
        {
            return;
        }

        var reader = Open(utf8);

        // UTF-16 never needs more chars than UTF-8 has bytes, and unescaping only shortens.
        var buffer = ArrayPool<char>.Shared.Rent(reader.ValueSpan.Length);
        try
        {
            text.Append(buffer, 0, reader.CopyString(buffer));
        }
        finally
        {
            ArrayPool<char>.Shared.Return(buffer);
        }
    }

    /// <summary>
    /// The upstream's words in an error value, as <see cref="UpstreamError.FromElement"/> finds
    /// them; null when absent. A string is read as is; anything else goes through a document of
    /// this value alone (a rare path: error values come at the end of a stream).
    /// </summary>
    public string? ErrorMessage(ReadOnlySpan<byte> utf8)
    {
        if (!Exists)
        {
            return null;
        }

        var reader = Open(utf8);
        if (reader.TokenType == JsonTokenType.String)
        {
            return reader.GetString();
        }

        using var document = JsonDocument.ParseValue(ref reader);
        return UpstreamError.FromElement(document.RootElement);
    }

    /// <summary>The value's JSON text as it was received.</summary>
    public string RawText(ReadOnlySpan<byte> utf8) => Encoding.UTF8.GetString(utf8.Slice(Start, Length));

    /// <summary>A reader on the value's first token.</summary>
    public Utf8JsonReader Open(ReadOnlySpan<byte> utf8)
    {
        var reader = new Utf8JsonReader(utf8.Slice(Start, Length));
        reader.Read();
        return reader;
    }
}
