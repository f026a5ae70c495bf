using Dashboard.State;

namespace Dashboard.Storage;

/// <summary>
/// The user's search words. They are always words: each becomes a quoted FTS5 string, so quotes,
/// <c>*</c>, <c>NEAR</c>, <c>AND</c>/<c>OR</c> or a lone <c>-</c> are matched as text (or ignored
/// when they hold no letter or digit) and never parsed as query syntax.
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

        return q.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries)
            .Where(w => w.Any(char.IsLetterOrDigit))
            .Select(w => w.Length > MaxWordChars ? w[..MaxWordChars] : w)
            .Select(w => w.Replace(MarkStart, ' ').Replace(MarkEnd, ' '))
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
    public static string? Snippet(RunView run, IReadOnlyList<string> words)
    {
        foreach (var source in new[] { run.Prompt, run.Text.ToString() })
        {
            foreach (var word in words)
            {
                var at = source.IndexOf(word, StringComparison.OrdinalIgnoreCase);
                if (at >= 0)
                {
                    var start = Math.Max(0, at - 40);
                    var end = Math.Min(source.Length, at + word.Length + 40);
                    return (start > 0 ? "…" : "") + source[start..at] + MarkStart + source.Substring(at, word.Length) + MarkEnd
                        + source[(at + word.Length)..end] + (end < source.Length ? "…" : "");
                }
            }
        }

        return null;
    }
}
