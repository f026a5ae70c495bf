using System.Text.Json;
using Dashboard.Backends.Llm;
using Dashboard.Backends.OpenAiResponses;
using Dashboard.Domain;
using Dashboard.Ingest;
using Dashboard.Tests.Backends.Llm;

namespace Dashboard.Tests.Backends.OpenAiResponses;

public sealed class OpenAiResponsesDecoderTests
{
    private static readonly Expect E = DecoderHarness.Expect;

    [Fact]
    public async Task Fixture_decodes_lifecycle_text_usage_and_done()
    {
        var decoder = new OpenAiResponsesDecoder();
        var harness = new DecoderHarness(decoder);

        var events = await harness.FixtureAsync("openai-responses.sse");

        DashboardEvent[] expected =
        [
            E.UpstreamId("resp_1"),
            E.Stage(LlmStages.Accepted, StageStatus.Completed, "gpt-4.1"),
            .. E.FirstToken(),
            E.Text("Here"), E.Text(" is"), E.Text(" a"), E.Text(" plan"), E.Text(":\n\n"),
            E.Text("1. **Add**"), E.Text(" the `schemas`"), E.Text(" folder\n"), E.Text("2. Update"),
            E.Text(" `main.py`\n\n"), E.Text("```python\n"), E.Text("def add(a, b):\n"),
            E.Text("    return a + b\n"), E.Text("```\n"),
            E.Usage(31, 14, 45),
            .. E.Done("completed"),
        ];
        Assert.Equal(expected, events);
        Assert.True(decoder.IsTerminal);
        Assert.Null(decoder.Failure);
    }

    [Fact]
    public async Task Function_and_built_in_tool_calls_are_reported()
    {
        var harness = new DecoderHarness(new OpenAiResponsesDecoder());

        var events = await harness.SseAsync("""
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

            event: response.function_call_arguments.done
            data: {"type":"response.function_call_arguments.done","sequence_number":8,"item_id":"fc_1","output_index":1,"arguments":"{\"city\":\"Paris\"}"}

            event: response.output_item.done
            data: {"type":"response.output_item.done","sequence_number":9,"output_index":1,"item":{"id":"fc_1","type":"function_call","status":"completed","arguments":"{\"city\":\"Paris\"}","call_id":"call_1","name":"get_weather"}}

            event: response.completed
            data: {"type":"response.completed","sequence_number":10,"response":{"id":"resp_2","status":"completed","usage":{"input_tokens":40,"output_tokens":12,"total_tokens":52}}}


            """);

        DashboardEvent[] expected =
        [
            E.UpstreamId("resp_2"),
            E.Stage(LlmStages.Accepted, StageStatus.Running, "queued"),
            E.Stage(LlmStages.Accepted, StageStatus.Completed, "gpt-4.1"),
            .. E.FirstToken(),
            E.Tool("ws_1", "web_search", status: "in_progress"),
            E.Tool("ws_1", status: "searching"),
            E.Tool("ws_1", status: "completed"),
            E.Tool("call_1", "get_weather", status: "in_progress"),
            E.Tool("call_1", args: "{\"city\":"),
            E.Tool("call_1", args: "\"Paris\"}"),
            E.Tool("call_1", status: "completed"),
            E.Usage(40, 12, 52),
            .. E.Done("completed"),
        ];
        Assert.Equal(expected, events);
    }

    [Fact]
    public async Task Reasoning_summary_goes_to_the_thinking_channel()
    {
        var harness = new DecoderHarness(new OpenAiResponsesDecoder());

        await harness.SseAsync("""
            event: response.reasoning_summary_text.delta
            data: {"type":"response.reasoning_summary_text.delta","item_id":"rs_1","delta":"Weighing options."}

            event: response.output_text.delta
            data: {"type":"response.output_text.delta","item_id":"msg_1","delta":"Done."}


            """);

        Assert.Equal("Weighing options.", harness.ThinkingText);
        Assert.Equal("Done.", harness.OutputText);
    }

    [Theory]
    [InlineData("response.failed", """{"type":"response.failed","response":{"id":"r","status":"failed","error":{"code":"server_error","message":"The model crashed"}}}""", "The model crashed")]
    [InlineData("response.incomplete", """{"type":"response.incomplete","response":{"id":"r","status":"incomplete","incomplete_details":{"reason":"max_output_tokens"}}}""", "incomplete: max_output_tokens")]
    [InlineData("error", """{"type":"error","code":"rate_limit_exceeded","message":"Slow down","param":null}""", "Slow down (rate_limit_exceeded)")]
    public async Task Failures_end_the_stream_with_the_upstream_reason(string type, string data, string reason)
    {
        var decoder = new OpenAiResponsesDecoder();
        var harness = new DecoderHarness(decoder);

        await harness.SseAsync($$"""
            event: response.output_text.delta
            data: {"type":"response.output_text.delta","item_id":"msg_1","delta":"Partial"}

            event: {{type}}
            data: {{data}}


            """);

        Assert.True(decoder.IsTerminal);
        Assert.Equal(reason, decoder.Failure);
        Assert.Equal("Partial", harness.OutputText);
        Assert.Equal(E.Failed(reason), harness.Events.TakeLast(2));
    }

    [Fact]
    public async Task Unknown_event_types_are_ignored()
    {
        var decoder = new OpenAiResponsesDecoder();
        var harness = new DecoderHarness(decoder);

        var events = await harness.SseAsync("""
            event: response.brand_new_thing
            data: {"type":"response.brand_new_thing","sequence_number":1,"whatever":{"a":1}}

            event: response.output_text.annotation.added
            data: {"type":"response.output_text.annotation.added","annotation":{}}


            """);

        Assert.Empty(events);
        Assert.False(decoder.IsTerminal);
    }

    [Fact]
    public void Malformed_json_throws()
    {
        var harness = new DecoderHarness(new OpenAiResponsesDecoder());

        Assert.ThrowsAny<JsonException>(() =>
            harness.Decoder.Decode(new SseItem("response.output_text.delta", "{\"delta\":\"x\"", ""), harness.Context));
    }
}
