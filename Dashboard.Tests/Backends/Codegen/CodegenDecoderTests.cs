using System.Text.Json;
using Dashboard.Backends.Codegen;
using Dashboard.Backends.Common;
using Dashboard.Domain;
using Dashboard.Tests.Backends.SeedTestSupport;
using Dashboard.Tests.TestSupport;

namespace Dashboard.Tests.Backends.Codegen;

public sealed class CodegenDecoderTests
{
    private static string Event(string stage, string status, double progress, string message = "m", string? partialOutput = null, double timestamp = 1737030904.5) =>
        JsonSerializer.Serialize(new Dictionary<string, object?>
        {
            ["generation_id"] = "g1", ["status"] = status, ["stage"] = stage, ["progress"] = progress,
            ["message"] = message, ["partial_output"] = partialOutput, ["timestamp"] = timestamp,
        });

    [Fact]
    public void Iteration_fixture_becomes_the_timeline_and_completes_on_the_final_stage()
    {
        var decoder = new CodegenDecoder();
        var items = Fixtures.Items("codebegen-iteration.sse");
        var h = new DecoderHarness();

        h.Feed(decoder, items.Take(items.Count - 1));
        Assert.False(decoder.IsTerminal);
        h.Feed(decoder, items.Skip(items.Count - 1));

        var stages = h.Sink.OfType<RunStageReported>();
        Assert.Equal(
            ["connected", "iteration_start", "intent_detection", "context_building", "iteration_mode", "code_generation",
             "llm_generation", "gemini_processing", "parsing_response", "merging_files", "iteration_complete"],
            stages.Select(s => s.Stage));
        Assert.Equal([0.0, 0.05, 0.1, 0.2, 0.35, 0.4, 0.5, 0.6, 0.7, 0.8, 1.0], stages.Select(s => s.Progress!.Value));
        Assert.All(stages.SkipLast(1), s => Assert.Equal(StageStatus.Running, s.Status));
        Assert.Equal(StageStatus.Completed, stages[^1].Status);
        Assert.Equal("Iteration complete: 19 total files", stages[^1].Message);
        Assert.All(stages, s => Assert.Equal("run-1", s.RunId));
        Assert.All(stages, s => Assert.Equal("backend-a", s.Backend));
        // Receive time, not the upstream's timestamp (1737030904.5 …).
        Assert.Equal(DecoderHarness.Start.AddSeconds(1), stages[0].At);
        Assert.Equal(DecoderHarness.Start.AddSeconds(11), stages[^1].At);
        Assert.Empty(h.Sink.OfType<RunTextReceived>());
        Assert.Equal(RunOutcome.Completed, decoder.Outcome);
        Assert.True(decoder.IsTerminal);
        Assert.Equal(0, h.DecodeErrors);
    }

    [Fact]
    public void Failed_iteration_fixture_fails_with_the_upstream_message()
    {
        var decoder = new CodegenDecoder();
        var h = new DecoderHarness().Feed(decoder, Fixtures.Items("codebegen-iteration-failed.sse"));

        var stages = h.Sink.OfType<RunStageReported>();
        Assert.Equal(9, stages.Count);
        Assert.Equal("iteration_error", stages[^1].Stage);
        Assert.Equal(StageStatus.Failed, stages[^1].Status);
        Assert.Equal(0.6, stages[^1].Progress);
        Assert.Equal(new RunOutcome(RunStatus.Failed, "Iteration failed: upstream LLM timeout"), decoder.Outcome);
    }

    [Fact]
    public void Intermediate_completed_stage_is_not_terminal_but_final_stage_is()
    {
        var decoder = new CodegenDecoder();
        var h = new DecoderHarness().Feed(decoder,
            Event("phased_generation_started", "processing", 0.1, timestamp: 1),
            Event("phase_1_complete", "processing", 0.3, timestamp: 2),
            Event("phased_generation_complete", "completed", 0.9, timestamp: 3));

        Assert.False(decoder.IsTerminal);
        Assert.Null(decoder.Outcome);
        Assert.Equal(StageStatus.Completed, h.Sink.OfType<RunStageReported>()[^1].Status);

        h.Feed(decoder, Event("complete", "completed", 1.0, "Generation complete", timestamp: 4));
        Assert.True(decoder.IsTerminal);
        Assert.Equal(RunOutcome.Completed, decoder.Outcome);
    }

    [Fact]
    public void A_reconnects_connected_greeting_is_a_marker_not_a_stage()
    {
        var decoder = new CodegenDecoder();
        var h = new DecoderHarness();

        h.Feed(decoder,
            Event("connected", "processing", 0.0, timestamp: 1),
            Event("code_generation", "processing", 0.46, timestamp: 2),
            Event("connected", "processing", 0.0, timestamp: 9),
            Event("code_generation", "processing", 0.46, timestamp: 2),
            Event("validation", "processing", 0.5, timestamp: 10));

        Assert.Equal(["connected", "code_generation", "validation"], h.Sink.OfType<RunStageReported>().Select(s => s.Stage));
        Assert.Equal([0.0, 0.46, 0.5], h.Sink.OfType<RunStageReported>().Select(s => s.Progress!.Value));
        var reconnect = Assert.Single(h.Sink.OfType<RunStreamReconnected>());
        Assert.Equal(("run-1", DecoderHarness.Start.AddSeconds(3)), (reconnect.RunId, reconnect.At));
    }

    [Theory]
    [InlineData("iteration_no_changes", "completed", RunStatus.Completed)]
    [InlineData("error", "processing", RunStatus.Failed)]
    [InlineData("timeout", "processing", RunStatus.Failed)]
    [InlineData("code_generation", "failed", RunStatus.Failed)]
    [InlineData("code_generation", "cancelled", RunStatus.Cancelled)]
    public void Terminal_rule(string stage, string status, RunStatus expected)
    {
        var decoder = new CodegenDecoder();
        new DecoderHarness().Feed(decoder, Event(stage, status, 0.5, "why"));

        Assert.True(decoder.IsTerminal);
        Assert.Equal(expected, decoder.Outcome!.Status);
        Assert.Equal(expected == RunStatus.Completed ? null : "why", decoder.Outcome.Error);
    }

    [Fact]
    public void Validation_warning_is_a_warning_stage()
    {
        var h = new DecoderHarness().Feed(new CodegenDecoder(), Event("validation", "warning", 0.9, "2 files have lint issues"));

        var stage = Assert.Single(h.Sink.OfType<RunStageReported>());
        Assert.Equal(StageStatus.Warning, stage.Status);
        Assert.Equal("2 files have lint issues", stage.Message);
    }

    [Fact]
    public void Partial_output_replaces_the_text()
    {
        var h = new DecoderHarness().Feed(new CodegenDecoder(),
            Event("code_generation", "processing", 0.4, partialOutput: "def a():", timestamp: 1),
            Event("code_generation", "processing", 0.5, partialOutput: "def a():\n    pass", timestamp: 2));

        var texts = h.Sink.OfType<RunTextReceived>();
        Assert.Equal(["def a():", "def a():\n    pass"], texts.Select(t => t.Text));
        Assert.All(texts, t => Assert.Equal(TextMode.Replace, t.Mode));
    }

    [Fact]
    public void Partial_output_only_updates_report_the_stage_once_but_every_change_again()
    {
        var h = new DecoderHarness().Feed(new CodegenDecoder(),
            Event("llm_generation", "processing", 0.5, "Generating", partialOutput: "# A", timestamp: 1),
            Event("llm_generation", "processing", 0.5, "Generating", partialOutput: "# A\n\nb", timestamp: 2),
            Event("llm_generation", "processing", 0.5, "Generating", partialOutput: "# A\n\nbc", timestamp: 3),
            Event("llm_generation", "processing", 0.6, "Generating", partialOutput: "# A\n\nbcd", timestamp: 4),
            Event("llm_generation", "processing", 0.6, "Parsing", timestamp: 5),
            Event("llm_generation", "completed", 0.6, "Parsing", timestamp: 6),
            Event("parsing", "completed", 0.6, "Parsing", timestamp: 7),
            Event("llm_generation", "completed", 0.6, "Parsing", timestamp: 8));

        var stages = h.Sink.OfType<RunStageReported>();
        Assert.Equal(
            [("llm_generation", 0.5, "Generating", StageStatus.Running), ("llm_generation", 0.6, "Generating", StageStatus.Running),
             ("llm_generation", 0.6, "Parsing", StageStatus.Running), ("llm_generation", 0.6, "Parsing", StageStatus.Completed),
             ("parsing", 0.6, "Parsing", StageStatus.Completed), ("llm_generation", 0.6, "Parsing", StageStatus.Completed)],
            stages.Select(s => (s.Stage, s.Progress!.Value, s.Message, s.Status)));
        Assert.Equal(["# A", "# A\n\nb", "# A\n\nbc", "# A\n\nbcd"], h.Sink.OfType<RunTextReceived>().Select(t => t.Text));
    }

    [Fact]
    public void Progress_is_clamped_to_0_1()
    {
        var h = new DecoderHarness().Feed(new CodegenDecoder(),
            Event("a", "processing", 1.5, timestamp: 1), Event("b", "processing", -0.2, timestamp: 2));

        Assert.Equal([1.0, 0.0], h.Sink.OfType<RunStageReported>().Select(s => s.Progress!.Value));
    }

    [Fact]
    public void Events_replayed_after_a_reconnect_are_not_repeated()
    {
        var items = Fixtures.Items("codebegen-iteration.sse");
        var decoder = new CodegenDecoder();
        var h = new DecoderHarness().Feed(decoder, items.Take(5)).Feed(decoder, items);

        Assert.Equal(items.Count, h.Sink.OfType<RunStageReported>().Count);
        Assert.True(decoder.IsTerminal);
    }

    [Theory]
    [InlineData("error", """{"detail":"Generation crashed"}""", "Generation crashed")]
    [InlineData("message", """{"error":{"message":"quota exceeded"}}""", "quota exceeded")]
    [InlineData("message", """{"type":"error","message":"boom"}""", "boom")]
    public void Error_events_fail_the_run_with_the_upstream_message(string type, string data, string expected)
    {
        var decoder = new CodegenDecoder();
        var h = new DecoderHarness().Feed(decoder, [DecoderHarness.Message(data, type)]);

        Assert.Equal(RunOutcome.Failed(expected), decoder.Outcome);
        var stage = Assert.Single(h.Sink.OfType<RunStageReported>());
        Assert.Equal(StageStatus.Failed, stage.Status);
        Assert.Equal(expected, stage.Message);
    }

    [Fact]
    public void Unknown_event_types_and_fields_are_ignored()
    {
        var decoder = new CodegenDecoder();
        var h = new DecoderHarness().Feed(decoder,
        [
            DecoderHarness.Message("""{"whatever":1}""", "ping"),
            DecoderHarness.Message("""{"note":"no stage here"}"""),
            DecoderHarness.Message("""{"stage":"context_building","status":"processing","progress":0.2,"brand_new":{"x":[1,2]}}"""),
        ]);

        Assert.Equal(0, h.DecodeErrors);
        Assert.Equal("context_building", Assert.Single(h.Sink.OfType<RunStageReported>()).Stage);
        Assert.False(decoder.IsTerminal);
    }

    [Theory]
    [InlineData("{not json")]
    [InlineData("[1,2]")]
    [InlineData("""{"stage":"x","progress":"half"}""")]
    [InlineData("")]
    public void Malformed_data_throws_JsonException(string data)
    {
        var decoder = new CodegenDecoder();
        var context = new DecoderHarness().Context;

        Assert.ThrowsAny<JsonException>(() => decoder.Decode(DecoderHarness.Message(data), context));
        Assert.False(decoder.IsTerminal);
    }
}
