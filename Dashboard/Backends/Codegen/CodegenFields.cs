using System.Text.Json;
using Dashboard.Backends.Common;

namespace Dashboard.Backends.Codegen;

/// <summary>
/// The fields of one progress event, read in a single forward pass over the item's UTF-8 bytes
/// (no document, no re-encoding); strings are made only for what is kept or shown. Field rules
/// are the document path's (JsonFields): a missing or null field is null, a repeated field keeps
/// its last value, and a wrong type is malformed data when the field is read (not before, so an
/// event the decoder stops reading early is judged as it was with a document). The type, stage,
/// status and message, which a stream repeats from event to event, come from the stream's
/// <see cref="RecentStrings"/> when given; the partial output is always read anew.
/// </summary>
internal struct CodegenFields
{
    private string? _type;
    private string? _stage;
    private string? _status;
    private string? _message;
    private string? _partialOutput;
    private double? _progress;
    private double? _timestamp;
    private string? _wrongType; // "|name|" for each field of the wrong type

    public readonly string? Type => Checked(_type, "type");

    public readonly string? Stage => Checked(_stage, "stage");

    public readonly string? Status => Checked(_status, "status");

    public readonly string? Message => Checked(_message, "message");

    public readonly string? PartialOutput => Checked(_partialOutput, "partial_output");

    public readonly double? Progress => Checked(_progress, "progress");

    public readonly double? Timestamp => Checked(_timestamp, "timestamp");

    /// <summary>An <c>error</c> field that is not null: the caller reads it from a document (rare path).</summary>
    public bool HasError;

    public static CodegenFields Read(ReadOnlySpan<byte> utf8, RecentStrings? recent = null)
    {
        var reader = new Utf8JsonReader(utf8);
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
        {
            throw new JsonException($"Expected a JSON object, got {Kind(reader.TokenType)}.");
        }

        var fields = default(CodegenFields);
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("stage"u8))
            {
                fields._stage = fields.String(ref reader, "stage", recent);
            }
            else if (reader.ValueTextEquals("status"u8))
            {
                fields._status = fields.String(ref reader, "status", recent);
            }
            else if (reader.ValueTextEquals("message"u8))
            {
                fields._message = fields.String(ref reader, "message", recent);
            }
            else if (reader.ValueTextEquals("partial_output"u8))
            {
                fields._partialOutput = fields.String(ref reader, "partial_output");
            }
            else if (reader.ValueTextEquals("progress"u8))
            {
                fields._progress = fields.Number(ref reader, "progress");
            }
            else if (reader.ValueTextEquals("timestamp"u8))
            {
                fields._timestamp = fields.Number(ref reader, "timestamp");
            }
            else if (reader.ValueTextEquals("type"u8))
            {
                fields._type = fields.String(ref reader, "type", recent);
            }
            else if (reader.ValueTextEquals("error"u8))
            {
                reader.Read();
                fields.HasError = reader.TokenType != JsonTokenType.Null;
                reader.Skip();
            }
            else
            {
                reader.Read();
                reader.Skip();
            }
        }

        // Whatever follows the object must be whitespace only (as a document parse requires).
        if (reader.TokenType != JsonTokenType.EndObject || reader.Read())
        {
            throw new JsonException("Malformed JSON object.");
        }

        return fields;
    }

    private string? String(ref Utf8JsonReader reader, string name, RecentStrings? recent = null)
    {
        reader.Read();
        Forget(name);
        switch (reader.TokenType)
        {
            case JsonTokenType.Null:
                return null;
            case JsonTokenType.String:
                return recent is null ? reader.GetString() : recent.Get(ref reader);
            default:
                reader.Skip();
                _wrongType += $"|{name}|";
                return null;
        }
    }

    private double? Number(ref Utf8JsonReader reader, string name)
    {
        reader.Read();
        Forget(name);
        switch (reader.TokenType)
        {
            case JsonTokenType.Null:
                return null;
            case JsonTokenType.Number:
                return reader.GetDouble();
            default:
                reader.Skip();
                _wrongType += $"|{name}|";
                return null;
        }
    }

    // A repeated field keeps its last value, including its last type.
    private void Forget(string name)
    {
        if (_wrongType is not null)
        {
            _wrongType = _wrongType.Replace($"|{name}|", "", StringComparison.Ordinal);
        }
    }

    private readonly T Checked<T>(T value, string name)
    {
        if (_wrongType is not null && _wrongType.Contains($"|{name}|", StringComparison.Ordinal))
        {
            throw new JsonException(name is "progress" or "timestamp" ? $"Field '{name}' is not a number." : $"Field '{name}' is not a string.");
        }

        return value;
    }

    private static string Kind(JsonTokenType token) => token switch
    {
        JsonTokenType.StartArray => "Array",
        JsonTokenType.String => "String",
        JsonTokenType.Number => "Number",
        JsonTokenType.True => "True",
        JsonTokenType.False => "False",
        JsonTokenType.Null => "Null",
        _ => "Undefined",
    };
}
