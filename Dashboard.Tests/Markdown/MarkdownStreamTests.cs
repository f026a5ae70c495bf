using Dashboard.Markdown;
using Dashboard.State;

namespace Dashboard.Tests.Markdown;

public sealed class MarkdownStreamTests
{
    private static readonly MarkdownHtml Html = new();

    private static List<(int Start, int Length)> Blocks(string text)
    {
        var blocks = new List<(int, int)>();
        new MarkdownBlockScanner().Scan(text, (s, l) => blocks.Add((s, l)));
        return blocks;
    }

    [Fact]
    public void Splits_at_blank_lines_followed_by_an_unindented_line()
    {
        const string text = "# Title\n\nFirst para\nstill first\n\nSecond\n";
        var blocks = Blocks(text);

        Assert.Equal(["# Title\n\n", "First para\nstill first\n\n"], blocks.Select(b => text.Substring(b.Start, b.Length)));
    }

    [Fact]
    public void Blank_lines_inside_a_fence_do_not_split_and_the_fence_close_does()
    {
        const string text = "```python\ndef f():\n\n    return 1\n\n\n```\nafter\n";
        var blocks = Blocks(text);

        var only = Assert.Single(blocks);
        Assert.Equal("```python\ndef f():\n\n    return 1\n\n\n```\n", text.Substring(only.Start, only.Length));
    }

    [Fact]
    public void A_shorter_or_different_fence_does_not_close_and_tildes_work()
    {
        const string text = "````\n```\n\nstill code\n````\n~~~\n\n```\n~~~\n";
        var blocks = Blocks(text);

        Assert.Equal(["````\n```\n\nstill code\n````\n", "~~~\n\n```\n~~~\n"], blocks.Select(b => text.Substring(b.Start, b.Length)));
    }

    [Fact]
    public void Indented_continuations_stay_in_the_block()
    {
        const string text = "- item\n\n  more of the item\n\n      code\n\nNext\n";
        var blocks = Blocks(text);

        var only = Assert.Single(blocks);
        Assert.Equal("- item\n\n  more of the item\n\n      code\n\n", text.Substring(only.Start, only.Length));
    }

    [Fact]
    public void Inline_triple_backticks_are_not_a_fence()
    {
        const string text = "use ```x``` here\n\nnext\n\n";
        Assert.Single(Blocks(text));
    }

    [Fact]
    public void Streaming_in_small_deltas_gives_the_same_html_as_rendering_at_once()
    {
        const string text = "# Plan\n\nSome *text* here.\n\n```js\nconst a = 1;\n\nconst b = 2;\n```\n| a | b |\n|---|---|\n| 1 | 2 |\n\n1. one\n2. two\n\nDone.";
        var buffer = new TextBuffer(10_000);
        var stream = new MarkdownStream(Html);
        for (var i = 0; i < text.Length; i += 3)
        {
            buffer.Append(text.AsSpan(i, Math.Min(3, text.Length - i)));
            var (generation, current) = buffer.Read();
            stream.Update(generation, current);
        }

        var oneShot = new MarkdownStream(Html);
        oneShot.Update(0, text.AsMemory());
        var streamed = string.Concat(stream.Finished.Select(b => b.Html)) + stream.Tail?.Html;
        var whole = string.Concat(oneShot.Finished.Select(b => b.Html)) + oneShot.Tail?.Html;

        Assert.Equal(whole, streamed);
        Assert.Contains("<h1>Plan</h1>", streamed, StringComparison.Ordinal);
        Assert.Contains("language-js", stream.Finished[2].Html, StringComparison.Ordinal);
    }

    [Fact]
    public void Finished_blocks_are_converted_once_and_kept_as_the_same_objects()
    {
        var buffer = new TextBuffer(1_000_000);
        var stream = new MarkdownStream(Html);
        buffer.Append("# One\n\nTwo\n\nThree ");
        stream.Update(buffer.Generation, buffer.Read().Text);
        var first = stream.Finished.ToArray();
        var conversionsBefore = stream.Conversions;

        for (var i = 0; i < 50; i++)
        {
            buffer.Append("word ");
            stream.Update(buffer.Generation, buffer.Read().Text);
        }

        Assert.Equal(2, stream.Finished.Count);
        Assert.Same(first[0], stream.Finished[0]);
        Assert.Same(first[1], stream.Finished[1]);
        // Only the tail was converted again: one conversion per update.
        Assert.Equal(conversionsBefore + 50, stream.Conversions);
        Assert.Equal("0:2", stream.Tail!.Key);
    }

    [Fact]
    public void A_200_KB_answer_streamed_in_small_chunks_converts_linear_work()
    {
        var buffer = new TextBuffer(1_000_000);
        var stream = new MarkdownStream(Html);
        const string sentence = "A sentence of streamed text that goes on for a while. ";
        var updates = 0;
        while (buffer.Length < 200_000)
        {
            buffer.Append(sentence);
            if (updates % 4 == 3)
            {
                buffer.Append("\n\n");
            }

            var (generation, text) = buffer.Read();
            stream.Update(generation, text);
            updates++;
        }

        // Each finished block once, plus at most one paragraph of tail per update. Re-converting the
        // whole text per chunk would be ~updates * n / 2 (hundreds of millions of chars here).
        var paragraph = (4 * sentence.Length) + 2;
        Assert.True(stream.ConvertedChars <= buffer.Length + ((long)updates * paragraph), $"{stream.ConvertedChars} chars converted for {buffer.Length}");
        Assert.True(stream.Finished.Count > 900);
    }

    [Fact]
    public void A_new_generation_starts_over_with_new_keys()
    {
        var buffer = new TextBuffer(1_000);
        var stream = new MarkdownStream(Html);
        buffer.Append("Old one\n\nOld two\n\nOld three");
        stream.Update(buffer.Generation, buffer.Read().Text);
        Assert.Equal(2, stream.Finished.Count);

        buffer.Replace("Fresh");
        var (generation, text) = buffer.Read();
        Assert.True(stream.Update(generation, text));

        Assert.Empty(stream.Finished);
        Assert.Equal("<p>Fresh</p>\n", stream.Tail!.Html);
        Assert.Equal("1:0", stream.Tail.Key);
    }

    [Fact]
    public void No_change_reports_no_change()
    {
        var stream = new MarkdownStream(Html);
        Assert.True(stream.Update(0, "Hi".AsMemory()));
        Assert.False(stream.Update(0, "Hi".AsMemory()));
        Assert.Equal(1, stream.Conversions);
    }
}
