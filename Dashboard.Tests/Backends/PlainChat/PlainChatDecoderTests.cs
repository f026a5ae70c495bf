using System.Text.Json;
using Dashboard.Backends.Common;
using Dashboard.Backends.PlainChat;
using Dashboard.Domain;
using Dashboard.Tests.Backends.SeedTestSupport;

namespace Dashboard.Tests.Backends.PlainChat;

public sealed class PlainChatDecoderTests
{
    [Fact]
    public void Content_fixture_appends_deltas_until_DONE()
    {
        var decoder = new PlainChatDecoder();
        var h = new DecoderHarness().Feed(decoder, SeedFixtures.Items("simple-content.sse"));

        var texts = h.Sink.OfType<RunTextReceived>();
        Assert.Equal(7, texts.Count);
        Assert.All(texts, t => Assert.Equal(TextMode.Append, t.Mode));
        Assert.Equal("This is a mock response to: hello ", string.Concat(texts.Select(t => t.Text)));
        Assert.Equal(RunOutcome.Completed, decoder.Outcome);
        Assert.Equal(7, h.Events.Count);
    }

    [Fact]
    public void Error_fixture_keeps_the_text_and_fails_with_the_upstream_message()
    {
        var decoder = new PlainChatDecoder();
        var h = new DecoderHarness().Feed(decoder, SeedFixtures.Items("simple-error.sse"));

        Assert.Equal("Hel", Assert.Single(h.Sink.OfType<RunTextReceived>()).Text);
        Assert.Equal(RunOutcome.Failed("rate limited"), decoder.Outcome);
        Assert.Equal(StageStatus.Failed, Assert.Single(h.Sink.OfType<RunStageReported>()).Status);
        Assert.Equal(0, h.DecodeErrors);
    }

    [Fact]
    public void Error_field_on_a_message_fails_the_run()
    {
        var decoder = new PlainChatDecoder();
        new DecoderHarness().Feed(decoder, """{"error": "model unloaded"}""");

        Assert.Equal(RunOutcome.Failed("model unloaded"), decoder.Outcome);
    }

    [Fact]
    public void Unknown_fields_are_ignored_and_malformed_json_throws()
    {
        var decoder = new PlainChatDecoder();
        var h = new DecoderHarness().Feed(decoder, """{"content": "a", "role": "assistant"}""", """{"usage": {"x": 1}}""", "{oops", """{"content": 5}""");

        Assert.Equal(2, h.DecodeErrors);
        Assert.Equal("a", Assert.Single(h.Sink.OfType<RunTextReceived>()).Text);
        Assert.Null(decoder.Outcome);
        Assert.ThrowsAny<JsonException>(() => decoder.Decode(DecoderHarness.Message("nope"), h.Context));
    }
}
