using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using Dashboard.Backends.Anthropic;
using Dashboard.Backends.CodeDreamer;
using Dashboard.Backends.Common;
using Dashboard.Backends.Forge;
using Dashboard.Backends.Jobs;
using Dashboard.Backends.OpenAiResponses;
using Dashboard.Backends.PlainChat;
using Dashboard.Backends.TestGen;
using Dashboard.Benchmarks.Ingest;
using Dashboard.Domain;
using Dashboard.Ingest;
using Dashboard.Ingest.Sse;
using Dashboard.Tests.TestSupport;
using Microsoft.Extensions.Time.Testing;

namespace Dashboard.Tests.Backends;

/// <summary>
/// Every decoder that reads items in one Utf8JsonReader pass against the JsonDocument decoder it
/// replaced (the LLM dialects' are kept outside the product as the dialect benchmark's naive arm,
/// the others in this project): for every fixture and hand-made stream, and for random variations
/// of their items (fields reordered, repeated, dropped, retyped or escaped, unknown values added,
/// items cut short, followed by garbage or replaced by another JSON value), both publish the same
/// events and fail the same items with the same exception, item by item.
/// </summary>
public sealed class OnePassReaderEquivalenceTests
{
    private const int Rounds = 300;

    private static readonly Dictionary<string, (Func<IStreamDecoder> Now, Func<IStreamDecoder> Before)> Decoders = new(StringComparer.Ordinal)
    {
        ["anthropic"] = (() => new AnthropicDecoder(), () => new DocumentAnthropicDecoder()),
        ["openai-responses"] = (() => new OpenAiResponsesDecoder(), () => new DocumentOpenAiResponsesDecoder()),
        ["forge"] = (() => new ForgeDecoder(), () => new DocumentForgeDecoder()),
        ["plain-chat"] = (() => new PlainChatDecoder(), () => new DocumentPlainChatDecoder()),
        ["jobs"] = (() => new JobsDecoder(), () => new DocumentJobsDecoder()),
        ["testgen"] = (() => new TestGenDecoder(), () => new DocumentTestGenDecoder()),
        ["codedreamer"] = (() => new CodeDreamerDecoder(), () => new DocumentCodeDreamerDecoder()),
    };

    public static TheoryData<string, string> Streams => new()
    {
        { "anthropic", "anthropic-messages.sse" },
        { "anthropic", "anthropic-error.sse" },
        { "anthropic", nameof(AnthropicTools) },
        { "openai-responses", "openai-responses.sse" },
        { "openai-responses", nameof(ResponsesTools) },
        { "openai-responses", nameof(ResponsesEnds) },
        { "forge", "forge-responses-snapshot.sse" },
        { "forge", nameof(ForgeFailures) },
        { "plain-chat", "simple-content.sse" },
        { "plain-chat", "simple-error.sse" },
        { "jobs", "job-progress.sse" },
        { "jobs", "job-not-found.sse" },
        { "jobs", nameof(JobsMixed) },
        { "testgen", "testgen-stream.sse" },
        { "testgen", nameof(TestGenEnds) },
        { "codedreamer", "codedreamer-events.sse" },
    };

    public static TheoryData<string> DecoderNames
    {
        get
        {
            var names = new TheoryData<string>();
            foreach (var name in Decoders.Keys)
            {
                names.Add(name);
            }

            return names;
        }
    }

    [Theory]
    [MemberData(nameof(Streams))]
    public void A_stream_decodes_as_it_did_through_a_document(string decoder, string stream)
    {
        var items = Items(stream);

        var steps = AssertSameAsDocument(decoder, items);

        Assert.Equal(items.Count, steps);
    }

    [Theory]
    [MemberData(nameof(Streams))]
    public void Random_variations_of_a_stream_decode_as_they_did_through_a_document(string decoder, string stream)
    {
        var items = Items(stream);
        var random = new Random(15);
        for (var round = 0; round < Rounds; round++)
        {
            var mutator = new JsonMutator(random);
            AssertSameAsDocument(decoder, [.. items.Select(item => mutator.Vary(item, items))]);
        }
    }

    [Theory]
    [MemberData(nameof(DecoderNames))]
    public void Items_that_are_not_one_json_object_fail_or_pass_as_they_did(string decoder)
    {
        string[] data =
        [
            "", " ", "\n", "{", "}", "{}", "[]", "[{}]", "[1,", "null", "42", "1e400", "\"text\"", "{} {}", "{}x", "{\"a\":1,}", "{'a':1}", "{\"a\":1} ",
            "{\"type\":\"error\"", "{\"type\":\"error\",\"error\":{\"message\":\"m\"}", "{\"type\":\"error\",\"error\":{\"message\":\"m\"}}}",
            "{\"type\":\"\\ud800\"}", "{\"type\":\"error\",\"error\":{\"message\":\"\\udc00\"}}", "{\"a\":" + new string('[', 70) + new string(']', 70) + "}",
        ];
        string[] types = ["message", "error", "message_start", "content_block_stop", "message_stop", "response.completed", "response.failed", "response.web_search_call.searching", "done"];

        foreach (var type in types)
        {
            AssertSameAsDocument(decoder, [.. data.Select(d => Item(type, d))]);
        }
    }

    private static int AssertSameAsDocument(string decoder, IReadOnlyList<SseItem> items)
    {
        var expected = Transcript(Decoders[decoder].Before(), items);
        var actual = Transcript(Decoders[decoder].Now(), items);
        Assert.Equal(expected, actual);
        return actual.Count(step => step is string line && line.StartsWith('['));
    }

    /// <summary>What the decoder published, and after each item a line with the item and how its decoding ended.</summary>
    private static List<object> Transcript(IStreamDecoder decoder, IReadOnlyList<SseItem> items)
    {
        var sink = new RecordingSink();
        var clock = new FakeTimeProvider(DecoderHarness.Start);
        var context = new DecodeContext(DecoderHarness.Backend, DecoderHarness.RunId, sink, clock);
        var published = 0;
        List<object> steps = [];
        foreach (var item in items)
        {
            clock.Advance(TimeSpan.FromSeconds(1));
            string outcome;
            try
            {
                decoder.Decode(item, context);
                outcome = "ok";
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                // As the stream runner does: any exception costs the item, and its message is what the inspector shows.
                outcome = $"{ex.GetType().FullName}: {ex.Message}";
            }

            var events = sink.Events;
            steps.AddRange(events.Skip(published).Select(Comparable));
            published = events.Count;
            steps.Add($"[{item.EventType}] {item.Data} → {outcome}");
        }

        steps.Add($"terminal {decoder.IsTerminal}, outcome {(decoder as IRunStreamDecoder)?.Outcome?.ToString() ?? "none"}");
        return steps;
    }

    /// <summary>The event itself, or, for the events that hold dictionaries (compared by reference), a text with their entries.</summary>
    private static object Comparable(DashboardEvent e) => e switch
    {
        RunMetadataReported m => $"{m with { Metadata = new Dictionary<string, string>() }} {Entries(m.Metadata)}",
        GraphStatsObserved g => $"{g.At:O} {g.Stats.Nodes} {g.Stats.Edges} {g.Stats.AvgEntanglement} tiers {Entries(g.Stats.Tiers)} types {Entries(g.Stats.Types)}",
        _ => e,
    };

    private static string Entries<T>(IReadOnlyDictionary<string, T> entries) => string.Join(", ", entries.Select(e => $"{e.Key}={e.Value}"));

    private static SseItem Item(string type, string data) => new(type, data, "") { Utf8Data = Encoding.UTF8.GetBytes(data) };

    /// <summary>A fixture, or one of the hand-made streams below, as the parser hands its items over (with the received bytes).</summary>
    private static List<SseItem> Items(string stream)
    {
        var bytes = HandMade.TryGetValue(stream, out var sse) ? Encoding.UTF8.GetBytes(sse) : Fixtures.Bytes(stream);
        return [.. SseStreamReading.ReadItemsAsync(new MemoryStream(bytes), SseParserLimits.Default).ToBlockingEnumerable().Select(i => Item(i.EventType, i.Data))];
    }

    private static readonly Dictionary<string, string> HandMade = new(StringComparer.Ordinal)
    {
        [nameof(AnthropicTools)] = AnthropicTools,
        [nameof(ResponsesTools)] = ResponsesTools,
        [nameof(ResponsesEnds)] = ResponsesEnds,
        [nameof(ForgeFailures)] = ForgeFailures,
        [nameof(JobsMixed)] = JobsMixed,
        [nameof(TestGenEnds)] = TestGenEnds,
    };

    private const string AnthropicTools = """
        event: message_start
        data: {"type":"message_start","message":{"id":"msg_03","type":"message","role":"assistant","content":[],"model":"claude-opus-4","usage":{"input_tokens":9,"output_tokens":1}}}

        event: content_block_start
        data: {"type":"content_block_start","index":0,"content_block":{"type":"thinking","thinking":"","signature":""}}

        event: content_block_delta
        data: {"type":"content_block_delta","index":0,"delta":{"type":"thinking_delta","thinking":"I should look up the weather."}}

        event: content_block_delta
        data: {"type":"content_block_delta","index":0,"delta":{"type":"signature_delta","signature":"EqQBCgIYAhIM"}}

        event: content_block_stop
        data: {"type":"content_block_stop","index":0}

        event: content_block_start
        data: {"type":"content_block_start","index":1,"content_block":{"type":"tool_use","id":"toolu_01","name":"get_weather","input":{}}}

        event: content_block_delta
        data: {"type":"content_block_delta","index":1,"delta":{"type":"input_json_delta","partial_json":"{\"location\": "}}

        event: content_block_delta
        data: {"type":"content_block_delta","index":1,"delta":{"type":"input_json_delta","partial_json":"\"Paris\"}"}}

        event: content_block_stop
        data: {"type":"content_block_stop","index":1}

        event: content_block_start
        data: {"type":"content_block_start","index":2,"content_block":{"type":"server_tool_use","id":"srvtoolu_01","name":"web_search","input":{}}}

        event: content_block_stop
        data: {"type":"content_block_stop","index":2}

        event: content_block_start
        data: {"type":"content_block_start","index":3,"content_block":{"type":"text","text":"Sunny"}}

        event: content_block_delta
        data: {"type":"content_block_delta","index":3,"delta":{"type":"text_delta","text":" in Paris."}}

        event: message_delta
        data: {"type":"message_delta","delta":{"stop_reason":"tool_use","stop_sequence":null},"usage":{"input_tokens":9,"output_tokens":89}}

        event: message_stop
        data: {"type":"message_stop"}

        event: error
        data: {"type":"error","error":{"type":"overloaded_error","message":"after the end"}}


        """;

    private const string ResponsesTools = """
        event: response.queued
        data: {"type":"response.queued","sequence_number":0,"response":{"id":"resp_2","status":"queued","model":"gpt-4.1"}}

        event: response.in_progress
        data: {"type":"response.in_progress","sequence_number":1,"response":{"id":"resp_2","status":"in_progress","model":"gpt-4.1"}}

        event: response.output_item.added
        data: {"type":"response.output_item.added","sequence_number":2,"output_index":0,"item":{"id":"ws_1","type":"web_search_call","status":"in_progress"}}

        event: response.web_search_call.searching
        data: {"type":"response.web_search_call.searching","sequence_number":3,"output_index":0,"item_id":"ws_1"}

        event: response.web_search_call.completed
        data: {"type":"response.web_search_call.completed","sequence_number":4,"output_index":0,"item_id":"ws_1"}

        event: response.output_item.added
        data: {"type":"response.output_item.added","sequence_number":5,"output_index":1,"item":{"id":"fc_1","type":"function_call","status":"in_progress","arguments":"","call_id":"call_1","name":"get_weather"}}

        event: response.function_call_arguments.delta
        data: {"type":"response.function_call_arguments.delta","sequence_number":6,"item_id":"fc_1","output_index":1,"delta":"{\"city\":"}

        event: response.function_call_arguments.delta
        data: {"type":"response.function_call_arguments.delta","sequence_number":7,"item_id":"fc_1","output_index":1,"delta":"\"Paris\"}"}

        event: response.output_item.done
        data: {"type":"response.output_item.done","sequence_number":9,"output_index":1,"item":{"id":"fc_1","type":"function_call","status":"completed","arguments":"{\"city\":\"Paris\"}","call_id":"call_1","name":"get_weather"}}

        event: response.reasoning_summary_text.delta
        data: {"type":"response.reasoning_summary_text.delta","item_id":"rs_1","delta":"Weighing options."}

        event: response.refusal.delta
        data: {"type":"response.refusal.delta","item_id":"msg_1","delta":"I can't."}

        event: response.completed
        data: {"type":"response.completed","sequence_number":10,"response":{"id":"resp_2","status":"completed","usage":{"input_tokens":40,"output_tokens":12,"total_tokens":52}}}


        """;

    private const string ResponsesEnds = """
        event: response.created
        data: {"type":"response.created","response":{"id":"resp_3","model":"o3"}}

        event: response.output_text.delta
        data: {"type":"response.output_text.delta","item_id":"msg_1","delta":"Partial"}

        event: response.failed
        data: {"type":"response.failed","response":{"id":"r","status":"failed","error":{"code":"server_error","message":"The model crashed"},"usage":{"input_tokens":3}}}

        event: response.incomplete
        data: {"type":"response.incomplete","response":{"id":"r","status":"incomplete","incomplete_details":{"reason":"max_output_tokens"}}}

        event: error
        data: {"type":"error","code":"rate_limit_exceeded","message":"Slow down","param":null}

        event: error
        data: {"type":"error","error":{"code":"c","message":"m"},"detail":[{"loc":["body",1,true,{"x":[1]}],"msg":"bad"}]}


        """;

    private const string ForgeFailures = """
        event: response.created
        data: {"id":"r","object":"response","model":"m","status":"in_progress","output":[],"error":null,"usage":null}

        event: response.web_search_call.searching
        data: {"id":"r","object":"response","status":"in_progress","output":[{"type":"web_search_call","id":"ws_1","name":"search","status":"searching","queries":["a","b",3]},{"type":"message","content":[{"type":"output_text","text":"A"},{"type":"refusal","refusal":"no"},{"type":"output_text","text":"B"}]}]}

        event: response.web_search_call.completed
        data: {"id":"r","object":"response","status":"in_progress","output":[{"type":"web_search_call","id":"ws_1","status":"completed","queries":["a","b"],"results":[1,2]},{"type":"message","content":[{"type":"output_text","text":"AB"}]}],"usage":{"input_tokens":1,"output_tokens":2,"total_tokens":3}}

        event: response.failed
        data: {"id":"r","object":"response","status":"failed","error":{"code":"tool_error","message":"file_search crashed"},"output":[]}

        event: response.failed
        data: {"id":"r","object":"response","status":"failed","error":"plain words","output":[]}

        event: response.failed
        data: {"id":"r","object":"response","status":"incomplete","error":{"detail":[{"loc":["body","input"],"msg":"too long"}]},"output":[]}

        event: done
        data: {}


        """;

    private const string JobsMixed = """
        data: {"status":"running","progress":12.5,"message":"Step \u00e9"}

        data: {"progress":50}

        data: {"message":"no status, no progress"}

        data: {"status":"cancelled","progress":100}

        data: {"status":"failed","message":"boom"}

        data: {"error":{"detail":[{"loc":["body","job"],"msg":"missing"}]}}

        data: [DONE]


        """;

    private const string TestGenEnds = """
        data: {"type":"start"}

        data: {"type":"chunk","content":"def test_add():\n"}

        data: {"type":"unknown","error":{"message":"odd"}}

        data: {"type":"done","language":"python","lines":12,"test_file_name":"test_add.py","test_framework":true,"test_type":{"kind":["unit"]}}

        data: {"type":"error","error":"too late"}


        """;

    /// <summary>Random, seeded variations of an item's JSON that keep most of it readable.</summary>
    private sealed class JsonMutator(Random random)
    {
        private static readonly string[] OtherValues =
        [
            "null", "0", "1", "-1", "2147483648", "1.5", "1e2", "1e400", "true", "false", "\"\"", "\"x\"", "\"\\ud800\"", "\"a\\udc00\"", "\"\\u00e9\\ud83d\\ude00\"",
            "[]", "{}", "[1,{\"a\":[null]}]", "{\"type\":\"text\",\"text\":\"z\"}", "{\"message\":\"m\",\"code\":\"c\"}", "[\"q\",{\"msg\":\"m\"}]",
        ];

        private static readonly string[] UnknownValues = ["{\"nested\":{\"deep\":[1,2,{\"x\":\"y\"}]}}", "[[],[{}],\"s\"]", "\"extra\"", "42", "null", "{\"type\":\"x\",\"text\":\"hidden\"}"];

        public SseItem Vary(SseItem item, IReadOnlyList<SseItem> stream)
        {
            var type = Chance(0.03) ? stream[random.Next(stream.Count)].EventType : item.EventType;
            return Item(type, Data(item.Data));
        }

        private string Data(string data)
        {
            string text;
            try
            {
                using var document = JsonDocument.Parse(data);
                var json = new StringBuilder();
                Write(document.RootElement, json);
                text = json.ToString();
            }
            catch (JsonException)
            {
                text = data;
            }

            if (Chance(0.03))
            {
                return text[..random.Next(text.Length + 1)];
            }

            if (Chance(0.02))
            {
                return text + Pick([" x", ",{}", "}", " {}", "\n\t "]);
            }

            return Chance(0.02) ? Pick(["[" + text + "]", "\"oops\"", "42", "null", " "]) : text;
        }

        private void Write(JsonElement element, StringBuilder json)
        {
            switch (element.ValueKind)
            {
                case JsonValueKind.Object:
                    WriteObject(element, json);
                    break;
                case JsonValueKind.Array:
                    json.Append('[');
                    var first = true;
                    foreach (var value in element.EnumerateArray())
                    {
                        Separate(json, ref first);
                        Value(value, json);
                    }

                    if (Chance(0.05))
                    {
                        Separate(json, ref first);
                        json.Append(Pick(OtherValues));
                    }

                    json.Append(']');
                    break;
                case JsonValueKind.String:
                    String(element.GetString()!, json);
                    break;
                default:
                    json.Append(element.GetRawText());
                    break;
            }
        }

        private void WriteObject(JsonElement element, StringBuilder json)
        {
            var properties = element.EnumerateObject().ToList();
            if (Chance(0.3))
            {
                properties = [.. properties.OrderBy(_ => random.Next())];
            }

            json.Append('{');
            var first = true;
            foreach (var property in properties)
            {
                if (Chance(0.05))
                {
                    continue;
                }

                if (Chance(0.05))
                {
                    // The same field earlier with another value: the last one counts.
                    Separate(json, ref first);
                    Name(property.Name, json);
                    json.Append(Pick(OtherValues));
                }

                Separate(json, ref first);
                Name(property.Name, json);
                Value(property.Value, json);

                if (Chance(0.04))
                {
                    Separate(json, ref first);
                    Name(property.Name, json);
                    json.Append(Pick(OtherValues));
                }
            }

            if (Chance(0.1))
            {
                Separate(json, ref first);
                Name(Pick(["unknown", "payload", "annotations", "logprobs"]), json);
                json.Append(Pick(UnknownValues));
            }

            json.Append('}');
        }

        private void Value(JsonElement value, StringBuilder json)
        {
            if (Chance(0.04))
            {
                json.Append(Pick(OtherValues));
            }
            else
            {
                Write(value, json);
            }
        }

        private void Name(string name, StringBuilder json)
        {
            // Names get no invalid escapes: the readers skip such a name where a document lookup could fail on it (Utf8Fields.IsName).
            String(name, json, garbage: false);
            json.Append(':');
        }

        private void String(string value, StringBuilder json, bool garbage = true)
        {
            json.Append('"');
            if (Chance(0.1))
            {
                // Some characters (or all) written as \uXXXX escapes.
                foreach (var c in value)
                {
                    if (char.IsSurrogate(c) || Chance(0.5))
                    {
                        json.Append("\\u").Append(((int)c).ToString("x4", System.Globalization.CultureInfo.InvariantCulture));
                    }
                    else
                    {
                        json.Append(JsonEncodedText.Encode(new string(c, 1), JavaScriptEncoder.UnsafeRelaxedJsonEscaping).Value);
                    }
                }
            }
            else
            {
                json.Append(JsonEncodedText.Encode(value, JavaScriptEncoder.UnsafeRelaxedJsonEscaping).Value);
            }

            if (Chance(0.03))
            {
                json.Append(garbage ? Pick(["\\ud800", "\\udc00x", "é😀", "\\u00e9\\ud83d\\ude00", "\\n\\t\\\"\\\\\\/"]) : "é😀");
            }

            json.Append('"');
        }

        private static void Separate(StringBuilder json, ref bool first)
        {
            if (!first)
            {
                json.Append(',');
            }

            first = false;
        }

        private bool Chance(double p) => random.NextDouble() < p;

        private string Pick(string[] values) => values[random.Next(values.Length)];
    }
}
