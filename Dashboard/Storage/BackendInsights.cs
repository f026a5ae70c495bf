using Dashboard.Configuration;
using Dashboard.Domain;

namespace Dashboard.Storage;

/// <summary>One backend over a range: per day, and over the whole range.</summary>
/// <param name="SuccessRate">Completed among ended runs (0–1); null without ended runs.</param>
/// <param name="MedianDuration">Of the completed runs; null without any.</param>
public sealed record BackendInsight(
    string Backend,
    int Runs,
    double RunsPerDay,
    double? SuccessRate,
    TimeSpan? MedianDuration,
    double TokensPerDay,
    IReadOnlyList<InsightDay> Days);

/// <param name="Day">The UTC date.</param>
public sealed record InsightDay(DateOnly Day, int Runs, int Completed, TimeSpan? MedianDuration, long Tokens);

/// <summary>
/// Backend insights from the history store: every ended run started in the range, read page by
/// page through the same query the runs list uses (so every provider answers the same), at most
/// <see cref="MaxRuns"/> runs (the newest).
/// </summary>
public sealed class BackendInsights(IHistoryStore store)
{
    public const int MaxRuns = 100_000;
    private const int Page = 1000;

    public IReadOnlyList<BackendInsight> Compute(DateTimeOffset since, DateTimeOffset until)
    {
        var runs = new List<Dashboard.State.RunView>();
        RunCursor? cursor = null;
        do
        {
            var page = store.QueryEnded(new RunQuery { Since = since, Until = until, Limit = Page, Before = cursor });
            runs.AddRange(page.Items.Select(i => i.Run));
            cursor = page.Next;
        }
        while (cursor is not null && runs.Count < MaxRuns);

        // Whole days of the range, so a per-day figure is not inflated by a partial first day.
        var days = Math.Max(1.0, Math.Ceiling((until - since).TotalDays));
        return [.. runs
            .GroupBy(r => r.Backend, BackendNames.Comparer)
            .OrderBy(g => g.Key, StringComparer.OrdinalIgnoreCase)
            .Select(g => new BackendInsight(
                g.Key,
                g.Count(),
                g.Count() / days,
                SuccessRate(g),
                Median(g),
                g.Sum(Tokens) / days,
                [.. g.GroupBy(r => DateOnly.FromDateTime(r.StartedAt.UtcDateTime))
                    .OrderBy(d => d.Key)
                    .Select(d => new InsightDay(d.Key, d.Count(), d.Count(r => r.Status == RunStatus.Completed), Median(d), d.Sum(Tokens)))]))];
    }

    private static double? SuccessRate(IEnumerable<Dashboard.State.RunView> runs)
    {
        var ended = runs.Count(r => r.Status.IsTerminal());
        return ended == 0 ? null : (double)runs.Count(r => r.Status == RunStatus.Completed) / ended;
    }

    private static long Tokens(Dashboard.State.RunView run) =>
        run.Usage?.TotalTokens ?? ((run.Usage?.InputTokens ?? 0) + (run.Usage?.OutputTokens ?? 0));

    private static TimeSpan? Median(IEnumerable<Dashboard.State.RunView> runs)
    {
        var durations = runs.Where(r => r.Status == RunStatus.Completed && r.EndedAt is not null)
            .Select(r => r.EndedAt!.Value - r.StartedAt).Order().ToList();
        if (durations.Count == 0)
        {
            return null;
        }

        var middle = durations.Count / 2;
        return durations.Count % 2 == 1 ? durations[middle] : durations[middle - 1] + ((durations[middle] - durations[middle - 1]) / 2);
    }
}
