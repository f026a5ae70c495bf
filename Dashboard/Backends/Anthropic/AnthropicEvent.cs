using System.Text.Json;
using Dashboard.Backends.Common;
using Dashboard.Backends.Llm;

namespace Dashboard.Backends.Anthropic;

/// <summary>
/// The fields of one Messages API event that the decoder uses, noted in one forward pass over the
/// item's UTF-8 bytes (strings stay in the bytes until the decoder uses them). A root that is not
/// an object has no fields; malformed JSON throws the reader's <see cref="JsonException"/>.
/// </summary>
internal struct AnthropicEvent
{
    public Utf8Value Type;
    public int? Index;
    public AnthropicBlock? Delta;
    public AnthropicBlock? ContentBlock;
    public AnthropicMessage? Message;
    public TokenCounts? Usage;

    /// <summary>The <c>error</c> object, read only if the event is an error.</summary>
    public Utf8Value Error;

    public static AnthropicEvent Read(ReadOnlySpan<byte> utf8)
    {
        var reader = new Utf8JsonReader(utf8);
        var e = default(AnthropicEvent);
        if (Utf8Fields.StartRoot(ref reader))
        {
            while (Utf8Fields.NextProperty(ref reader))
            {
                if (Utf8Fields.IsName(ref reader, "type"u8))
                {
                    e.Type = Utf8Fields.String(ref reader);
                }
                else if (Utf8Fields.IsName(ref reader, "index"u8))
                {
                    e.Index = Utf8Fields.Int(ref reader);
                }
                else if (Utf8Fields.IsName(ref reader, "delta"u8))
                {
                    e.Delta = Utf8Fields.Object(ref reader) ? AnthropicBlock.Read(ref reader) : null;
                }
                else if (Utf8Fields.IsName(ref reader, "content_block"u8))
                {
                    e.ContentBlock = Utf8Fields.Object(ref reader) ? AnthropicBlock.Read(ref reader) : null;
                }
                else if (Utf8Fields.IsName(ref reader, "message"u8))
                {
                    e.Message = Utf8Fields.Object(ref reader) ? AnthropicMessage.Read(ref reader) : null;
                }
                else if (Utf8Fields.IsName(ref reader, "usage"u8))
                {
                    e.Usage = Utf8Fields.Object(ref reader) ? TokenCounts.Read(ref reader) : null;
                }
                else if (Utf8Fields.IsName(ref reader, "error"u8))
                {
                    e.Error = Utf8Fields.ObjectValue(ref reader);
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

/// <summary>A <c>content_block</c> or a <c>delta</c>: the two share their field names.</summary>
internal struct AnthropicBlock
{
    public Utf8Value Type;
    public Utf8Value Text;
    public Utf8Value Thinking;
    public Utf8Value PartialJson;
    public Utf8Value Id;
    public Utf8Value Name;
    public Utf8Value StopReason;

    /// <summary>Reads the object the reader is on (its start).</summary>
    public static AnthropicBlock Read(ref Utf8JsonReader reader)
    {
        var block = default(AnthropicBlock);
        while (Utf8Fields.NextProperty(ref reader))
        {
            if (Utf8Fields.IsName(ref reader, "type"u8))
            {
                block.Type = Utf8Fields.String(ref reader);
            }
            else if (Utf8Fields.IsName(ref reader, "text"u8))
            {
                block.Text = Utf8Fields.String(ref reader);
            }
            else if (Utf8Fields.IsName(ref reader, "thinking"u8))
            {
                block.Thinking = Utf8Fields.String(ref reader);
            }
            else if (Utf8Fields.IsName(ref reader, "partial_json"u8))
            {
                block.PartialJson = Utf8Fields.String(ref reader);
            }
            else if (Utf8Fields.IsName(ref reader, "id"u8))
            {
                block.Id = Utf8Fields.String(ref reader);
            }
            else if (Utf8Fields.IsName(ref reader, "name"u8))
            {
                block.Name = Utf8Fields.String(ref reader);
            }
            else if (Utf8Fields.IsName(ref reader, "stop_reason"u8))
            {
                block.StopReason = Utf8Fields.String(ref reader);
            }
            else
            {
                Utf8Fields.Skip(ref reader);
            }
        }

        return block;
    }
}

/// <summary>The <c>message</c> of <c>message_start</c>.</summary>
internal struct AnthropicMessage
{
    public Utf8Value Id;
    public Utf8Value Model;
    public TokenCounts? Usage;

    /// <summary>Reads the object the reader is on (its start).</summary>
    public static AnthropicMessage Read(ref Utf8JsonReader reader)
    {
        var message = default(AnthropicMessage);
        while (Utf8Fields.NextProperty(ref reader))
        {
            if (Utf8Fields.IsName(ref reader, "id"u8))
            {
                message.Id = Utf8Fields.String(ref reader);
            }
            else if (Utf8Fields.IsName(ref reader, "model"u8))
            {
                message.Model = Utf8Fields.String(ref reader);
            }
            else if (Utf8Fields.IsName(ref reader, "usage"u8))
            {
                message.Usage = Utf8Fields.Object(ref reader) ? TokenCounts.Read(ref reader) : null;
            }
            else
            {
                Utf8Fields.Skip(ref reader);
            }
        }

        return message;
    }
}
