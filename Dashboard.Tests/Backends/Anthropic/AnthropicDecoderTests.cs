using System.Text.Json;
using Dashboard.Backends.Anthropic;
using Dashboard.Backends.Llm;
using Dashboard.Domain;
using Dashboard.Ingest;
using Dashboard.Tests.Backends.Llm;

namespace Dashboard.Tests.Backends.Anthropic;

public sealed class AnthropicDecoderTests
{
    private static readonly Expect E = DecoderHarness.Expect;

    [Fact]
    public async Task Fixture_decodes_text_usage_and_stop_tolerating_ping()
    {
        var decoder = new AnthropicDecoder();
        var harness = new DecoderHarness(decoder);

        var events = await harness.FixtureAsync("anthropic-messages.sse");

        DashboardEvent[] expected =
        [
            E.UpstreamId("msg_01"),
            E.Stage(LlmStages.Accepted, StageStatus.Completed, "claude-sonnet-4"),
            E.Usage(25, 1, 26),
            .. E.FirstToken(),
            E.Text("Here"), E.Text(" is"), E.Text(" a"), E.Text(" plan"), E.Text(":\n\n"),
            E.Text("1. **Add**"), E.Text(" the `schemas`"), E.Text(" folder\n"), E.Text("2. Update"),
            E.Text(" `main.py`\n\n"), E.Text("```python\n"), E.Text("def add(a, b):\n"),
            E.Text("    return a + b\n"), E.Text("```\n"),
            E.Usage(25, 15, 40),
            .. E.Done("end_turn"),
        ];
        Assert.Equal(expected, events);
        Assert.True(decoder.IsTerminal);
        Assert.Null(decoder.Failure);
        Assert.Contains("```python\ndef add(a, b):\n    return a + b\n```\n", harness.OutputText, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Error_fixture_fails_with_overloaded_keeping_partial_text()
    {
        var decoder = new AnthropicDecoder();
        var harness = new DecoderHarness(decoder);

        var events = await harness.FixtureAsync("anthropic-error.sse");

        DashboardEvent[] expected =
        [
            E.UpstreamId("msg_02"),
            E.Stage(LlmStages.Accepted, StageStatus.Completed, "claude-sonnet-4"),
            E.Usage(25, 1, 26),
            .. E.FirstToken(),
            E.Text("Partial"),
            .. E.Failed("Overloaded"),
        ];
        Assert.Equal(expected, events);
        Assert.True(decoder.IsTerminal);
        Assert.Equal("Overloaded", decoder.Failure);
        Assert.Equal("Partial", harness.OutputText);
    }

    [Fact]
    public async Task Thinking_and_tool_use_blocks_are_decoded()
    {
        var harness = new DecoderHarness(new AnthropicDecoder());

        var events = await harness.SseAsync("""
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
            data: {"type":"content_block_delta","index":1,"delta":{"type":"input_json_delta","partial_json":""}}

            event: content_block_delta
            data: {"type":"content_block_delta","index":1,"delta":{"type":"input_json_delta","partial_json":"{\"location\": "}}

            event: content_block_delta
            data: {"type":"content_block_delta","index":1,"delta":{"type":"input_json_delta","partial_json":"\"Paris\"}"}}

            event: content_block_stop
            data: {"type":"content_block_stop","index":1}

            event: message_delta
            data: {"type":"message_delta","delta":{"stop_reason":"tool_use","stop_sequence":null},"usage":{"output_tokens":89}}

            event: message_stop
            data: {"type":"message_stop"}


            """);

        DashboardEvent[] expected =
        [
            E.Stage(LlmStages.Accepted, StageStatus.Completed),
            .. E.FirstToken(),
            E.Text("I should look up the weather.", channel: TextChannel.Thinking),
            E.Tool("toolu_01", "get_weather", status: LlmToolStatus.InProgress),
            E.Tool("toolu_01", args: "{\"location\": "),
            E.Tool("toolu_01", args: "\"Paris\"}"),
            E.Tool("toolu_01", status: LlmToolStatus.Completed),
            E.Usage(null, 89, null),
            .. E.Done("tool_use"),
        ];
        Assert.Equal(expected, events);
    }

    [Fact]
    public async Task Unknown_event_types_and_ping_are_tolerated()
    {
        var decoder = new AnthropicDecoder();
        var harness = new DecoderHarness(decoder);

        var events = await harness.SseAsync("""
            event: ping
            data: {"type": "ping"}

            event: some_future_event
            data: {"type":"some_future_event","payload":[1,2]}

            event: content_block_delta
            data: {"type":"content_block_delta","index":0,"delta":{"type":"citations_delta","citation":{}}}


            """);

        Assert.Empty(events);
        Assert.False(decoder.IsTerminal);
    }

    [Fact]
    public void Malformed_json_throws()
    {
        var harness = new DecoderHarness(new AnthropicDecoder());

        Assert.ThrowsAny<JsonException>(() =>
            harness.Decoder.Decode(new SseItem("content_block_delta", "{\"type\":\"content_block_delta\",", ""), harness.Context));
    }
}
