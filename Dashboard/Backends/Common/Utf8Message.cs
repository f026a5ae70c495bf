using System.Globalization;
using System.Text.Json;

namespace Dashboard.Backends.Common;

/// <summary>
/// The named top-level fields of one item that must be a JSON object, noted in one forward pass
/// over its UTF-8 bytes and read with <see cref="JsonFields"/>' rules when used: a missing or null
/// field is null, a repeated one keeps its last value, and a wrong type is malformed data at the
/// moment the field is read (not before, so an item the decoder stops reading early is judged as
/// it was with a document). A root that is not an object throws once the whole item is checked,
/// with the document path's message.
/// </summary>
internal readonly ref struct Utf8Message
{
    private readonly ReadOnlySpan<byte> _utf8;
    private readonly KnownNames _names;
    private readonly ReadOnlySpan<Utf8Value> _values;

    /// <param name="utf8">The item's bytes.</param>
    /// <param name="names">The fields to note; any other field is skipped.</param>
    /// <param name="values">Room for one value per name (the caller's stack).</param>
    public Utf8Message(ReadOnlySpan<byte> utf8, KnownNames names, Span<Utf8Value> values)
    {
        var reader = new Utf8JsonReader(utf8);
        if (!reader.Read())
        {
            throw new JsonException("The item holds no JSON value.");
        }

        if (reader.TokenType != JsonTokenType.StartObject)
        {
            var kind = KindOf(reader.TokenType);
            reader.Skip();
            Utf8Fields.EndRoot(ref reader);
            throw new JsonException($"Expected a JSON object, got {kind}.");
        }

        values.Clear();
        while (Utf8Fields.NextProperty(ref reader))
        {
            var index = names.IndexOf(ref reader);
            if (index < 0)
            {
                Utf8Fields.Skip(ref reader);
            }
            else
            {
                values[index] = Utf8Fields.Value(ref reader);
            }
        }

        Utf8Fields.EndRoot(ref reader);
        _utf8 = utf8;
        _names = names;
        _values = values;
    }

    /// <summary>The field's value (any type), absent when missing or null.</summary>
    public Utf8Value Value(string name) => _values[_names.IndexOf(name)];

    public string? String(string name, KnownNames? known = null)
    {
        var value = Value(name);
        if (!value.Exists)
        {
            return null;
        }

        var reader = value.Open(_utf8);
        if (reader.TokenType != JsonTokenType.String)
        {
            throw new JsonException($"Field '{name}' is not a string.");
        }

        return known is null ? reader.GetString() : value.Text(_utf8, known);
    }

    public double? Number(string name)
    {
        var value = Value(name);
        if (!value.Exists)
        {
            return null;
        }

        var reader = value.Open(_utf8);
        return reader.TokenType == JsonTokenType.Number ? ReadDouble(ref reader) : throw new JsonException($"Field '{name}' is not a number.");
    }

    /// <summary>A scalar as display text (strings as is, numbers invariant, booleans lower-case, anything else its JSON).</summary>
    public string? Scalar(string name)
    {
        var value = Value(name);
        if (!value.Exists)
        {
            return null;
        }

        var reader = value.Open(_utf8);
        return reader.TokenType switch
        {
            JsonTokenType.String => reader.GetString(),
            JsonTokenType.Number => ReadDouble(ref reader).ToString(CultureInfo.InvariantCulture),
            JsonTokenType.True => "true",
            JsonTokenType.False => "false",
            _ => value.RawText(_utf8),
        };
    }

    /// <summary>An object of integer counts (tiers, types); missing is empty.</summary>
    public IReadOnlyDictionary<string, int> Counts(string name)
    {
        var result = new Dictionary<string, int>(StringComparer.Ordinal);
        var value = Value(name);
        if (!value.Exists)
        {
            return result;
        }

        var reader = value.Open(_utf8);
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            throw new JsonException($"Field '{name}' is not an object.");
        }

        while (Utf8Fields.NextProperty(ref reader))
        {
            var key = reader.GetString()!;
            reader.Read();
            result[key] = reader.TokenType == JsonTokenType.Number && reader.TryGetInt32(out var count)
                ? count
                : throw new JsonException($"Field '{name}.{key}' is not an integer.");
        }

        return result;
    }

    /// <summary>The number the reader is on; one out of a double's range fails as a document read fails.</summary>
    private static double ReadDouble(ref Utf8JsonReader reader)
    {
        if (reader.TryGetDouble(out var number))
        {
            return number;
        }

        using var document = JsonDocument.ParseValue(ref reader);
        return document.RootElement.GetDouble();
    }

    /// <summary>What <see cref="JsonElement.ValueKind"/> calls a root's first token.</summary>
    private static string KindOf(JsonTokenType token) => token switch
    {
        JsonTokenType.StartArray => nameof(JsonValueKind.Array),
        JsonTokenType.String => nameof(JsonValueKind.String),
        JsonTokenType.Number => nameof(JsonValueKind.Number),
        JsonTokenType.True => nameof(JsonValueKind.True),
        JsonTokenType.False => nameof(JsonValueKind.False),
        JsonTokenType.Null => nameof(JsonValueKind.Null),
        _ => nameof(JsonValueKind.Undefined),
    };
}
