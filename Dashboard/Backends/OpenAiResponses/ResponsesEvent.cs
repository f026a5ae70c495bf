using System.Text.Json;
using Dashboard.Backends.Common;
using Dashboard.Backends.Llm;

namespace Dashboard.Backends.OpenAiResponses;

/// <summary>
/// The fields of one Responses API event that the decoder uses, noted in one forward pass over
/// the item's UTF-8 bytes (strings stay in the bytes until the decoder uses them). A root that is
/// not an object has no fields; malformed JSON throws the reader's <see cref="JsonException"/>.
/// </summary>
internal struct ResponsesEvent
{
    public Utf8Value Type;
    public Utf8Value Delta;
    public Utf8Value ItemId;
    public ResponsesItem? Item;
    public ResponsesBody? Response;

    /// <summary>The <c>error</c> object of an error event.</summary>
    public ResponsesErrorWords? Error;

    /// <summary>An error event's <c>message</c> and <c>code</c> when they sit at the top.</summary>
    public ResponsesErrorWords Top;

    public static ResponsesEvent Read(ReadOnlySpan<byte> utf8)
    {
        var reader = new Utf8JsonReader(utf8);
        var e = default(ResponsesEvent);
        if (Utf8Fields.StartRoot(ref reader))
        {
            while (Utf8Fields.NextProperty(ref reader))
            {
                if (Utf8Fields.IsName(ref reader, "type"u8))
                {
                    e.Type = Utf8Fields.String(ref reader);
                }
                else if (Utf8Fields.IsName(ref reader, "delta"u8))
                {
                    e.Delta = Utf8Fields.String(ref reader);
                }
                else if (Utf8Fields.IsName(ref reader, "item_id"u8))
                {
                    e.ItemId = Utf8Fields.String(ref reader);
                }
                else if (Utf8Fields.IsName(ref reader, "item"u8))
                {
                    e.Item = Utf8Fields.Object(ref reader) ? ResponsesItem.Read(ref reader) : null;
                }
                else if (Utf8Fields.IsName(ref reader, "response"u8))
                {
                    e.Response = Utf8Fields.Object(ref reader) ? ResponsesBody.Read(ref reader) : null;
                }
                else if (Utf8Fields.IsName(ref reader, "error"u8))
                {
                    e.Error = Utf8Fields.Object(ref reader) ? ResponsesErrorWords.Read(ref reader) : null;
                }
                else if (Utf8Fields.IsName(ref reader, "message"u8))
                {
                    e.Top.Message = Utf8Fields.String(ref reader);
                }
                else if (Utf8Fields.IsName(ref reader, "code"u8))
                {
                    e.Top.Code = Utf8Fields.String(ref reader);
                }
                else
                {
                    Utf8Fields.Skip(ref reader);
                }
            }
        }

        Utf8Fields.EndRoot(ref reader);
        return e;
    }
}

/// <summary>An output <c>item</c> (a message, a function call, a built-in tool call).</summary>
internal struct ResponsesItem
{
    public Utf8Value Type;
    public Utf8Value Id;
    public Utf8Value Status;
    public Utf8Value CallId;
    public Utf8Value Name;
    public Utf8Value Arguments;

    /// <summary>Reads the object the reader is on (its start).</summary>
    public static ResponsesItem Read(ref Utf8JsonReader reader)
    {
        var item = default(ResponsesItem);
        while (Utf8Fields.NextProperty(ref reader))
        {
            if (Utf8Fields.IsName(ref reader, "type"u8))
            {
                item.Type = Utf8Fields.String(ref reader);
            }
            else if (Utf8Fields.IsName(ref reader, "id"u8))
            {
                item.Id = Utf8Fields.String(ref reader);
            }
            else if (Utf8Fields.IsName(ref reader, "status"u8))
            {
                item.Status = Utf8Fields.String(ref reader);
            }
            else if (Utf8Fields.IsName(ref reader, "call_id"u8))
            {
                item.CallId = Utf8Fields.String(ref reader);
            }
            else if (Utf8Fields.IsName(ref reader, "name"u8))
            {
                item.Name = Utf8Fields.String(ref reader);
            }
            else if (Utf8Fields.IsName(ref reader, "arguments"u8))
            {
                item.Arguments = Utf8Fields.String(ref reader);
            }
            else
            {
                Utf8Fields.Skip(ref reader);
            }
        }

        return item;
    }
}

/// <summary>The <c>response</c> of a lifecycle or end event.</summary>
internal struct ResponsesBody
{
    public Utf8Value Id;
    public Utf8Value Model;
    public Utf8Value Status;
    public TokenCounts? Usage;

    /// <summary>The <c>error</c> object of a failed response.</summary>
    public Utf8Value Error;

    /// <summary><c>incomplete_details.reason</c>.</summary>
    public Utf8Value IncompleteReason;

    /// <summary>Reads the object the reader is on (its start).</summary>
    public static ResponsesBody Read(ref Utf8JsonReader reader)
    {
        var body = default(ResponsesBody);
        while (Utf8Fields.NextProperty(ref reader))
        {
            if (Utf8Fields.IsName(ref reader, "id"u8))
            {
                body.Id = Utf8Fields.String(ref reader);
            }
            else if (Utf8Fields.IsName(ref reader, "model"u8))
            {
                body.Model = Utf8Fields.String(ref reader);
            }
            else if (Utf8Fields.IsName(ref reader, "status"u8))
            {
                body.Status = Utf8Fields.String(ref reader);
            }
            else if (Utf8Fields.IsName(ref reader, "usage"u8))
            {
                body.Usage = Utf8Fields.Object(ref reader) ? TokenCounts.Read(ref reader) : null;
            }
            else if (Utf8Fields.IsName(ref reader, "error"u8))
            {
                body.Error = Utf8Fields.ObjectValue(ref reader);
            }
            else if (Utf8Fields.IsName(ref reader, "incomplete_details"u8))
            {
                body.IncompleteReason = Utf8Fields.Object(ref reader) ? ReadReason(ref reader) : default;
            }
            else
            {
                Utf8Fields.Skip(ref reader);
            }
        }

        return body;
    }

    private static Utf8Value ReadReason(ref Utf8JsonReader reader)
    {
        var reason = default(Utf8Value);
        while (Utf8Fields.NextProperty(ref reader))
        {
            if (Utf8Fields.IsName(ref reader, "reason"u8))
            {
                reason = Utf8Fields.String(ref reader);
            }
            else
            {
                Utf8Fields.Skip(ref reader);
            }
        }

        return reason;
    }
}

/// <summary>An error's <c>message</c> and <c>code</c>.</summary>
internal struct ResponsesErrorWords
{
    public Utf8Value Message;
    public Utf8Value Code;

    /// <summary>Reads the object the reader is on (its start).</summary>
    public static ResponsesErrorWords Read(ref Utf8JsonReader reader)
    {
        var words = default(ResponsesErrorWords);
        while (Utf8Fields.NextProperty(ref reader))
        {
            if (Utf8Fields.IsName(ref reader, "message"u8))
            {
                words.Message = Utf8Fields.String(ref reader);
            }
            else if (Utf8Fields.IsName(ref reader, "code"u8))
            {
                words.Code = Utf8Fields.String(ref reader);
            }
            else
            {
                Utf8Fields.Skip(ref reader);
            }
        }

        return words;
    }
}
