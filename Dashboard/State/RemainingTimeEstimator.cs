using Dashboard.Domain;

namespace Dashboard.State;

/// <summary>Time left for a running run; <see cref="Remaining"/> is null when there is no basis.</summary>
public sealed record RemainingTimeEstimate(TimeSpan? Remaining, int BasisRuns, bool Overdue)
{
    public static readonly RemainingTimeEstimate Unknown = new(null, 0, false);
}

/// <summary>
/// Estimates a running run's remaining time from the same backend's completed runs: how long,
/// in each of them, it took from the current stage's first appearance to the end (median), less
/// the time already spent in that stage. Progress percentages are never extrapolated: upstreams
/// report them unevenly, so history by stage is the only honest basis. With a
/// <see cref="IStageHistory"/> (the history store) the basis is every recent completed run of the
/// backend, across restarts; without one, the runs memory holds.
/// </summary>
public sealed class RemainingTimeEstimator(TimeProvider clock, IStageHistory? history = null)
{
    public RemainingTimeEstimate Estimate(RunView run, IDashboardState state)
    {
        ArgumentNullException.ThrowIfNull(run);
        if (history is null)
        {
            return Estimate(run, state.Runs);
        }

        if (run.Status != RunStatus.Running || run.Stage is not { } stage || FirstAppearance(run, stage) is not { } stageStart)
        {
            return RemainingTimeEstimate.Unknown;
        }

        return FromDurations([.. history.RemainingFrom(run.Backend, stage)], stageStart);
    }

    public RemainingTimeEstimate Estimate(RunView run, IEnumerable<RunView> runs)
    {
        if (run.Status != RunStatus.Running || run.Stage is not { } stage || FirstAppearance(run, stage) is not { } stageStart)
        {
            return RemainingTimeEstimate.Unknown;
        }

        var durations = new List<TimeSpan>();
        foreach (var done in runs)
        {
            // A cut timeline may have lost the stage's first appearance: it would understate.
            if (done.Status != RunStatus.Completed || done.EndedAt is not { } end || done.TimelineTruncated
                || done.Id == run.Id || !string.Equals(done.Backend, run.Backend, StringComparison.Ordinal))
            {
                continue;
            }

            if (FirstAppearance(done, stage) is { } start)
            {
                durations.Add(Max(TimeSpan.Zero, end - start));
            }
        }

        return FromDurations(durations, stageStart);
    }

    private RemainingTimeEstimate FromDurations(List<TimeSpan> durations, DateTimeOffset stageStart)
    {
        if (durations.Count == 0)
        {
            return RemainingTimeEstimate.Unknown;
        }

        var spent = Max(TimeSpan.Zero, clock.GetUtcNow() - stageStart);
        var remaining = Median(durations) - spent;
        return remaining < TimeSpan.Zero
            ? new RemainingTimeEstimate(TimeSpan.Zero, durations.Count, Overdue: true)
            : new RemainingTimeEstimate(remaining, durations.Count, Overdue: false);
    }

    private static DateTimeOffset? FirstAppearance(RunView run, string stage)
    {
        foreach (var entry in run.Timeline)
        {
            if (string.Equals(entry.Stage, stage, StringComparison.Ordinal))
            {
                return entry.At;
            }
        }

        return null;
    }

    private static TimeSpan Median(List<TimeSpan> values)
    {
        values.Sort();
        var middle = values.Count / 2;
        return values.Count % 2 == 1
            ? values[middle]
            : values[middle - 1] + ((values[middle] - values[middle - 1]) / 2);
    }

    private static TimeSpan Max(TimeSpan a, TimeSpan b) => a > b ? a : b;
}
