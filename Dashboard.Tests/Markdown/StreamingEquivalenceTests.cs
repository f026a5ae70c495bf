using System.Text;
using Dashboard.Markdown;
using Dashboard.State;

namespace Dashboard.Tests.Markdown;

/// <summary>
/// Prefix equivalence: for random documents cut at random points, the finished blocks plus the
/// incrementally rendered tail are, character for character, one full render of the same prefix.
/// A small split threshold makes the open-paragraph split happen constantly.
/// </summary>
public sealed class StreamingEquivalenceTests
{
    private static readonly MarkdownHtml Html = new();

    private static readonly string[] Words =
    [
        "alpha", "beta", "gamma", "delta", "snake_case", "x", "Plan", "value", "über", "naïve",
        "*em*", "**strong**", "_under_", "`code`", "``a`b``", "~~gone~~", "[link](https://example.com)",
        "https://example.com/a", "a*b", "*", "_", "[", "]", "`", "<", ">", "&", "&amp;", "\\*", "==mark==",
        "++ins++", "^sup^", "~sub~", "x^2", "1.", "#", "-", "|", "<b>raw</b>", "<script>alert(1)</script>",
        "![img](https://example.com/i.png)", "<https://example.com>", "javascript:alert(1)", "[bad](javascript:alert(1))",
    ];

    private static string Sentence(Random random, int words)
    {
        var sb = new StringBuilder();
        for (var i = 0; i < words; i++)
        {
            if (i > 0)
            {
                sb.Append(random.Next(12) == 0 ? "\n" : " ");
            }

            sb.Append(Words[random.Next(Words.Length)]);
        }

        return sb.ToString();
    }

    private static string Plain(Random random, int words)
    {
        var sb = new StringBuilder();
        for (var i = 0; i < words; i++)
        {
            if (i > 0)
            {
                sb.Append(random.Next(10) == 0 ? "\n" : " ");
            }

            sb.Append(Words[random.Next(14)]);
            if (random.Next(15) == 0)
            {
                sb.Append(" **bold** and `code`");
            }
        }

        return sb.ToString();
    }

    private static string Block(Random random) => random.Next(13) switch
    {
        0 => "# " + Sentence(random, random.Next(1, 5)).Replace('\n', ' '),
        1 => "## " + Sentence(random, random.Next(1, 5)).Replace('\n', ' '),
        2 => string.Join("\n", Enumerable.Range(0, random.Next(1, 5)).Select(_ => "- " + Sentence(random, random.Next(1, 6)).Replace('\n', ' '))),
        3 => string.Join("\n", Enumerable.Range(1, random.Next(1, 5)).Select(i => $"{i}. " + Sentence(random, random.Next(1, 6)).Replace('\n', ' '))),
        4 => "```python\ndef f():\n\n    return \"*\" # " + Sentence(random, 3).Replace('\n', ' ') + "\n```",
        5 => "> " + Sentence(random, random.Next(2, 10)).Replace("\n", "\n> ", StringComparison.Ordinal),
        6 => "| a | b |\n|---|---|\n| " + Words[random.Next(Words.Length)].Replace("|", "", StringComparison.Ordinal) + " | 2 |",
        7 => "---",
        8 => Sentence(random, random.Next(3, 12)) + "\n===",
        9 => "- item\n\n  more of the item\n\n      code",
        10 => Plain(random, random.Next(50, 400)),
        11 => string.Concat(Enumerable.Range(0, random.Next(20, 200)).Select(_ => Words[random.Next(14)] + " ")).TrimEnd(),
        _ => Sentence(random, random.Next(3, 60)),
    };

    private static string Document(Random random)
    {
        var sb = new StringBuilder();
        var blocks = random.Next(1, 12);
        for (var i = 0; i < blocks; i++)
        {
            if (i > 0)
            {
                sb.Append(random.Next(4) == 0 ? "\n" : random.Next(6) == 0 ? "\n\n\n" : "\n\n");
            }

            sb.Append(Block(random));
        }

        return sb.ToString();
    }

    private static string Rendered(MarkdownStream stream) =>
        string.Concat(stream.Finished.Select(b => b.Html)) + stream.Tail?.Html;

    /// <summary>Documents per split threshold, and cut points checked in each.</summary>
    private const int Documents = 48;
    private const int CutsPerDocument = 3;

    [Theory]
    [InlineData(1)]
    [InlineData(7)]
    [InlineData(32)]
    [InlineData(2_048)]
    public void Finished_blocks_plus_the_incremental_tail_equal_one_full_render_at_random_cut_points(int splitThreshold)
    {
        // Fixed, and named in a failure, so the failing document and cut can be replayed.
        var seed = 15 + splitThreshold;
        var random = new Random(seed);
        for (var doc = 0; doc < Documents; doc++)
        {
            var text = Document(random);
            // Streamed in random deltas up to its last cut only, landing on each cut, where the
            // stream must equal a full render. Full renders of every prefix cost the suite several
            // times the incremental updates they checked.
            var cuts = Enumerable.Range(0, CutsPerDocument).Select(_ => random.Next(1, text.Length + 1)).Distinct().Order().ToArray();
            var buffer = new TextBuffer(1_000_000);
            var stream = new MarkdownStream(Html, splitThreshold);
            var position = 0;
            foreach (var cut in cuts)
            {
                while (position < cut)
                {
                    var delta = Math.Min(cut - position, random.Next(1, 40));
                    buffer.Append(text.AsSpan(position, delta));
                    position += delta;
                    var (generation, current) = buffer.Read();
                    stream.Update(generation, current);
                }

                var prefix = text[..position];
                var full = Html.ToHtml(prefix);
                var streamed = Rendered(stream);
                // The message only on a mismatch: built up front, it rendered each prefix a second time.
                if (full != streamed)
                {
                    Assert.Fail($"seed {seed}, document {doc}, cut at {position} of {text.Length}:\n{prefix}\n---\nfull:\n{full}\n---\nstreamed:\n{streamed}");
                }
            }
        }
    }

    [Fact]
    public void A_long_open_paragraph_converts_about_its_unfinished_end_per_update()
    {
        var buffer = new TextBuffer(2_000_000);
        var stream = new MarkdownStream(Html);
        const string words = "streamed words go on and on without a blank line ";
        var updates = 0;
        while (buffer.Length < 200_000)
        {
            buffer.Append(words);
            var (generation, text) = buffer.Read();
            stream.Update(generation, text);
            updates++;
        }

        Assert.Empty(stream.Finished);
        Assert.Equal(Html.ToHtml(buffer.ToString()), stream.Tail!.Html);
        // Whole-paragraph conversion per update would be ~updates * n / 2 (hundreds of millions of
        // chars); frozen prefixes keep each update's conversion within about two split thresholds.
        Assert.True(stream.ConvertedChars < (long)updates * 3 * MarkdownStream.DefaultSplitThreshold, $"{stream.ConvertedChars} chars converted in {updates} updates");
    }
}
