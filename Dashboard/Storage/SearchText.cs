using Dashboard.State;

namespace Dashboard.Storage;

/// <summary>
/// The user's search words: runs of letters and digits (as the index splits text), every one of
/// which must occur. Each becomes a quoted FTS5 string, so quotes, <c>*</c>, <c>NEAR</c>,
/// <c>AND</c>/<c>OR</c> or a lone <c>-</c> are never parsed as query syntax.
/// </summary>
public static class SearchText
{
    /// <summary>Marks around a matched word in <see cref="RunListItem.Match"/> (private-use characters, never in a snippet's own text).</summary>
    public const char MarkStart = '\uE000';
    public const char MarkEnd = '\uE001';

    private const int MaxWords = 16;
    private const int MaxWordChars = 100;

    public static IReadOnlyList<string> Words(string? q)
    {
        if (string.IsNullOrWhiteSpace(q))
        {
            return [];
        }

        // Runs of letters and digits, as the index's tokenizer splits text: "NEAR(a" is the words NEAR and a.
        var words = new List<string>();
        var start = -1;
        for (var i = 0; i <= q.Length; i++)
        {
            var inWord = i < q.Length && char.IsLetterOrDigit(q[i]);
            if (inWord && start < 0)
            {
                start = i;
            }
            else if (!inWord && start >= 0)
            {
                words.Add(q[start..Math.Min(i, start + MaxWordChars)]);
                start = -1;
            }
        }

        return words
            .Distinct(StringComparer.OrdinalIgnoreCase)
            .Take(MaxWords)
            .ToArray();
    }

    /// <summary>Every word must occur (implicit AND), each as a quoted string.</summary>
    public static string FtsQuery(IReadOnlyList<string> words) =>
        string.Join(' ', words.Select(w => "\"" + w.Replace("\"", "\"\"", StringComparison.Ordinal) + "\""));

    /// <summary>The in-memory equivalent for runs in flight: every word in the prompt or the output, ignoring case.</summary>
    public static bool Matches(RunView run, IReadOnlyList<string> words)
    {
        var text = run.Text.ToString();
        return words.All(w => run.Prompt.Contains(w, StringComparison.OrdinalIgnoreCase) || text.Contains(w, StringComparison.OrdinalIgnoreCase));
    }

    /// <summary>The first word found, with some context, marked.</summary>
    public static string? Snippet(RunView run, IReadOnlyList<string> words) => Snippet(run.Prompt, run.Text.ToString(), words);

    /// <summary>
    /// The first of the words found in the prompt, else in the text, with some context, marked: a
    /// whole word if there is one (as the index matched it), else the first place it occurs in a longer one.
    /// </summary>
    public static string? Snippet(string prompt, string text, IReadOnlyList<string> words)
    {
        foreach (var wholeWord in new[] { true, false })
        {
            foreach (var source in new[] { prompt, text })
            {
                foreach (var word in words)
                {
                    var at = Find(source, word, wholeWord);
                    if (at >= 0)
                    {
                        var start = Math.Max(0, at - 40);
                        var end = Math.Min(source.Length, at + word.Length + 40);
                        return (start > 0 ? "…" : "") + source[start..at] + MarkStart + source.Substring(at, word.Length) + MarkEnd
                            + source[(at + word.Length)..end] + (end < source.Length ? "…" : "");
                    }
                }
            }
        }

        return null;
    }

    private static int Find(string source, string word, bool wholeWord)
    {
        for (var at = source.IndexOf(word, StringComparison.OrdinalIgnoreCase); at >= 0; at = source.IndexOf(word, at + 1, StringComparison.OrdinalIgnoreCase))
        {
            var end = at + word.Length;
            if (!wholeWord || ((at == 0 || !char.IsLetterOrDigit(source[at - 1])) && (end == source.Length || !char.IsLetterOrDigit(source[end]))))
            {
                return at;
            }
        }

        return -1;
    }
}
