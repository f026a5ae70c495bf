using System.Text.Json;
using Dashboard.Domain;
using Dashboard.State;
using DiffPlex.DiffBuilder;
using DiffPlex.DiffBuilder.Model;

namespace Dashboard.Runs;

/// <summary>Two runs side by side: stage durations, totals, usage, differing options, and a line diff of the outputs (DiffPlex).</summary>
public sealed record RunComparison(
    RunView A,
    RunView B,
    IReadOnlyList<StageComparison> Stages,
    IReadOnlyList<OptionDifference> Options,
    IReadOnlyList<DiffLine> Diff,
    bool DiffCut)
{
    /// <summary>Characters of each output compared at most; beyond, the diff says it was cut.</summary>
    public const int MaxDiffChars = 256 * 1024;

    public static RunComparison Of(RunView a, RunView b)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        var stagesA = StageDurations(a);
        var stagesB = StageDurations(b);
        var stages = stagesA.Keys.Concat(stagesB.Keys).Distinct(StringComparer.Ordinal)
            .Select(s => new StageComparison(s, stagesA.TryGetValue(s, out var da) ? da : null, stagesB.TryGetValue(s, out var db) ? db : null))
            .ToList();

        var options = a.Options.Keys.Concat(b.Options.Keys).Distinct(StringComparer.Ordinal)
            .Select(k => new OptionDifference(k, a.Options.TryGetValue(k, out var va) ? va.GetRawText() : null, b.Options.TryGetValue(k, out var vb) ? vb.GetRawText() : null))
            .Where(d => d.A != d.B)
            .ToList();

        var textA = a.Text.ToString();
        var textB = b.Text.ToString();
        var cut = textA.Length > MaxDiffChars || textB.Length > MaxDiffChars;
        var model = InlineDiffBuilder.Diff(Cut(textA), Cut(textB), ignoreWhiteSpace: false);
        var diff = model.Lines.Select(l => new DiffLine(l.Type switch
        {
            ChangeType.Inserted => DiffKind.Added,
            ChangeType.Deleted => DiffKind.Removed,
            _ => DiffKind.Same,
        }, l.Text ?? "")).ToList();
        return new RunComparison(a, b, stages, options, diff, cut);
    }

    public static TimeSpan? Total(RunView run) => run.EndedAt is { } end ? end - run.StartedAt : null;

    /// <summary>Each stage from its first appearance to the next stage's first appearance (the last one to the run's end).</summary>
    public static Dictionary<string, TimeSpan> StageDurations(RunView run)
    {
        ArgumentNullException.ThrowIfNull(run);
        var firsts = new List<(string Stage, DateTimeOffset At)>();
        foreach (var entry in run.Timeline)
        {
            if (!firsts.Exists(f => f.Stage == entry.Stage))
            {
                firsts.Add((entry.Stage, entry.At));
            }
        }

        var end = run.EndedAt ?? (run.Timeline.Count > 0 ? run.Timeline[^1].At : run.StartedAt);
        var durations = new Dictionary<string, TimeSpan>(StringComparer.Ordinal);
        for (var i = 0; i < firsts.Count; i++)
        {
            var until = i + 1 < firsts.Count ? firsts[i + 1].At : end;
            durations[firsts[i].Stage] = until > firsts[i].At ? until - firsts[i].At : TimeSpan.Zero;
        }

        return durations;
    }

    private static string Cut(string text) => text.Length > MaxDiffChars ? text[..MaxDiffChars] : text;
}

public sealed record StageComparison(string Stage, TimeSpan? A, TimeSpan? B)
{
    public TimeSpan? Difference => A is { } a && B is { } b ? b - a : null;
}

public sealed record OptionDifference(string Name, string? A, string? B);

public enum DiffKind { Same, Added, Removed }

public sealed record DiffLine(DiffKind Kind, string Text);
