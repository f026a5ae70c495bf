using System.Text.Json;
using Dashboard.Backends.Common;
using Dashboard.Backends.Jobs;
using Dashboard.Domain;
using Dashboard.Tests.Backends.SeedTestSupport;

namespace Dashboard.Tests.Backends.Jobs;

public sealed class JobsDecoderTests
{
    [Fact]
    public void Progress_fixture_is_normalized_and_ends_on_DONE()
    {
        var decoder = new JobsDecoder();
        var items = SeedFixtures.Items("job-progress.sse");
        var h = new DecoderHarness().Feed(decoder, items.SkipLast(1));

        var stages = h.Sink.OfType<RunStageReported>();
        Assert.Equal([0.0, 0.01, 0.02, 0.5, 0.99, 1.0], stages.Select(s => s.Progress!.Value));
        Assert.Equal(["running", "running", "running", "running", "running", "completed"], stages.Select(s => s.Stage));
        Assert.Equal(StageStatus.Completed, stages[^1].Status);
        Assert.Equal("Task completed successfully", stages[^1].Message);
        Assert.Equal("Processing step 50/100", stages[3].Message);
        Assert.False(decoder.IsTerminal);

        h.Feed(decoder, items.TakeLast(1));
        Assert.True(decoder.IsTerminal);
        Assert.Equal(RunOutcome.Completed, decoder.Outcome);
        Assert.Equal(6, h.Events.Count);
    }

    [Fact]
    public void Not_found_fixture_fails_with_the_upstream_message()
    {
        var decoder = new JobsDecoder();
        var h = new DecoderHarness().Feed(decoder, SeedFixtures.Items("job-not-found.sse"));

        Assert.Equal(RunOutcome.Failed("Job not found"), decoder.Outcome);
        var stage = Assert.Single(h.Sink.OfType<RunStageReported>());
        Assert.Equal(StageStatus.Failed, stage.Status);
        Assert.Equal("Job not found", stage.Message);
    }

    [Fact]
    public void Failed_status_ends_the_run_failed()
    {
        var decoder = new JobsDecoder();
        new DecoderHarness().Feed(decoder, """{"status": "failed", "progress": 40, "message": "disk full"}""");

        Assert.Equal(RunOutcome.Failed("disk full"), decoder.Outcome);
    }

    [Fact]
    public void Unknown_types_and_fields_are_ignored_and_malformed_json_throws()
    {
        var decoder = new JobsDecoder();
        var h = new DecoderHarness().Feed(decoder,
        [
            DecoderHarness.Message("{}", "tick"),
            DecoderHarness.Message("""{"eta": 3}"""),
            DecoderHarness.Message("""{"status": "pending", "progress": 0, "extra": true}"""),
            DecoderHarness.Message("""{"status": "running", "progress": 10"""),
        ]);

        Assert.Equal(1, h.DecodeErrors);
        Assert.Equal("pending", Assert.Single(h.Sink.OfType<RunStageReported>()).Stage);
        Assert.ThrowsAny<JsonException>(() => decoder.Decode(DecoderHarness.Message("""{"progress": "ten"}"""), h.Context));
    }
}
