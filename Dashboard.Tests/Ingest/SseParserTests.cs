using System.Text;
using Dashboard.Ingest;
using Dashboard.Ingest.Sse;
using Dashboard.Tests.TestSupport;

namespace Dashboard.Tests.Ingest;

/// <summary>
/// Conformance with the WHATWG event stream interpretation; the cases follow the intent of the
/// web-platform-tests eventsource/format-* suite. Every case is also parsed byte by byte and must
/// give the same result as the whole input.
/// </summary>
public sealed class SseParserTests
{
    private static (List<SseItem> Items, SseParser Parser) ParseBothWays(byte[] input, SseParserLimits? limits = null)
    {
        var (whole, parser) = RecordingSseHandler.Parse(input, limits);
        var (bytewise, bytewiseParser) = RecordingSseHandler.Parse(input, Enumerable.Range(1, Math.Max(0, input.Length - 1)), limits);
        Assert.Equal(whole.Items, bytewise.Items);
        Assert.Equal(whole.Oversized, bytewise.Oversized);
        Assert.Equal(parser.LastEventId, bytewiseParser.LastEventId);
        Assert.Equal(parser.ReconnectionTime, bytewiseParser.ReconnectionTime);
        return (whole.Items, parser);
    }

    private static (List<SseItem> Items, SseParser Parser) ParseBothWays(string input) => ParseBothWays(Encoding.UTF8.GetBytes(input));

    private static SseItem Message(string data, string id = "") => new(SseItem.DefaultEventType, data, id);

    [Fact]
    public void One_leading_bom_is_stripped()
    {
        var (items, _) = ParseBothWays([0xEF, 0xBB, 0xBF, .. "data:1\n\n"u8]);
        Assert.Equal([Message("1")], items);
    }

    [Fact]
    public void A_second_bom_is_part_of_the_first_field_name()
    {
        var (items, _) = ParseBothWays([0xEF, 0xBB, 0xBF, 0xEF, 0xBB, 0xBF, .. "data:1\n\ndata:2\n\ndata:3"u8]);
        Assert.Equal([Message("2")], items);
    }

    [Fact]
    public void Bom_bytes_that_are_not_a_bom_are_kept()
    {
        // EF BB followed by something else is an (invalid) start of the first line: decoded as U+FFFD.
        var (items, _) = ParseBothWays([0xEF, 0xBB, (byte)'\n', .. "data:x\n\n"u8]);
        Assert.Equal([Message("x")], items);
    }

    [Fact]
    public void Bom_only_counts_at_the_start_of_a_connection()
    {
        var (items, _) = ParseBothWays([.. "data:a"u8, 0xEF, 0xBB, 0xBF, .. "\n\n"u8]);
        Assert.Equal([Message("a\uFEFF")], items);
    }

    [Fact]
    public void Cr_lf_and_crlf_all_end_lines()
    {
        var (items, _) = ParseBothWays("data:test\r\ndata\ndata:test\r\n\r");
        Assert.Equal([Message("test\n\ntest")], items);
    }

    [Fact]
    public void Cr_at_the_end_of_a_chunk_and_lf_at_the_start_of_the_next_are_one_line_end()
    {
        var input = "data:a\r\ndata:b\r\n\r\n"u8.ToArray();
        var crIndex = Array.IndexOf(input, (byte)'\r');
        var (handler, _) = RecordingSseHandler.Parse(input, [crIndex + 1, input.Length - 1]);
        Assert.Equal([Message("a\nb")], handler.Items);
    }

    [Fact]
    public void Lone_cr_lines_dispatch()
    {
        var (items, _) = ParseBothWays("data:1\r\rdata:2\r\r");
        Assert.Equal([Message("1"), Message("2")], items);
    }

    [Fact]
    public void Comments_are_ignored()
    {
        var (items, _) = ParseBothWays(": heartbeat\n:\ndata:1\n: between\ndata:2\n\n:" + new string('x', 5000) + "\n\n");
        Assert.Equal([Message("1\n2")], items);
    }

    [Fact]
    public void Field_parsing_follows_the_spec()
    {
        // wpt format-field-parsing: only exact, case-sensitive "data" counts; one space stripped.
        var (items, _) = ParseBothWays("data:\0\ndata:  2\rData:1\ndata\0:2\ndata:1\r\0data:4\nda-ta:3\rdata_5\ndata:3\rdata:\r\n data:32\ndata:4\n\n");
        Assert.Equal([Message("\0\n 2\n1\n3\n\n4")], items);
    }

    [Fact]
    public void A_field_without_colon_has_an_empty_value()
    {
        var (items, _) = ParseBothWays("data\n\n");
        Assert.Equal([Message("")], items);
    }

    [Fact]
    public void Only_one_leading_space_is_stripped_and_tabs_are_kept()
    {
        var (items, _) = ParseBothWays("data:  two\n\ndata:\tthree\n\ndata: \n\n");
        Assert.Equal([Message(" two"), Message("\tthree"), Message("")], items);
    }

    [Fact]
    public void Empty_data_line_delivers_an_empty_message()
    {
        var (items, _) = ParseBothWays("data:\n\ndata\ndata\n\n");
        Assert.Equal([Message(""), Message("\n")], items);
    }

    [Fact]
    public void A_blank_line_without_data_delivers_nothing()
    {
        var (items, _) = ParseBothWays("\n\n\nevent:x\n\n");
        Assert.Empty(items);
    }

    [Fact]
    public void Empty_or_absent_event_is_message()
    {
        var (items, _) = ParseBothWays("event: \ndata:a\n\nevent\ndata:b\n\ndata:c\n\n");
        Assert.Equal([Message("a"), Message("b"), Message("c")], items);
    }

    [Fact]
    public void Event_type_is_reset_after_dispatch()
    {
        var (items, _) = ParseBothWays("event:ping\ndata:a\n\ndata:b\n\n");
        Assert.Equal([new SseItem("ping", "a", ""), Message("b")], items);
    }

    [Fact]
    public void Event_type_is_reset_by_a_blank_line_without_data()
    {
        var (items, _) = ParseBothWays("event: foo\n\ndata: x\n\n");
        Assert.Equal([Message("x")], items);
    }

    [Fact]
    public void Last_event_type_line_wins()
    {
        var (items, _) = ParseBothWays("event:a\nevent:b\ndata:x\n\n");
        Assert.Equal([new SseItem("b", "x", "")], items);
    }

    [Fact]
    public void Id_persists_across_events()
    {
        var (items, parser) = ParseBothWays("id: 1\ndata:a\n\ndata:b\n\n");
        Assert.Equal([Message("a", "1"), Message("b", "1")], items);
        Assert.Equal("1", parser.LastEventId);
    }

    [Fact]
    public void Id_containing_nul_is_ignored()
    {
        var (items, parser) = ParseBothWays("id:1\ndata:a\n\nid:2\0x\ndata:b\n\n");
        Assert.Equal([Message("a", "1"), Message("b", "1")], items);
        Assert.Equal("1", parser.LastEventId);
    }

    [Fact]
    public void Id_only_block_updates_the_last_event_id()
    {
        var (items, parser) = ParseBothWays("id:7\n\ndata:a\n\n");
        Assert.Equal([Message("a", "7")], items);
        Assert.Equal("7", parser.LastEventId);
    }

    [Fact]
    public void Empty_id_resets_the_last_event_id()
    {
        var (items, parser) = ParseBothWays("id:1\ndata:a\n\nid\ndata:b\n\nid:2\ndata:c\n\nid:\ndata:d\n\n");
        Assert.Equal([Message("a", "1"), Message("b", ""), Message("c", "2"), Message("d", "")], items);
        Assert.Equal("", parser.LastEventId);
    }

    [Fact]
    public void Id_takes_effect_only_at_dispatch()
    {
        var handler = new RecordingSseHandler();
        using var parser = new SseParser(SseParserLimits.Default, handler);
        parser.Feed("id:1\ndata:a\n\nid:2\n"u8);
        Assert.Equal("1", parser.LastEventId);
        parser.Feed("data:b\n\n"u8);
        Assert.Equal("2", parser.LastEventId);
    }

    [Fact]
    public void Retry_accepts_digits_only()
    {
        Assert.Equal(TimeSpan.FromMilliseconds(1000), ParseBothWays("retry: 1000\n\n").Parser.ReconnectionTime);
        Assert.Equal(TimeSpan.FromMilliseconds(3000), ParseBothWays("retry:3000\nretry:1000x\n\n").Parser.ReconnectionTime);
        Assert.Null(ParseBothWays("retry:10a\n\n").Parser.ReconnectionTime);
        Assert.Null(ParseBothWays("retry\ndata:x\n\n").Parser.ReconnectionTime);
        Assert.Null(ParseBothWays("retry:  1000\n\n").Parser.ReconnectionTime);
        Assert.Null(ParseBothWays("retry:-5\n\n").Parser.ReconnectionTime);
        Assert.Null(ParseBothWays("retry:1.5\n\n").Parser.ReconnectionTime);
        Assert.Null(ParseBothWays("Retry:5\n\n").Parser.ReconnectionTime);
    }

    [Fact]
    public void Retry_takes_effect_without_a_dispatch_and_huge_values_saturate()
    {
        Assert.Equal(TimeSpan.FromMilliseconds(0), ParseBothWays("retry:0\n").Parser.ReconnectionTime);
        var huge = ParseBothWays("retry:" + new string('9', 60) + "\n").Parser.ReconnectionTime;
        Assert.NotNull(huge);
        Assert.True(huge > TimeSpan.FromDays(365));
    }

    [Fact]
    public void Eof_mid_event_discards_it_and_its_id()
    {
        var (items, parser) = ParseBothWays("retry:1000\ndata:test1\n\nid:test\ndata:test2");
        Assert.Equal([Message("test1")], items);
        Assert.Equal("", parser.LastEventId);
    }

    [Fact]
    public void Eof_after_the_last_line_but_before_the_blank_line_discards_the_event()
    {
        var (items, _) = ParseBothWays("data:1\n\ndata:2\n");
        Assert.Equal([Message("1")], items);
    }

    [Fact]
    public void Next_connection_starts_fresh_but_keeps_the_last_event_id()
    {
        var handler = new RecordingSseHandler();
        using var parser = new SseParser(SseParserLimits.Default, handler);
        parser.Feed("id:1\ndata:a\n\nid:2\nevent:x\ndata:partial"u8);
        parser.Complete();
        Assert.Equal("1", parser.LastEventId);
        parser.Feed([0xEF, 0xBB, 0xBF, .. "data:b\n\n"u8]);
        Assert.Equal([Message("a", "1"), Message("b", "1")], handler.Items);
    }

    [Fact]
    public void Unknown_fields_are_ignored()
    {
        var (items, _) = ParseBothWays("foo:bar\ndata:a\nx\n:c\nDATA:z\n\n");
        Assert.Equal([Message("a")], items);
    }

    [Fact]
    public void Multi_line_data_joins_with_lf_and_drops_the_final_one()
    {
        var (items, _) = ParseBothWays("data:line1\ndata: line2\ndata:\n\n");
        Assert.Equal([Message("line1\nline2\n")], items);
    }

    [Fact]
    public void Utf8_split_across_chunks_decodes_whole()
    {
        var input = Encoding.UTF8.GetBytes("data:héllo 👋 €\n\n");
        var expected = new[] { Message("héllo 👋 €") };
        for (var cut = 1; cut < input.Length; cut++)
        {
            var (handler, _) = RecordingSseHandler.Parse(input, [cut]);
            Assert.Equal(expected, handler.Items);
        }
    }

    [Fact]
    public void Invalid_utf8_becomes_replacement_characters()
    {
        var (items, _) = ParseBothWays([.. "data:a"u8, 0xFF, 0xC3, .. "\n\n"u8]);
        Assert.Single(items);
        Assert.StartsWith("a\uFFFD", items[0].Data, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', items[0].Data);
    }

    public static TheoryData<string> FixtureNames()
    {
        var data = new TheoryData<string>();
        foreach (var file in Directory.GetFiles(Fixtures.Directory, "*.sse").Order(StringComparer.Ordinal))
        {
            data.Add(Path.GetFileName(file));
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(FixtureNames))]
    public void Fixture_parses_the_same_at_every_split_point_and_byte_by_byte(string name)
    {
        var bytes = Fixtures.Bytes(name);
        var (whole, wholeParser) = RecordingSseHandler.Parse(bytes);
        Assert.NotEmpty(whole.Items);
        Assert.Empty(whole.Oversized);

        for (var cut = 1; cut < bytes.Length; cut++)
        {
            var (split, parser) = RecordingSseHandler.Parse(bytes, [cut]);
            Assert.Equal(whole.Items, split.Items);
            Assert.Equal(wholeParser.LastEventId, parser.LastEventId);
        }

        var (bytewise, _) = RecordingSseHandler.Parse(bytes, Enumerable.Range(1, bytes.Length - 1));
        Assert.Equal(whole.Items, bytewise.Items);

        var crlf = Encoding.UTF8.GetBytes(Encoding.UTF8.GetString(bytes).Replace("\r\n", "\n", StringComparison.Ordinal).Replace("\n", "\r\n", StringComparison.Ordinal));
        var (crlfItems, _) = RecordingSseHandler.Parse(crlf, Enumerable.Range(1, crlf.Length - 1).Where(i => i % 3 == 0));
        Assert.Equal(whole.Items, crlfItems.Items);
    }

    [Fact]
    public void Oversized_line_drops_its_event_and_the_next_event_is_delivered()
    {
        var limits = new SseParserLimits(MaxLineBytes: 64, MaxEventBytes: 1024);
        var input = Encoding.UTF8.GetBytes("event:big\nid:9\ndata:" + new string('x', 500) + "\ndata:tail\n\ndata:next\n\n");
        var (items, parser) = ParseBothWays(input, limits);
        Assert.Equal([Message("next", "9")], items);
        Assert.Equal(1, parser.OversizedDropped);
        var (handler, _) = RecordingSseHandler.Parse(input, limits);
        var dropped = Assert.Single(handler.Oversized);
        Assert.Equal("big", dropped.EventType);
        Assert.Equal("line too long", dropped.Reason);
        Assert.True(dropped.Bytes > 500);
    }

    [Fact]
    public void Oversized_event_drops_it_and_the_next_event_is_delivered()
    {
        var limits = new SseParserLimits(MaxLineBytes: 64, MaxEventBytes: 100);
        var lines = string.Concat(Enumerable.Repeat("data:" + new string('y', 40) + "\n", 10));
        var input = Encoding.UTF8.GetBytes("data:first\n\n" + lines + "\ndata:after\n\n");
        var (items, parser) = ParseBothWays(input, limits);
        Assert.Equal([Message("first"), Message("after")], items);
        Assert.Equal(1, parser.OversizedDropped);
        var (handler, _) = RecordingSseHandler.Parse(input, limits);
        Assert.Equal("event too large", Assert.Single(handler.Oversized).Reason);
    }

    [Fact]
    public void An_event_exactly_at_the_limit_is_kept()
    {
        var limits = new SseParserLimits(MaxLineBytes: 64, MaxEventBytes: 21);
        var (items, parser) = ParseBothWays("data:0123456789\ndata:012345678\n\n"u8.ToArray(), limits);
        Assert.Equal([Message("0123456789\n012345678")], items);
        Assert.Equal(0, parser.OversizedDropped);
    }

    [Fact]
    public void A_huge_unterminated_line_is_never_buffered()
    {
        var limits = new SseParserLimits(MaxLineBytes: 1024, MaxEventBytes: 4096);
        var handler = new RecordingSseHandler();
        using var parser = new SseParser(limits, handler);
        var chunk = new byte[64 * 1024];
        chunk.AsSpan().Fill((byte)'z');
        parser.Feed("data:"u8);
        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 256; i++)
        {
            parser.Feed(chunk);
        }

        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        parser.Feed("\n\ndata:ok\n\n"u8);
        Assert.True(allocated < 64 * 1024, $"allocated {allocated} bytes while skipping 16 MiB");
        Assert.Equal([Message("ok")], handler.Items);
        Assert.Equal(1, parser.OversizedDropped);
    }

    [Fact]
    public void Id_and_event_values_over_their_budget_are_cut_while_read_not_buffered()
    {
        var limits = new SseParserLimits(MaxLineBytes: 4 * 1024 * 1024, MaxEventBytes: 4 * 1024 * 1024) { MaxFieldBytes = 1024 };
        var handler = new RecordingSseHandler();
        using var parser = new SseParser(limits, handler);
        var chunk = new byte[16 * 1024];
        chunk.AsSpan().Fill((byte)'x');
        var before = GC.GetAllocatedBytesForCurrentThread();
        foreach (var field in new[] { "id: "u8.ToArray(), "event: "u8.ToArray() })
        {
            parser.Feed(field);
            for (var i = 0; i < 128; i++)
            {
                parser.Feed(chunk);
            }

            parser.Feed("\n"u8);
        }

        // A retry value whose discarded part is not all digits is invalid, as a whole line would be.
        parser.Feed("retry: 1"u8);
        parser.Feed(chunk);
        parser.Feed("\ndata: ok\n\n"u8);
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        var item = Assert.Single(handler.Items);
        Assert.Equal("ok", item.Data);
        // A few bytes over the budget: still seen (and cut, and counted) as over budget downstream.
        Assert.InRange(item.LastEventId.Length, 1025, 1024 + 16);
        Assert.InRange(item.EventType.Length, 1025, 1024 + 16);
        Assert.Null(parser.ReconnectionTime);
        Assert.True(allocated < 256 * 1024, $"allocated {allocated} bytes for two 2 MiB lines");
    }

    [Fact]
    public void Eof_inside_an_oversized_event_still_counts_it()
    {
        var limits = new SseParserLimits(MaxLineBytes: 32, MaxEventBytes: 64);
        var (_, parser) = ParseBothWays(Encoding.UTF8.GetBytes("data:" + new string('q', 100)), limits);
        Assert.Equal(1, parser.OversizedDropped);
    }

    private static readonly byte[] Alphabet = [.. "data:\n\r\0:id ry event"u8, 0xFF, 0xC3, 0xEF, 0xBB, 0xBF];

    [Fact]
    public void Garbage_bytes_never_throw()
    {
        var random = new Random(20240601);
        var limits = new SseParserLimits(MaxLineBytes: 256, MaxEventBytes: 512);
        for (var round = 0; round < 200; round++)
        {
            var bytes = new byte[random.Next(0, 2000)];
            random.NextBytes(bytes);
            if (round % 3 == 0)
            {
                // Bias towards structure so field and dispatch paths are exercised too.
                for (var i = 0; i < bytes.Length; i++)
                {
                    bytes[i] = Alphabet[bytes[i] % Alphabet.Length];
                }
            }

            var handler = new RecordingSseHandler();
            using var parser = new SseParser(limits, handler);
            var start = 0;
            while (start < bytes.Length)
            {
                var length = Math.Min(bytes.Length - start, random.Next(1, 64));
                parser.Feed(bytes.AsSpan(start, length));
                start += length;
            }

            parser.Complete();
            Assert.All(handler.Items, item => Assert.True(Encoding.UTF8.GetByteCount(item.Data) <= 512 * 3));
        }
    }

    [Fact]
    public void Nul_bytes_in_data_are_kept()
    {
        var (items, _) = ParseBothWays("data:\0\n\n");
        Assert.Equal([Message("\0")], items);
    }

    [Fact]
    public async Task Stream_helper_reads_a_fixture_like_the_parser()
    {
        var bytes = Fixtures.Bytes("openai-chat.sse");
        var (whole, _) = RecordingSseHandler.Parse(bytes);
        var items = new List<SseItem>();
        await foreach (var item in SseStreamReading.ReadItemsAsync(new MemoryStream(bytes), SseParserLimits.Default))
        {
            items.Add(item);
        }

        Assert.Equal(whole.Items, items);
    }
}
