using System.Text.Json;
using Dashboard.Backends.Common;
using Dashboard.Backends.TestGen;
using Dashboard.Domain;
using Dashboard.Tests.Backends.SeedTestSupport;

namespace Dashboard.Tests.Backends.TestGen;

public sealed class TestGenDecoderTests
{
    [Fact]
    public void Stream_fixture_gives_start_chunks_metadata_and_done()
    {
        var decoder = new TestGenDecoder();
        var h = new DecoderHarness().Feed(decoder, SeedFixtures.Items("testgen-stream.sse"));

        Assert.Collection(h.Events,
            e => Assert.Equal(("start", StageStatus.Running), (((RunStageReported)e).Stage, ((RunStageReported)e).Status)),
            e => Assert.Equal("import pytest\n", ((RunTextReceived)e).Text),
            e => Assert.Equal("\n", ((RunTextReceived)e).Text),
            e => Assert.Equal("def test_calculate_sum():\n", ((RunTextReceived)e).Text),
            e => Assert.Equal("    assert calculate_sum(2, 3) == 5\n", ((RunTextReceived)e).Text),
            e => Assert.Equal(
                new Dictionary<string, string>
                {
                    ["language"] = "python", ["lines"] = "4", ["test_file_name"] = "test_example.py",
                    ["test_framework"] = "pytest", ["test_type"] = "unit",
                },
                ((RunMetadataReported)e).Metadata),
            e => Assert.Equal(("done", StageStatus.Completed), (((RunStageReported)e).Stage, ((RunStageReported)e).Status)));
        Assert.All(h.Sink.OfType<RunTextReceived>(), t => Assert.Equal(TextMode.Append, t.Mode));
        Assert.Equal(RunOutcome.Completed, decoder.Outcome);
    }

    [Fact]
    public void Error_event_fails_the_run_keeping_text()
    {
        var decoder = new TestGenDecoder();
        var h = new DecoderHarness().Feed(decoder,
            """{"type": "start"}""", """{"type": "chunk", "content": "import "}""", """{"type": "error", "error": "LLM quota exceeded"}""");

        Assert.Equal("import ", Assert.Single(h.Sink.OfType<RunTextReceived>()).Text);
        Assert.Equal(RunOutcome.Failed("LLM quota exceeded"), decoder.Outcome);
    }

    [Fact]
    public void Unknown_types_and_fields_are_ignored_and_malformed_json_throws()
    {
        var decoder = new TestGenDecoder();
        var h = new DecoderHarness().Feed(decoder,
        [
            DecoderHarness.Message("""{"type": "progress", "percent": 30}"""),
            DecoderHarness.Message("""{"type": "chunk", "content": "x", "index": 1}"""),
            DecoderHarness.Message("""{"type": "chunk" """),
            DecoderHarness.Message("""{}""", "keepalive"),
        ]);

        Assert.Equal(1, h.DecodeErrors);
        Assert.Equal("x", Assert.Single(h.Sink.OfType<RunTextReceived>()).Text);
        Assert.Null(decoder.Outcome);
        Assert.ThrowsAny<JsonException>(() => decoder.Decode(DecoderHarness.Message("""{"type": 3}"""), h.Context));
    }
}
