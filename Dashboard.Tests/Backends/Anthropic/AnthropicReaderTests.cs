using System.Text;
using System.Text.Json;
using Dashboard.Backends.Anthropic;
using Dashboard.Benchmarks.Ingest;
using Dashboard.Domain;
using Dashboard.Ingest;

namespace Dashboard.Tests.Backends.Anthropic;

/// <summary>What the one-pass reader of Messages events must handle itself now that no document does it.</summary>
public sealed class AnthropicReaderTests
{
    [Fact]
    public async Task Escaped_and_unicode_strings_arrive_unescaped()
    {
        var harness = new DecoderHarness(new AnthropicDecoder());

        await harness.SseAsync("""
            event: content_block_delta
            data: {"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"caf\u00e9 \ud83d\ude00 \"q\"\n"}}

            event: content_block_delta
            data: {"type":"content_block_\u0064elta","index":0,"delta":{"\u0074ype":"text_delta","text":" 日本 😀"}}


            """);

        Assert.Equal("café 😀 \"q\"\n 日本 😀", harness.OutputText);
    }

    [Fact]
    public async Task Fields_come_in_any_order_and_unknown_values_are_skipped_whole()
    {
        var harness = new DecoderHarness(new AnthropicDecoder());

        await harness.SseAsync("""
            event: content_block_delta
            data: {"delta":{"text":"Hi","citation":{"a":[1,{"text":"not this"}]},"type":"text_delta"},"index":0,"unknown":[[],{"type":"error"}],"type":"content_block_delta"}


            """);

        Assert.Equal("Hi", harness.OutputText);
    }

    [Fact]
    public async Task Null_missing_and_wrongly_typed_counts_keep_the_totals_so_far()
    {
        var harness = new DecoderHarness(new AnthropicDecoder());

        var events = await harness.SseAsync("""
            event: message_start
            data: {"type":"message_start","message":{"id":"msg_1","model":"claude","usage":{"input_tokens":25,"output_tokens":1}}}

            event: message_delta
            data: {"type":"message_delta","delta":{"stop_reason":null},"usage":{"output_tokens":null,"input_tokens":"7"}}

            event: message_delta
            data: {"type":"message_delta","usage":{"output_tokens":15}}


            """);

        Usage[] expected = [new(25, 1, 26), new(25, 1, 26), new(25, 15, 40)];
        Assert.Equal(expected, events.OfType<RunUsageReported>().Select(u => u.Usage));
    }

    [Fact]
    public async Task A_repeated_field_keeps_its_last_value()
    {
        var harness = new DecoderHarness(new AnthropicDecoder());

        await harness.SseAsync("""
            event: content_block_delta
            data: {"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"first","text":"second"}}

            event: content_block_delta
            data: {"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"dropped"},"delta":null}


            """);

        Assert.Equal("second", harness.OutputText);
    }

    [Theory]
    [InlineData("{\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"text_delta\",\"text\":\"Hi")]
    [InlineData("{\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"text_delta\",\"text\":\"Hi\"}")]
    [InlineData("{\"type\":\"content_block_delta\",\"index\":0,}")]
    [InlineData("{\"type\":\"content_block_delta\"} trailing")]
    [InlineData("")]
    [InlineData("not json")]
    public void Malformed_json_fails_with_the_document_parsers_error(string data)
    {
        var harness = new DecoderHarness(new AnthropicDecoder());
        var expected = Assert.ThrowsAny<JsonException>(() => JsonDocument.Parse(Encoding.UTF8.GetBytes(data)).Dispose());

        var actual = Assert.ThrowsAny<JsonException>(() => harness.Decoder.Decode(new SseItem("content_block_delta", data, ""), harness.Context));

        Assert.Equal(expected.Message, actual.Message);
        Assert.Empty(harness.Events);
    }

    [Fact]
    public void A_bad_escape_fails_where_the_field_is_used_not_before()
    {
        var harness = new DecoderHarness(new AnthropicDecoder());

        // The model is read after the id is reported, as it was from a document.
        Assert.Throws<InvalidOperationException>(() => harness.Decoder.Decode(
            new SseItem("message_start", """{"type":"message_start","message":{"model":"\ud800","id":"msg_1"}}""", ""), harness.Context));
        harness.Decoder.Decode(new SseItem("content_block_stop", """{"type":"content_block_stop","index":0,"unused":"\udc00"}""", ""), harness.Context);

        Assert.Equal("msg_1", Assert.Single(harness.Events.OfType<RunUpstreamIdAssigned>()).UpstreamId);
        Assert.Single(harness.Events);
    }

    [Fact]
    public void A_property_name_with_an_invalid_escape_is_skipped_where_the_document_path_failed_the_item()
    {
        const string Data = """{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"ok","te\ud800xt":"x"}}""";
        var before = new DecoderHarness(new DocumentAnthropicDecoder());
        Assert.Throws<InvalidOperationException>(() => before.Decoder.Decode(new SseItem("content_block_delta", Data, ""), before.Context));

        var now = new DecoderHarness(new AnthropicDecoder());
        now.Decoder.Decode(new SseItem("content_block_delta", Data, ""), now.Context);

        Assert.Equal("ok", now.OutputText);
    }
}
