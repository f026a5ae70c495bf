using System.Text.Json;
using Dashboard.Backends.Llm;
using Dashboard.Backends.OpenAiChat;
using Dashboard.Domain;
using Dashboard.Ingest;
using Dashboard.Tests.Backends.Llm;

namespace Dashboard.Tests.Backends.OpenAiChat;

public sealed class OpenAiChatDecoderTests
{
    private static readonly Expect E = DecoderHarness.Expect;

    [Fact]
    public async Task Fixture_decodes_to_text_usage_and_done()
    {
        var decoder = new OpenAiChatDecoder();
        var harness = new DecoderHarness(decoder);

        var events = await harness.FixtureAsync("openai-chat.sse");

        DashboardEvent[] expected =
        [
            E.UpstreamId("chatcmpl-9x1"),
            E.Stage(LlmStages.Accepted, StageStatus.Completed, "gpt-4o-mini"),
            .. E.FirstToken(),
            E.Text("Here"), E.Text(" is"), E.Text(" a"), E.Text(" plan"), E.Text(":\n\n"),
            E.Text("1. **Add**"), E.Text(" the `schemas`"), E.Text(" folder\n"), E.Text("2. Update"),
            E.Text(" `main.py`\n\n"), E.Text("```python\n"), E.Text("def add(a, b):\n"),
            E.Text("    return a + b\n"), E.Text("```\n"),
            E.Usage(31, 14, 45),
            .. E.Done("stop"),
        ];
        Assert.Equal(expected, events);
        Assert.True(decoder.IsTerminal);
        Assert.Null(decoder.Failure);
    }

    [Fact]
    public async Task Tool_calls_arrive_in_pieces_keyed_by_index()
    {
        var harness = new DecoderHarness(new OpenAiChatDecoder());

        var events = await harness.SseAsync("""
            data: {"id":"c1","choices":[{"index":0,"delta":{"role":"assistant","content":null,"tool_calls":[{"index":0,"id":"call_a","type":"function","function":{"name":"get_weather","arguments":""}}]},"finish_reason":null}]}

            data: {"id":"c1","choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"function":{"arguments":"{\"city\":"}}]},"finish_reason":null}]}

            data: {"id":"c1","choices":[{"index":0,"delta":{"tool_calls":[{"index":1,"id":"call_b","type":"function","function":{"name":"get_time","arguments":"{}"}}]},"finish_reason":null}]}

            data: {"id":"c1","choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"function":{"arguments":"\"Paris\"}"}}]},"finish_reason":null}]}

            data: {"id":"c1","choices":[{"index":0,"delta":{},"finish_reason":"tool_calls"}]}

            data: [DONE]


            """);

        DashboardEvent[] expected =
        [
            E.UpstreamId("c1"),
            E.Stage(LlmStages.Accepted, StageStatus.Completed),
            .. E.FirstToken(),
            E.Tool("call_a", "get_weather", status: LlmToolStatus.InProgress),
            E.Tool("call_a", args: "{\"city\":"),
            E.Tool("call_b", "get_time", "{}", LlmToolStatus.InProgress),
            E.Tool("call_a", args: "\"Paris\"}"),
            E.Tool("call_a", status: LlmToolStatus.Completed),
            E.Tool("call_b", status: LlmToolStatus.Completed),
            .. E.Done("tool_calls"),
        ];
        Assert.Equal(expected, events);
    }

    [Fact]
    public async Task Error_mid_stream_fails_keeping_the_text()
    {
        var decoder = new OpenAiChatDecoder();
        var harness = new DecoderHarness(decoder);

        await harness.SseAsync("""
            data: {"id":"c1","choices":[{"index":0,"delta":{"content":"Partial"}}]}

            data: {"error":{"message":"The server had an error while processing your request.","type":"server_error","code":null}}

            data: {"id":"c1","choices":[{"index":0,"delta":{"content":" ignored"}}]}


            """);

        Assert.True(decoder.IsTerminal);
        Assert.Equal("The server had an error while processing your request.", decoder.Failure);
        Assert.Equal("Partial", harness.OutputText);
        Assert.Equal(E.Failed("The server had an error while processing your request."), harness.Events.TakeLast(2));
    }

    [Fact]
    public async Task Reasoning_content_goes_to_the_thinking_channel()
    {
        var harness = new DecoderHarness(new OpenAiChatDecoder());

        await harness.SseAsync("""
            data: {"choices":[{"index":0,"delta":{"reasoning_content":"Let me think."}}]}

            data: {"choices":[{"index":0,"delta":{"content":"Answer"}}]}


            """);

        Assert.Equal("Let me think.", harness.ThinkingText);
        Assert.Equal("Answer", harness.OutputText);
    }

    [Fact]
    public async Task Unknown_fields_and_other_choices_are_ignored()
    {
        var decoder = new OpenAiChatDecoder();
        var harness = new DecoderHarness(decoder);

        var events = await harness.SseAsync("""
            event: something_new
            data: {"surprise":{"nested":[1,2,3]},"choices":[{"index":1,"delta":{"content":"not choice 0"}}]}


            """);

        Assert.Equal([E.Stage(LlmStages.Accepted, StageStatus.Completed)], events);
        Assert.False(decoder.IsTerminal);
    }

    [Theory]
    [InlineData("{\"choices\":[")]
    [InlineData("not json")]
    [InlineData("")]
    public void Malformed_json_throws(string data)
    {
        var harness = new DecoderHarness(new OpenAiChatDecoder());

        Assert.ThrowsAny<JsonException>(() => harness.Decoder.Decode(new SseItem(SseItem.DefaultEventType, data, ""), harness.Context));
        Assert.False(harness.Decoder.IsTerminal);
    }
}
