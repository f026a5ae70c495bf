using System.Text;
using System.Text.Json;
using Dashboard.Backends.Anthropic;
using Dashboard.Backends.Forge;
using Dashboard.Backends.Llm;
using Dashboard.Backends.OpenAiResponses;
using Dashboard.Domain;
using Dashboard.Ingest;

namespace Dashboard.Benchmarks.Ingest;

/// <summary>
/// One answer of N items in each dialect's real shape (the shared fixtures' fields, one token per
/// text event), as the SSE parser hands them to a decoder: with the received UTF-8 bytes. Forge
/// sends the whole response so far each time, so its items grow with the answer.
/// </summary>
public static class DialectStreams
{
    private static readonly string[] Tokens = ["The", " answer", " is", " a", " list", ":", "\n\n", "-", " one", " `code`", " and", " **bold**", "."];

    public static SseItem[] Build(LlmDialect dialect, int items)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(items, 8);
        var events = dialect switch
        {
            LlmDialect.Anthropic => Anthropic(items),
            LlmDialect.OpenAiResponses => Responses(items),
            LlmDialect.Forge => Forge(items),
            _ => throw new ArgumentOutOfRangeException(nameof(dialect)),
        };
        return [.. events.Select(e => new SseItem(e.Type, e.Data, "") { Utf8Data = Encoding.UTF8.GetBytes(e.Data) })];
    }

    public static LlmDecoder Decoder(LlmDialect dialect) => dialect switch
    {
        LlmDialect.Anthropic => new AnthropicDecoder(),
        LlmDialect.OpenAiResponses => new OpenAiResponsesDecoder(),
        _ => new ForgeDecoder(),
    };

    /// <summary>The same dialect's decoder as it was, one JsonDocument per item.</summary>
    public static LlmDecoder DocumentDecoder(LlmDialect dialect) => dialect switch
    {
        LlmDialect.Anthropic => new DocumentAnthropicDecoder(),
        LlmDialect.OpenAiResponses => new DocumentOpenAiResponsesDecoder(),
        _ => new DocumentForgeDecoder(),
    };

    /// <summary>Decodes the whole answer; returns the number of events published.</summary>
    public static int Decode(LlmDecoder decoder, SseItem[] items)
    {
        var sink = new CountingSink();
        var context = new DecodeContext("bench", "run-1", sink, TimeProvider.System);
        foreach (var item in items)
        {
            decoder.Decode(item, context);
        }

        return decoder.IsTerminal ? sink.Count : -1;
    }

    private static string Token(int i) => JsonSerializer.Serialize(Tokens[i % Tokens.Length]);

    private static IEnumerable<(string Type, string Data)> Anthropic(int items)
    {
        yield return ("message_start", """{"type":"message_start","message":{"id":"msg_bench","type":"message","role":"assistant","content":[],"model":"claude-sonnet-4","stop_reason":null,"stop_sequence":null,"usage":{"input_tokens":25,"output_tokens":1}}}""");
        yield return ("content_block_start", """{"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}}""");
        for (var i = 0; i < items - 5; i++)
        {
            yield return ("content_block_delta", """{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":""" + Token(i) + "}}");
        }

        yield return ("content_block_stop", """{"type":"content_block_stop","index":0}""");
        yield return ("message_delta", """{"type":"message_delta","delta":{"stop_reason":"end_turn","stop_sequence":null},"usage":{"output_tokens":""" + (items - 5) + "}}");
        yield return ("message_stop", """{"type":"message_stop"}""");
    }

    private static IEnumerable<(string Type, string Data)> Responses(int items)
    {
        yield return ("response.created", """{"type":"response.created","sequence_number":0,"response":{"id":"resp_bench","object":"response","created_at":1737030904,"status":"in_progress","model":"gpt-4.1","output":[],"usage":null}}""");
        yield return ("response.in_progress", """{"type":"response.in_progress","sequence_number":1,"response":{"id":"resp_bench","object":"response","created_at":1737030904,"status":"in_progress","model":"gpt-4.1","output":[],"usage":null}}""");
        yield return ("response.output_item.added", """{"type":"response.output_item.added","sequence_number":2,"output_index":0,"item":{"id":"msg_1","type":"message","status":"in_progress","role":"assistant","content":[]}}""");
        yield return ("response.content_part.added", """{"type":"response.content_part.added","sequence_number":3,"item_id":"msg_1","output_index":0,"content_index":0,"part":{"type":"output_text","text":"","annotations":[]}}""");
        for (var i = 0; i < items - 5; i++)
        {
            yield return ("response.output_text.delta", $$"""{"type":"response.output_text.delta","sequence_number":{{i + 4}},"item_id":"msg_1","output_index":0,"content_index":0,"delta":{{Token(i)}},"logprobs":[]}""");
        }

        yield return ("response.completed", $$"""{"type":"response.completed","sequence_number":{{items}},"response":{"id":"resp_bench","object":"response","created_at":1737030904,"status":"completed","model":"gpt-4.1","output":[],"usage":{"input_tokens":31,"output_tokens":{{items - 5}},"total_tokens":{{items + 26}}""" + "}}}");
    }

    private static IEnumerable<(string Type, string Data)> Forge(int items)
    {
        const string Search = """{"type":"file_search_call","id":"fs_1","status":"completed","queries":["sse reconnect"],"results":[{"file_id":"f1","filename":"handler.py","score":0.91}]}""";
        yield return ("response.created", """{"id":"resp_bench","object":"response","created_at":1737030904,"model":"qwen-max","status":"in_progress","output":[],"usage":null}""");
        yield return ("response.file_search_call.completed", $$"""{"id":"resp_bench","object":"response","created_at":1737030904,"model":"qwen-max","status":"in_progress","output":[{{Search}}],"usage":null}""");
        var text = new StringBuilder();
        for (var i = 0; i < items - 4; i++)
        {
            text.Append(Tokens[i % Tokens.Length]);
            yield return ("response.output_text.delta", Snapshot(Search, text.ToString(), "in_progress", "null"));
        }

        yield return ("response.completed", Snapshot(Search, text.ToString(), "completed", $$"""{"input_tokens":120,"output_tokens":{{items - 4}},"total_tokens":{{items + 116}}}"""));
        yield return ("done", "{}");
    }

    private static string Snapshot(string search, string text, string status, string usage) =>
        $$"""{"id":"resp_bench","object":"response","created_at":1737030904,"model":"qwen-max","status":"{{status}}","output":[{{search}},{"type":"message","id":"msg_bench","role":"assistant","status":"in_progress","content":[{"type":"output_text","text":{{JsonSerializer.Serialize(text)}},"annotations":[]}]}],"usage":{{usage}}}""";

    private sealed class CountingSink : IDomainEventSink
    {
        public int Count { get; private set; }

        public long Publish(DashboardEvent e) => ++Count;
    }
}
