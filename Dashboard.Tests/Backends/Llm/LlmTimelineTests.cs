using Dashboard.Backends.Anthropic;
using Dashboard.Backends.Llm;
using Dashboard.Domain;
using Dashboard.Ingest;

namespace Dashboard.Tests.Backends.Llm;

public sealed class LlmTimelineTests
{
    [Fact]
    public void Stages_carry_the_real_elapsed_times()
    {
        var decoder = new AnthropicDecoder();
        var harness = new DecoderHarness(decoder);

        decoder.Timeline.RequestSent(harness.Context, attempt: 1);
        harness.Clock.Advance(TimeSpan.FromMilliseconds(120));
        decoder.Timeline.Connected(harness.Context);
        harness.Clock.Advance(TimeSpan.FromMilliseconds(630));
        harness.Decoder.Decode(new SseItem("content_block_delta", """{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"Hi"}}""", ""), harness.Context);
        harness.Clock.Advance(TimeSpan.FromSeconds(2));
        harness.Decoder.Decode(new SseItem("message_stop", """{"type":"message_stop"}""", ""), harness.Context);

        var stages = harness.Events.OfType<RunStageReported>().Select(s => (s.Stage, s.Status, s.Message, s.At - DecoderHarness.Start)).ToList();
        Assert.Equal(
            [
                (LlmStages.Request, StageStatus.Running, null, TimeSpan.Zero),
                (LlmStages.Request, StageStatus.Completed, "stream open after 120 ms", TimeSpan.FromMilliseconds(120)),
                (LlmStages.Accepted, StageStatus.Completed, null, TimeSpan.FromMilliseconds(750)),
                (LlmStages.FirstToken, StageStatus.Completed, "after 750 ms", TimeSpan.FromMilliseconds(750)),
                (LlmStages.Streaming, StageStatus.Running, null, TimeSpan.FromMilliseconds(750)),
                (LlmStages.Streaming, StageStatus.Completed, null, TimeSpan.FromMilliseconds(2750)),
                (LlmStages.Done, StageStatus.Completed, "after 2750 ms", TimeSpan.FromMilliseconds(2750)),
            ],
            stages);
    }

    [Fact]
    public void A_retried_request_says_which_attempt_it_is()
    {
        var decoder = new AnthropicDecoder();
        var harness = new DecoderHarness(decoder);

        decoder.Timeline.RequestSent(harness.Context, attempt: 2);

        var stage = Assert.IsType<RunStageReported>(Assert.Single(harness.Events));
        Assert.Equal("attempt 2", stage.Message);
    }

    [Fact]
    public void Cancel_closes_the_open_stage_as_cancelled()
    {
        var decoder = new AnthropicDecoder();
        var harness = new DecoderHarness(decoder);

        decoder.Timeline.RequestSent(harness.Context, attempt: 1);
        decoder.Timeline.Cancelled(harness.Context);

        var last = Assert.IsType<RunStageReported>(harness.Events[^1]);
        Assert.Equal((LlmStages.Request, StageStatus.Cancelled), (last.Stage, last.Status));
    }
}
