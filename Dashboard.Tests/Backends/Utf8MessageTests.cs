using System.Text.Json;
using Dashboard.Backends.Common;
using Dashboard.Backends.Jobs;
using Dashboard.Backends.PlainChat;
using Dashboard.Domain;

namespace Dashboard.Tests.Backends;

/// <summary>
/// What the one-pass reader of the simple JSON streams (simple chat, job progress, test generation,
/// CodeDreamer) must handle itself now that no document does it, shown through the simple chat and
/// job decoders.
/// </summary>
public sealed class Utf8MessageTests
{
    [Fact]
    public void A_wrong_type_is_malformed_only_once_the_field_is_read()
    {
        var decoder = new JobsDecoder();
        var h = new DecoderHarness().Feed(decoder, """{"message":5}""");

        // Neither status nor progress: the message is never read, as with a document.
        Assert.Equal(0, h.DecodeErrors);

        var error = Assert.Throws<JsonException>(() => decoder.Decode(DecoderHarness.Message("""{"status":"running","message":5}"""), h.Context));
        Assert.Equal("Field 'message' is not a string.", error.Message);
        Assert.Empty(h.Events);
    }

    [Theory]
    [InlineData("[1,2]", "Expected a JSON object, got Array.")]
    [InlineData("\"text\"", "Expected a JSON object, got String.")]
    [InlineData("null", "Expected a JSON object, got Null.")]
    public void A_root_that_is_not_an_object_fails_with_the_document_paths_message(string data, string message)
    {
        var h = new DecoderHarness(new PlainChatDecoder());

        var error = Assert.Throws<JsonException>(() => h.Decoder.Decode(DecoderHarness.Message(data), h.Context));

        Assert.Equal(message, error.Message);
    }

    [Theory]
    [InlineData("[1,")]
    [InlineData("{\"content\":\"x\"} {}")]
    [InlineData("{\"content\":\"x\",}")]
    public void Malformed_json_fails_with_the_document_parsers_error_first(string data)
    {
        var h = new DecoderHarness(new PlainChatDecoder());
        var expected = Assert.ThrowsAny<JsonException>(() => JsonDocument.Parse(data).Dispose());

        var actual = Assert.ThrowsAny<JsonException>(() => h.Decoder.Decode(DecoderHarness.Message(data), h.Context));

        Assert.Equal(expected.Message, actual.Message);
        Assert.Empty(h.Events);
    }

    [Fact]
    public void Repeated_escaped_and_null_fields_read_as_a_document_reads_them()
    {
        var decoder = new PlainChatDecoder();
        var h = new DecoderHarness().Feed(
            decoder,
            """{"content":"a","content":"b"}""",
            """{"content":"dropped","content":null}""",
            """{"\u0063ontent":"c\u00e9 😀","unknown":{"content":["x"]}}""",
            """{"error":null,"content":"d"}""");

        Assert.Equal(0, h.DecodeErrors);
        Assert.Equal("bcé 😀d", h.OutputText);
        Assert.Null(decoder.Outcome);

        h.Feed(decoder, """{"content":"e","error":{"detail":[{"loc":["body","prompt"],"msg":"too long"}]}}""");
        Assert.Equal(RunOutcome.Failed("prompt: too long"), decoder.Outcome);
        Assert.Equal("bcé 😀d", h.OutputText);
    }

    [Fact]
    public void A_property_name_with_an_invalid_escape_is_skipped_where_the_document_path_failed_the_item()
    {
        const string Data = """{"content":"b","co\udc00ntent":"x"}""";
        var before = new DecoderHarness(new DocumentPlainChatDecoder());
        Assert.Throws<InvalidOperationException>(() => before.Decoder.Decode(DecoderHarness.Message(Data), before.Context));

        var now = new DecoderHarness(new PlainChatDecoder());
        now.Decoder.Decode(DecoderHarness.Message(Data), now.Context);

        Assert.Equal("b", now.OutputText);
    }
}
