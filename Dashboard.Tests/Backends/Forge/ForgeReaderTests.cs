using System.Text;
using System.Text.Json;
using Dashboard.Backends.Forge;
using Dashboard.Domain;
using Dashboard.Ingest;

namespace Dashboard.Tests.Backends.Forge;

/// <summary>What the one-pass reader of Forge snapshots must handle itself now that no document does it.</summary>
public sealed class ForgeReaderTests
{
    [Fact]
    public async Task Escaped_and_unicode_text_parts_are_joined_unescaped()
    {
        var harness = new DecoderHarness(new ForgeDecoder());

        await harness.SseAsync("""
            event: response.output_text.delta
            data: {"object":"response","output":[{"type":"message","content":[{"type":"output_text","text":"caf\u00e9 \ud83d\ude00\n"},{"type":"output\u005ftext","text":"日本 \"q\""}]}]}


            """);

        Assert.Equal("café 😀\n日本 \"q\"", harness.OutputText);
    }

    [Fact]
    public async Task Fields_come_in_any_order_and_unknown_values_are_skipped_whole()
    {
        var harness = new DecoderHarness(new ForgeDecoder());

        var events = await harness.SseAsync("""
            event: response.output_text.delta
            data: {"output":[{"content":[{"annotations":[{"text":"not this"}],"text":"A","type":"output_text"}],"extra":{"content":[{"type":"output_text","text":"nor this"}]},"type":"message"}],"metadata":{"output":[]},"model":"m","object":"response","id":"r1"}


            """);

        Assert.Equal("A", harness.OutputText);
        Assert.Equal("r1", Assert.Single(events.OfType<RunUpstreamIdAssigned>()).UpstreamId);
    }

    [Fact]
    public async Task A_repeated_output_or_content_keeps_its_last_value()
    {
        var harness = new DecoderHarness(new ForgeDecoder());

        await harness.SseAsync("""
            event: response.output_text.delta
            data: {"object":"response","output":[{"type":"message","content":[{"type":"output_text","text":"old"}]}],"output":[{"type":"message","content":[{"type":"output_text","text":"gone"}],"content":[{"type":"output_text","text":"new"}]}]}


            """);

        Assert.Equal("new", harness.OutputText);
    }

    [Fact]
    public async Task Queries_keep_only_strings_and_results_count_only_an_array()
    {
        var harness = new DecoderHarness(new ForgeDecoder());

        var events = await harness.SseAsync("""
            event: response.web_search_call.searching
            data: {"object":"response","output":[{"type":"web_search_call","id":"ws_1","status":"searching","queries":["a",null,2,"b"],"results":null}]}

            event: response.web_search_call.completed
            data: {"object":"response","output":[{"type":"web_search_call","id":"ws_1","status":"completed","queries":[],"results":[]}]}


            """);

        string?[] expected = ["queries: a, b", "0 results"];
        Assert.Equal(expected, events.OfType<RunToolCallUpdated>().Select(t => t.Detail));
    }

    [Fact]
    public async Task A_null_error_is_no_error_and_an_unchanged_snapshot_sends_nothing_again()
    {
        var decoder = new ForgeDecoder();
        var harness = new DecoderHarness(decoder);

        var events = await harness.SseAsync("""
            event: response.output_text.delta
            data: {"object":"response","status":"in_progress","error":null,"output":[{"type":"message","content":[{"type":"output_text","text":"A"}]}],"usage":{"input_tokens":1}}

            event: response.output_text.delta
            data: {"object":"response","status":"completed","error":null,"output":[{"type":"message","content":[{"type":"output_text","text":"A"}]}],"usage":{"input_tokens":1}}

            event: done
            data: {}


            """);

        Assert.Single(events.OfType<RunTextReceived>());
        Assert.Single(events.OfType<RunUsageReported>());
        Assert.True(decoder.IsTerminal);
        Assert.Null(decoder.Failure);
    }

    [Theory]
    [InlineData("{\"object\":\"response\",\"output\":[{\"type\":\"message\"")]
    [InlineData("{\"object\":\"response\",\"output\":[{\"type\":\"message\"}]")]
    [InlineData("{\"object\":\"response\",\"output\":[{\"type\":\"message\"}]}}")]
    [InlineData("{\"object\":response}")]
    public void Malformed_json_fails_with_the_document_parsers_error(string data)
    {
        var harness = new DecoderHarness(new ForgeDecoder());
        var expected = Assert.ThrowsAny<JsonException>(() => JsonDocument.Parse(Encoding.UTF8.GetBytes(data)).Dispose());

        var actual = Assert.ThrowsAny<JsonException>(() => harness.Decoder.Decode(new SseItem("response.output_text.delta", data, ""), harness.Context));

        Assert.Equal(expected.Message, actual.Message);
        Assert.Empty(harness.Events);
    }
}
