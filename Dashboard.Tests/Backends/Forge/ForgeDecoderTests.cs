using System.Text.Json;
using Dashboard.Backends.Forge;
using Dashboard.Backends.Llm;
using Dashboard.Domain;
using Dashboard.Ingest;
using Dashboard.Tests.Backends.Llm;

namespace Dashboard.Tests.Backends.Forge;

public sealed class ForgeDecoderTests
{
    private static readonly Expect E = DecoderHarness.Expect;

    [Fact]
    public async Task Fixture_decodes_snapshots_as_replacements_with_tool_progress_and_usage()
    {
        var decoder = new ForgeDecoder();
        var harness = new DecoderHarness(decoder);

        var events = await harness.FixtureAsync("forge-responses-snapshot.sse");

        DashboardEvent[] expected =
        [
            E.UpstreamId("resp_kf1"),
            E.Stage(LlmStages.Accepted, StageStatus.Completed, "qwen-max"),
            .. E.FirstToken(),
            E.Tool("fs_1", "file_search", status: "searching", detail: "queries: sse reconnect"),
            E.Tool("fs_1", status: "completed", detail: "queries: sse reconnect; 1 result"),
            E.Text("Here", TextMode.Replace),
            E.Text("Here is", TextMode.Replace),
            E.Text("Here is a", TextMode.Replace),
            E.Text("Here is a plan", TextMode.Replace),
            E.Text("Here is a plan:\n\n", TextMode.Replace),
            E.Text("Here is a plan:\n\n1. **Add**", TextMode.Replace),
            E.Usage(120, 9, 129),
            .. E.Done("completed"),
        ];
        Assert.Equal(expected, events);
        Assert.Equal("Here is a plan:\n\n1. **Add**", harness.OutputText);
        Assert.True(decoder.IsTerminal);
        Assert.Null(decoder.Failure);
    }

    [Fact]
    public async Task Text_is_the_concatenation_of_output_text_parts_only()
    {
        var harness = new DecoderHarness(new ForgeDecoder());

        await harness.SseAsync("""
            event: response.output_text.delta
            data: {"id":"r","object":"response","status":"in_progress","output":[{"type":"message","content":[{"type":"output_text","text":"A"},{"type":"refusal","refusal":"no"},{"type":"output_text","text":"B"}]},{"type":"message","content":[{"type":"output_text","text":"C"}]}]}


            """);

        Assert.Equal("ABC", harness.OutputText);
        Assert.All(harness.Events.OfType<RunTextReceived>(), t => Assert.Equal(TextMode.Replace, t.Mode));
    }

    [Fact]
    public async Task Error_event_fails_keeping_text_whether_json_or_plain()
    {
        var decoder = new ForgeDecoder();
        var harness = new DecoderHarness(decoder);

        await harness.SseAsync("""
            event: response.output_text.delta
            data: {"id":"r","object":"response","status":"in_progress","output":[{"type":"message","content":[{"type":"output_text","text":"Partial"}]}]}

            event: error
            data: Vector store unavailable


            """);

        Assert.Equal("Vector store unavailable", decoder.Failure);
        Assert.Equal("Partial", harness.OutputText);

        var json = new ForgeDecoder();
        var second = new DecoderHarness(json);
        await second.SseAsync("event: error\ndata: {\"error\":{\"message\":\"Model not found\"}}\n\n");
        Assert.Equal("Model not found", json.Failure);
    }

    [Fact]
    public async Task Failed_response_status_at_done_fails_the_run()
    {
        var decoder = new ForgeDecoder();
        var harness = new DecoderHarness(decoder);

        await harness.SseAsync("""
            event: response.failed
            data: {"id":"r","object":"response","status":"failed","error":{"code":"tool_error","message":"file_search crashed"},"output":[]}

            event: done
            data: {}


            """);

        Assert.True(decoder.IsTerminal);
        Assert.Equal("file_search crashed", decoder.Failure);
    }

    [Fact]
    public async Task Unknown_events_and_non_response_data_are_ignored()
    {
        var decoder = new ForgeDecoder();
        var harness = new DecoderHarness(decoder);

        var events = await harness.SseAsync("""
            event: response.reasoning.progress
            data: {"object":"progress","percent":40}

            event: heartbeat
            data: [1,2,3]


            """);

        Assert.Empty(events);
        Assert.False(decoder.IsTerminal);
    }

    [Fact]
    public void Malformed_json_throws()
    {
        var harness = new DecoderHarness(new ForgeDecoder());

        Assert.ThrowsAny<JsonException>(() =>
            harness.Decoder.Decode(new SseItem("response.output_text.delta", "{\"output\":[", ""), harness.Context));
    }
}
