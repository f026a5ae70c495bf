using System.Text.Json;
using Dashboard.Backends.Common;
using Dashboard.Domain;

namespace Dashboard.Backends.OpenAiChat;

/// <summary>
/// The common Chat Completions chunk (text or thinking deltas, finish reason, usage) read in one
/// forward pass over the item's UTF-8 bytes, with the document path's tolerant rules: a missing,
/// null or differently typed field is absent. Anything less common (an error, tool-call pieces,
/// a repeated field, a root that is not an object, malformed JSON) is left to the document path,
/// so both paths decode every chunk the same way. The id, model and finish reason, which a stream
/// repeats on every chunk, come from the stream's <see cref="RecentStrings"/> when given.
/// </summary>
internal struct OpenAiChatChunk
{
    public string? Id;
    public string? Model;
    public bool HasChoice;
    public string? Thinking;
    public string? Content;
    public string? FinishReason;
    public Usage? Usage;

    public static bool TryRead(ReadOnlySpan<byte> utf8, out OpenAiChatChunk chunk, RecentStrings? recent = null)
    {
        chunk = default;
        try
        {
            var reader = new Utf8JsonReader(utf8);
            return reader.Read() && reader.TokenType == JsonTokenType.StartObject && chunk.ReadRoot(ref reader, recent) && !reader.Read();
        }
        catch (JsonException)
        {
            return false;
        }
    }

    private bool ReadRoot(ref Utf8JsonReader reader, RecentStrings? recent)
    {
        var seen = 0;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var bit = reader.ValueTextEquals("id"u8) ? 1
                : reader.ValueTextEquals("model"u8) ? 2
                : reader.ValueTextEquals("choices"u8) ? 4
                : reader.ValueTextEquals("usage"u8) ? 8
                : reader.ValueTextEquals("error"u8) ? 16
                : 0;
            if ((seen & bit) != 0)
            {
                return false;
            }

            seen |= bit;
            reader.Read();
            switch (bit)
            {
                case 1:
                    Id = String(ref reader, recent);
                    break;
                case 2:
                    Model = String(ref reader, recent);
                    break;
                case 4 when reader.TokenType == JsonTokenType.StartArray:
                    if (!ReadChoices(ref reader, recent))
                    {
                        return false;
                    }

                    break;
                case 8 when reader.TokenType == JsonTokenType.StartObject:
                    if (!ReadUsage(ref reader))
                    {
                        return false;
                    }

                    break;
                case 16 when reader.TokenType != JsonTokenType.Null:
                    return false;
                default:
                    reader.Skip();
                    break;
            }
        }

        return reader.TokenType == JsonTokenType.EndObject;
    }

    // The answer is the first element whose index is 0 or absent (a non-object element counts and decodes nothing).
    private bool ReadChoices(ref Utf8JsonReader reader, RecentStrings? recent)
    {
        var found = false;
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            if (found || reader.TokenType != JsonTokenType.StartObject)
            {
                found = true;
                reader.Skip();
                continue;
            }

            var choice = default(OpenAiChatChunk);
            int? index = null;
            var seen = 0;
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var bit = reader.ValueTextEquals("index"u8) ? 1
                    : reader.ValueTextEquals("delta"u8) ? 2
                    : reader.ValueTextEquals("finish_reason"u8) ? 4
                    : 0;
                if ((seen & bit) != 0)
                {
                    return false;
                }

                seen |= bit;
                reader.Read();
                switch (bit)
                {
                    case 1:
                        index = reader.TokenType == JsonTokenType.Number && reader.TryGetInt32(out var i) ? i : null;
                        break;
                    case 2 when reader.TokenType == JsonTokenType.StartObject:
                        if (!choice.ReadDelta(ref reader))
                        {
                            return false;
                        }

                        break;
                    case 4:
                        choice.FinishReason = String(ref reader, recent);
                        break;
                    default:
                        reader.Skip();
                        break;
                }
            }

            if ((index ?? 0) == 0)
            {
                found = true;
                HasChoice = true;
                Thinking = choice.Thinking;
                Content = choice.Content;
                FinishReason = choice.FinishReason;
            }
        }

        return true;
    }

    private bool ReadDelta(ref Utf8JsonReader reader)
    {
        var seen = 0;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var bit = reader.ValueTextEquals("content"u8) ? 1
                : reader.ValueTextEquals("reasoning_content"u8) ? 2
                : reader.ValueTextEquals("tool_calls"u8) ? 4
                : 0;
            if ((seen & bit) != 0)
            {
                return false;
            }

            seen |= bit;
            reader.Read();
            switch (bit)
            {
                case 1:
                    Content = String(ref reader);
                    break;
                case 2:
                    Thinking = String(ref reader);
                    break;
                case 4 when reader.TokenType == JsonTokenType.StartArray:
                    // Tool-call pieces go the document way; an empty list is nothing.
                    reader.Read();
                    if (reader.TokenType != JsonTokenType.EndArray)
                    {
                        return false;
                    }

                    break;
                default:
                    reader.Skip();
                    break;
            }
        }

        return true;
    }

    private bool ReadUsage(ref Utf8JsonReader reader)
    {
        int? prompt = null, completion = null, total = null;
        var seen = 0;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var which = reader.ValueTextEquals("prompt_tokens"u8) ? 1
                : reader.ValueTextEquals("completion_tokens"u8) ? 2
                : reader.ValueTextEquals("total_tokens"u8) ? 3
                : 0;
            var bit = which == 0 ? 0 : 1 << which;
            if ((seen & bit) != 0)
            {
                return false;
            }

            seen |= bit;
            reader.Read();
            int? value = reader.TokenType == JsonTokenType.Number && reader.TryGetInt32(out var n) ? n : null;
            reader.Skip();
            switch (which)
            {
                case 1:
                    prompt = value;
                    break;
                case 2:
                    completion = value;
                    break;
                case 3:
                    total = value;
                    break;
            }
        }

        Usage = new Usage(prompt, completion, total);
        return true;
    }

    private static string? String(ref Utf8JsonReader reader, RecentStrings? recent = null)
    {
        if (reader.TokenType == JsonTokenType.String)
        {
            return recent is null ? reader.GetString() : recent.Get(ref reader);
        }

        reader.Skip();
        return null;
    }
}
