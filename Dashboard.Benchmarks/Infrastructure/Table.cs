using System.Text;

namespace Dashboard.Benchmarks.Infrastructure;

/// <summary>A plain Markdown table printed to the console, so results paste into BENCHMARKS.md as they are.</summary>
public sealed class Table(params string[] headers)
{
    private readonly List<string[]> _rows = [];

    public void Add(params object[] cells) =>
        _rows.Add([.. cells.Select(c => c switch
        {
            double d => d.ToString(Math.Abs(d) >= 100 ? "N0" : "0.##"),
            long l => l.ToString("N0"),
            int i => i.ToString("N0"),
            _ => c?.ToString() ?? "",
        })]);

    public override string ToString()
    {
        var widths = headers.Select((h, i) => _rows.Select(r => r[i].Length).Append(h.Length).Max()).ToArray();
        var text = new StringBuilder();
        AppendRow(text, headers, widths);
        text.Append('|');
        foreach (var w in widths)
        {
            text.Append(new string('-', w + 2)).Append('|');
        }

        text.AppendLine();
        foreach (var row in _rows)
        {
            AppendRow(text, row, widths);
        }

        return text.ToString();
    }

    private static void AppendRow(StringBuilder text, string[] cells, int[] widths)
    {
        text.Append('|');
        for (var i = 0; i < widths.Length; i++)
        {
            text.Append(' ').Append(cells[i].PadRight(widths[i])).Append(" |");
        }

        text.AppendLine();
    }
}
