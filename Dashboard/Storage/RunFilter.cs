using Dashboard.Configuration;
using Dashboard.State;

namespace Dashboard.Storage;

/// <summary>The in-memory form of a <see cref="RunQuery"/> (runs in flight, the memory provider).</summary>
internal static class RunFilter
{
    public static bool Matches(RunView run, RunQuery query, IReadOnlyList<string> words) =>
        (query.Backends.Count == 0 || query.Backends.Any(b => BackendNames.Comparer.Equals(b, run.Backend)))
        && (query.Statuses.Count == 0 || query.Statuses.Contains(run.Status))
        && (query.Since is not { } since || run.StartedAt >= since)
        && (query.Until is not { } until || run.StartedAt <= until)
        && (query.Sort != RunSort.Duration || run.EndedAt is not null)
        && (query.Before is not { } cursor || Key(run, query.Sort) < cursor.Key || (Key(run, query.Sort) == cursor.Key && string.CompareOrdinal(run.Id, cursor.Id) < 0))
        && (words.Count == 0 || SearchText.Matches(run, words));

    /// <summary>Sort key, larger first: start time, or duration (ticks).</summary>
    public static long Key(RunView run, RunSort sort) => sort == RunSort.Duration
        ? ((run.EndedAt ?? run.StartedAt) - run.StartedAt).Ticks
        : run.StartedAt.UtcTicks;

    public static IComparer<RunView> Order(RunSort sort) => Comparer<RunView>.Create((a, b) =>
    {
        var byKey = Key(b, sort).CompareTo(Key(a, sort));
        return byKey != 0 ? byKey : string.CompareOrdinal(b.Id, a.Id);
    });
}
