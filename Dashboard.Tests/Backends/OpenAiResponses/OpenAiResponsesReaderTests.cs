using System.Text;
using System.Text.Json;
using Dashboard.Backends.Llm;
using Dashboard.Backends.OpenAiResponses;
using Dashboard.Domain;
using Dashboard.Ingest;
using Dashboard.Tests.Backends.Llm;

namespace Dashboard.Tests.Backends.OpenAiResponses;

/// <summary>What the one-pass reader of Responses events must handle itself now that no document does it.</summary>
public sealed class OpenAiResponsesReaderTests
{
    private static readonly Expect E = DecoderHarness.Expect;

    [Fact]
    public async Task Escaped_and_unicode_strings_arrive_unescaped()
    {
        var harness = new DecoderHarness(new OpenAiResponsesDecoder());

        await harness.SseAsync("""
            event: response.output_text.delta
            data: {"type":"response.output_text.delta","delta":"caf\u00e9 \ud83d\ude00 \"q\"\n"}

            event: response.output_text.delta
            data: {"type":"response.output_text\u002edelta","delta":" 日本 😀"}


            """);

        Assert.Equal("café 😀 \"q\"\n 日本 😀", harness.OutputText);
    }

    [Fact]
    public async Task Fields_come_in_any_order_and_unknown_values_are_skipped_whole()
    {
        var harness = new DecoderHarness(new OpenAiResponsesDecoder());

        var events = await harness.SseAsync("""
            event: message
            data: {"response":{"output":[{"type":"message","content":[{"text":"x"}]}],"usage":{"total_tokens":5,"output_tokens":3,"input_tokens":2},"status":"completed"},"logprobs":[[],{"a":null}],"type":"response.completed"}


            """);

        Assert.Equal(2, events.Count);
        Assert.Equal(E.Usage(2, 3, 5), events[0]);
        Assert.Equal(E.Stage(LlmStages.Done, StageStatus.Completed, "completed, after 0 ms"), events[1]);
    }

    [Fact]
    public async Task Null_and_missing_are_absent_and_a_wrong_type_is_too()
    {
        var decoder = new OpenAiResponsesDecoder();
        var harness = new DecoderHarness(decoder);

        var events = await harness.SseAsync("""
            event: response.function_call_arguments.delta
            data: {"type":"response.function_call_arguments.delta","item_id":5,"delta":"ignored"}

            event: response.output_text.delta
            data: {"type":"response.output_text.delta","delta":null}

            event: response.completed
            data: {"type":"response.completed","response":{"status":null,"usage":null}}


            """);

        Assert.Equal(E.Stage(LlmStages.Done, StageStatus.Completed, "after 0 ms"), Assert.Single(events));
        Assert.True(decoder.IsTerminal);
    }

    [Fact]
    public async Task An_error_reads_its_message_and_code_from_the_error_object_first()
    {
        var decoder = new OpenAiResponsesDecoder();
        var harness = new DecoderHarness(decoder);

        await harness.SseAsync("""
            event: error
            data: {"code":"top","error":{"message":"Rate \u006cimited","code":"rate_limit"},"message":"top words"}


            """);

        Assert.Equal("Rate limited (rate_limit)", decoder.Failure);
    }

    [Theory]
    [InlineData("{\"type\":\"response.output_text.delta\",\"delta\":\"x")]
    [InlineData("{\"type\":\"response.output_text.delta\",\"delta\":\"x\"")]
    [InlineData("{\"type\":\"response.output_text.delta\" \"delta\":\"x\"}")]
    [InlineData("{\"delta\":\"x\"}]")]
    [InlineData(" ")]
    public void Malformed_json_fails_with_the_document_parsers_error(string data)
    {
        var harness = new DecoderHarness(new OpenAiResponsesDecoder());
        var expected = Assert.ThrowsAny<JsonException>(() => JsonDocument.Parse(Encoding.UTF8.GetBytes(data)).Dispose());

        var actual = Assert.ThrowsAny<JsonException>(() => harness.Decoder.Decode(new SseItem("response.output_text.delta", data, ""), harness.Context));

        Assert.Equal(expected.Message, actual.Message);
        Assert.Empty(harness.Events);
    }
}
