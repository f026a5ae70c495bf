using System.Globalization;
using System.Text;

namespace Dashboard.Api;

/// <summary>One run as a Markdown document: prompt, options, timeline table, output.</summary>
internal static class RunMarkdownExport
{
    public static string Render(RunDto run)
    {
        ArgumentNullException.ThrowIfNull(run);
        var inv = CultureInfo.InvariantCulture;
        var md = new StringBuilder();
        md.Append(inv, $"# Run {run.Id}\n\n");
        md.Append(inv, $"- Backend: {Cell(run.Backend)}\n");
        md.Append(inv, $"- Status: {run.Status.ToString().ToLowerInvariant()}\n");
        md.Append(inv, $"- Started: {run.StartedAt:O}\n");
        if (run.EndedAt is { } ended)
        {
            md.Append(inv, $"- Ended: {ended:O} ({(ended - run.StartedAt).TotalSeconds:0.###} s)\n");
        }

        if (run.Usage is { } usage)
        {
            md.Append(inv, $"- Tokens: {usage.InputTokens?.ToString(inv) ?? "?"} in, {usage.OutputTokens?.ToString(inv) ?? "?"} out, {usage.TotalTokens?.ToString(inv) ?? "?"} total\n");
        }

        if (run.ParentRunId is { } parent)
        {
            md.Append(inv, $"- Parent run: {Cell(parent)}\n");
        }

        if (run.Error is { } error)
        {
            md.Append(inv, $"- Error: {Cell(error)}\n");
        }

        md.Append("\n## Prompt\n\n").Append(Fenced(run.Prompt));

        md.Append("\n## Options\n\n");
        if (run.Options.Count == 0)
        {
            md.Append("None.\n");
        }
        else
        {
            md.Append("| option | value |\n|---|---|\n");
            foreach (var (name, value) in run.Options)
            {
                md.Append(inv, $"| {Cell(name)} | {Cell(value.GetRawText())} |\n");
            }
        }

        md.Append("\n## Timeline\n\n");
        if (run.Timeline.Count == 0)
        {
            md.Append("No stages reported.\n");
        }
        else
        {
            md.Append("| at | stage | status | progress | message |\n|---|---|---|---|---|\n");
            foreach (var t in run.Timeline)
            {
                md.Append(inv, $"| {t.At:O} | {Cell(t.Stage)} | {t.Status.ToString().ToLowerInvariant()} | {(t.Progress is { } p ? p.ToString("P0", inv) : "")} | {Cell(t.Message ?? "")} |\n");
            }
        }

        md.Append("\n## Output\n\n").Append(run.Text.Length == 0 ? "No output.\n" : run.Text.EndsWith('\n') ? run.Text : run.Text + "\n");
        return md.ToString();
    }

    /// <summary>A table cell: pipes escaped, line breaks as spaces.</summary>
    private static string Cell(string text) => text.Replace("|", "\\|", StringComparison.Ordinal).ReplaceLineEndings(" ");

    /// <summary>A code fence longer than any run of backticks inside, so the prompt cannot end it.</summary>
    private static string Fenced(string text)
    {
        var longest = 0;
        var current = 0;
        foreach (var c in text)
        {
            current = c == '`' ? current + 1 : 0;
            longest = Math.Max(longest, current);
        }

        var fence = new string('`', Math.Max(3, longest + 1));
        return $"{fence}\n{text}\n{fence}\n";
    }
}
