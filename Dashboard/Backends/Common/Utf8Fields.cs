using System.Text.Json;

namespace Dashboard.Backends.Common;

/// <summary>
/// Reads for a dialect's forward pass over one item, with the LLM dialects' tolerant rules: a
/// missing, null or differently typed field is absent, and a repeated field keeps its last value
/// (readers assign on every occurrence, absent included). A field read
/// starts on the property name and leaves the reader on the last token of its value; unread
/// values are skipped whole, so the reader still checks that the item is well-formed JSON and
/// throws the same <see cref="JsonException"/> a document parse threw.
/// </summary>
internal static class Utf8Fields
{
    /// <summary>Reads the root: true on an object (read its properties next); any other value is skipped and has no fields.</summary>
    public static bool StartRoot(ref Utf8JsonReader reader)
    {
        if (!reader.Read())
        {
            throw new JsonException("The item holds no JSON value.");
        }

        if (reader.TokenType == JsonTokenType.StartObject)
        {
            return true;
        }

        reader.Skip();
        return false;
    }

    /// <summary>After the root value only white space may follow (the reader throws on anything else).</summary>
    public static void EndRoot(ref Utf8JsonReader reader)
    {
        if (reader.Read())
        {
            throw new JsonException("The item holds more than one JSON value.");
        }
    }

    /// <summary>
    /// Whether the property name the reader is on is <paramref name="name"/>, escaped or not. A name
    /// whose escapes are not valid UTF-16 (a lone surrogate) is no field's name and is skipped like
    /// any unknown one (a document lookup failed the whole item on it, or not, depending on the
    /// lengths and order of the names around it).
    /// </summary>
    public static bool IsName(ref Utf8JsonReader reader, ReadOnlySpan<byte> name)
    {
        if (!reader.ValueIsEscaped)
        {
            return reader.ValueSpan.SequenceEqual(name);
        }

        try
        {
            return reader.ValueTextEquals(name);
        }
        catch (InvalidOperationException)
        {
            return false;
        }
    }

    /// <summary>Moves to the next property of the object being read; false at its end.</summary>
    public static bool NextProperty(ref Utf8JsonReader reader) => reader.Read() && reader.TokenType == JsonTokenType.PropertyName;

    /// <summary>Moves to the next element of the array being read; false at its end.</summary>
    public static bool NextElement(ref Utf8JsonReader reader) => reader.Read() && reader.TokenType != JsonTokenType.EndArray;

    /// <summary>The property's value if it is a string, else absent.</summary>
    public static Utf8Value String(ref Utf8JsonReader reader)
    {
        reader.Read();
        if (reader.TokenType == JsonTokenType.String)
        {
            return Utf8Value.At(ref reader);
        }

        reader.Skip();
        return default;
    }

    /// <summary>The property's value if it is a number that fits an <see cref="int"/>, else null.</summary>
    public static int? Int(ref Utf8JsonReader reader)
    {
        reader.Read();
        int? value = reader.TokenType == JsonTokenType.Number && reader.TryGetInt32(out var number) ? number : null;
        reader.Skip();
        return value;
    }

    /// <summary>True when the property's value is an object (the reader is on its start: read its properties next); anything else is skipped.</summary>
    public static bool Object(ref Utf8JsonReader reader) => Starts(ref reader, JsonTokenType.StartObject);

    /// <summary>True when the property's value is an array (the reader is on its start: read its elements next); anything else is skipped.</summary>
    public static bool Array(ref Utf8JsonReader reader) => Starts(ref reader, JsonTokenType.StartArray);

    /// <summary>The property's value if it is an object, else absent.</summary>
    public static Utf8Value ObjectValue(ref Utf8JsonReader reader) => Object(ref reader) ? Utf8Value.At(ref reader) : default;

    /// <summary>The property's value whatever its type; absent when null.</summary>
    public static Utf8Value Value(ref Utf8JsonReader reader)
    {
        reader.Read();
        if (reader.TokenType == JsonTokenType.Null)
        {
            return default;
        }

        return Utf8Value.At(ref reader);
    }

    /// <summary>The number of elements of the array being read (each skipped whole).</summary>
    public static int Count(ref Utf8JsonReader reader)
    {
        var count = 0;
        while (NextElement(ref reader))
        {
            count++;
            reader.Skip();
        }

        return count;
    }

    /// <summary>Skips a property's value, nested objects and arrays included.</summary>
    public static void Skip(ref Utf8JsonReader reader)
    {
        reader.Read();
        reader.Skip();
    }

    private static bool Starts(ref Utf8JsonReader reader, JsonTokenType start)
    {
        reader.Read();
        if (reader.TokenType == start)
        {
            return true;
        }

        reader.Skip();
        return false;
    }
}
